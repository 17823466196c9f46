/*
 * act_qmail.c - acting on a qmail queue while qmail-send runs
 * (shared/formats/postfix-qmail.md 2.5-2.7). qmail-send keeps its
 * schedule in memory and must not lose files under it; instead each
 * pending recipient is marked done with the same 1-byte write its own
 * markdone() does, and the bounce text is removed so that no NDR goes
 * out: qmail-send then ends the message and cleans up itself.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "act-int.h"
#include "qs_limits.h"
#include "util.h"

#define CHANNEL_MAX (16u << 20)	/* a local/remote file larger than this is not qmail's */

int qs_qmail_sendmutex(int rootfd, int *fd)
{
	*fd = openat(rootfd, "lock/sendmutex", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (*fd < 0)
		return -1;
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	close(*fd);
	*fd = -1;
	return 1;
}

static bool is_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* overwrite the type byte of every pending (T) record with D */
static int markdone(int rootfd, const char *rel, GString *notes)
{
	int fd = openat(rootfd, rel, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	GByteArray *buf = g_byte_array_new();
	struct stat st;
	GError *err = NULL;
	gsize off = 0;
	int rc = 0;

	if (fd < 0) {
		g_byte_array_free(buf, TRUE);
		return errno == ENOENT ? 0 : -1;	/* already ended by qmail-send */
	}
	close(fd);
	if (qs_read_file(rootfd, rel, CHANNEL_MAX, buf, &st, &err) < 0) {
		g_string_append_printf(notes, "%s\n", err->message);
		g_error_free(err);
		g_byte_array_free(buf, TRUE);
		return -1;
	}
	fd = openat(rootfd, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	while (fd >= 0 && off < buf->len) {
		const guint8 *nul = memchr(buf->data + off, '\0', buf->len - off);
		if (buf->data[off] == 'T') {
			qs_move_tick();
			if (pwrite(fd, "D", 1, (off_t)off) != 1) {
				g_string_append_printf(notes, "%s: cannot mark offset %zu done: %s\n",
						       rel, (size_t)off, g_strerror(errno));
				rc = -1;
				break;
			}
		}
		if (nul == NULL)
			break;
		off = (gsize)(nul - buf->data) + 1;
	}
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	g_byte_array_free(buf, TRUE);
	return rc;
}

int qs_qmail_live_delete(struct qs_store *s, const struct qs_jentry *e, GString *notes)
{
	guint i;
	int rc = 0;

	for (i = 0; i < e->jfiles->len; i++) {
		const struct qs_jfile *f = g_ptr_array_index(e->jfiles, i);
		if (is_dir(f->path, "local") || is_dir(f->path, "remote")) {
			if (markdone(s->rootfd, f->path, notes) < 0)
				rc = -1;
		} else if (is_dir(f->path, "bounce")) {
			qs_move_tick();
			unlinkat(s->rootfd, f->path, 0);
		}
	}
	return rc;
}

/* copy one file into the store; mess/ by hard link where possible so
 * that its inode (= the message number) stays allocated for a restore */
static int copy_in(struct qs_store *s, const char *uuid, const struct qs_jfile *f,
		   GString *notes)
{
	char *dp = qs_store_find(s->qfd, uuid, f->path, NULL);
	int rc = 0;

	if (dp)
		goto out;	/* copied before an interruption */
	dp = qs_store_name(uuid, f->path);
	/* the bucket directory (EEXIST but for the first message in it) */
	if (qs_move_mkparents(s->qfd, dp, 0700, false) < 0) {
		g_string_append_printf(notes, "%s: cannot create its directory: %s\n", dp,
				       g_strerror(errno));
		rc = -1;
		goto out;
	}
	qs_move_tick();
	if (is_dir(f->path, "mess") && linkat(s->rootfd, f->path, s->qfd, dp, 0) == 0)
		goto out;
	rc = qs_move_copy(s->rootfd, f->path, s->qfd, dp, notes);
out:
	g_free(dp);
	return rc;
}

int qs_qmail_live_finish(struct qs_store *s, const struct qs_jentry *e, GString *notes)
{
	guint i;

	for (i = 0; i < e->jfiles->len; i++) {
		const struct qs_jfile *f = g_ptr_array_index(e->jfiles, i);
		struct stat st;
		char *dp = qs_store_find(s->qfd, e->uuid, f->path, NULL);
		bool have = dp != NULL;

		g_free(dp);
		if (!have && fstatat(s->rootfd, f->path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			/* qmail-send ended it meanwhile; a copy without its mess is useless */
			if (is_dir(f->path, "mess") || is_dir(f->path, "info")) {
				g_string_append_printf(notes, "%s: vanished before it was copied\n",
						       f->path);
				qs_store_remove(s->qfd, e, NULL);
				return -1;
			}
			continue;
		}
		if (copy_in(s, e->uuid, f, notes) < 0) {
			qs_store_remove(s->qfd, e, NULL);
			return -1;	/* nothing marked yet: the message stays deliverable */
		}
	}
	syncfs(s->qfd);
	return qs_qmail_live_delete(s, e, notes);
}
