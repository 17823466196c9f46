/*
 * move.c - moving the files of one message between the queue and the
 * quarantine store, deleting them, putting them back; all idempotent so
 * that the reconciler finishes an interrupted operation by running the
 * same steps again. See act-int.h and shared/ARCHITECTURE.md.
 *
 * Same file system: rename(2), which keeps inode, mode, owner and times
 * (and the qmail message number = inode). Otherwise copy to a temporary
 * name, fchown/fchmod/futimens, fsync, rename into place, then unlink
 * the source: at every moment at least one complete copy exists, and a
 * destination under its final name is always complete.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <unistd.h>
#include <uuid/uuid.h>
#include "act-int.h"
#include "util.h"

/*
 * The test hook, shared by the file threads of settle_all: the counter
 * is atomic, so the hook fires after exactly N operations in total. The
 * environment is read once per process (not a getpid() per tick); a
 * forked child starts counting afresh (pthread_atfork).
 */
static gint crash_state;	/* 0 not read yet, 1 read */
static gint crash_done;		/* operations so far */
static gint crash_limit = -1;
static gulong tick_usec;	/* QSCAN_TEST_TICK_USEC: slow every operation down */
static GMutex crash_lock;

/* random bytes for uuids, drawn 4 KiB at a time */
static guint8 rnd_pool[4096];
static gsize rnd_left;
static GMutex rnd_lock;

/* a forked child counts operations afresh and never reuses the
 * parent's random bytes */
static void after_fork_child(void)
{
	g_atomic_int_set(&crash_state, 0);
	g_atomic_int_set(&crash_done, 0);
	rnd_left = 0;
}

static void register_atfork(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		pthread_atfork(NULL, NULL, after_fork_child);
		g_once_init_leave(&once, 1);
	}
}

static void crash_read(void)
{
	const char *e;
	guint64 v;

	register_atfork();
	g_mutex_lock(&crash_lock);
	if (g_atomic_int_get(&crash_state) == 0) {
		e = getenv("QSCAN_TEST_CRASH_AFTER");
		crash_limit = e && qs_parse_uint(e, 0, G_MAXINT32, &v) ? (gint)v : -1;
		/* lets a test stop a run at a known pace (t/9503 SIGTERM) */
		e = getenv("QSCAN_TEST_TICK_USEC");
		tick_usec = e && qs_parse_uint(e, 0, 1000000, &v) ? (gulong)v : 0;
		g_atomic_int_set(&crash_state, 1);
	}
	g_mutex_unlock(&crash_lock);
}

void qs_move_tick(void)
{
	if (g_atomic_int_get(&crash_state) == 0)
		crash_read();
	if (tick_usec)
		g_usleep(tick_usec);
	if (crash_limit < 0)
		return;
	if (g_atomic_int_add(&crash_done, 1) >= crash_limit)
		_exit(99);	/* simulated kill -9 between two file operations */
}

/* 16 random bytes from the pool; false when getrandom fails */
static bool random16(guint8 *out)
{
	bool ok = true;

	register_atfork();
	g_mutex_lock(&rnd_lock);
	if (rnd_left < 16) {
		ssize_t n = getrandom(rnd_pool, sizeof rnd_pool, 0);
		rnd_left = n == (ssize_t)sizeof rnd_pool ? sizeof rnd_pool : 0;
		ok = rnd_left >= 16;
	}
	if (ok) {
		guint8 *p = rnd_pool + sizeof rnd_pool - rnd_left;
		memcpy(out, p, 16);
		memset(p, 0, 16);	/* never handed out twice */
		rnd_left -= 16;
	}
	g_mutex_unlock(&rnd_lock);
	return ok;
}

/*
 * A version 7 uuid (RFC 9562: 48 bits of Unix milliseconds, then 74
 * random bits): the uuids of a run sort in creation order, so the
 * quarantine, deletions and journal_files keys are appended to their
 * B-trees instead of landing on a random page each. With version 4
 * keys every commit of 1,000 messages rewrote about as many pages per
 * index; the commits of a 55k quarantine went from 2.6 s to 0.7 s.
 * One getrandom per 256 uuids, where libuuid made five system calls
 * for each; libuuid only when getrandom fails (a version 4 then).
 */
char *qs_move_uuid(void)
{
	uuid_t u;
	char s[37];

	if (random16(u)) {
		guint64 ms = (guint64)(g_get_real_time() / 1000);
		for (int i = 0; i < 6; i++)
			u[i] = (guint8)(ms >> (40 - 8 * i));
		u[6] = (guint8)((u[6] & 0x0f) | 0x70);
		u[8] = (guint8)((u[8] & 0x3f) | 0x80);
	} else {
		uuid_generate(u);
	}
	uuid_unparse_lower(u, s);
	return g_strdup(s);
}

/* the bucket: two hex digits that are random in the uuid, the last two
 * of a version 7 (its first ones are the clock, the same for years),
 * the first two of any other (version 4, as earlier builds made) */
static void store_bucket(const char *uuid, size_t ulen, GString *out)
{
	if (ulen == 36 && uuid[14] == '7')
		g_string_append_len(out, uuid + 34, 2);
	else
		g_string_append_len(out, uuid, ulen >= 2 ? 2 : (gssize)ulen);
}

/*
 * The store is flat: <qdir>/<bucket>/<uuid>.<escaped relpath>, one
 * directory level below 256 buckets (store_bucket) instead of a tree per message (five
 * mkdir per Postfix message made ext4's inode allocator the bottleneck).
 * '%' -> %25, '/' -> %2F and '#' -> %23 make the escape injective, and
 * the hashed form of over-long names (always "#...") never equals an
 * escaped one.
 */
#define STORE_NAME_MAX 200	/* well below NAME_MAX, leaving room for .qscan-tmp */

char *qs_store_name(const char *uuid, const char *relpath)
{
	size_t ulen = strlen(uuid);
	GString *s = g_string_sized_new(48 + strlen(relpath));
	gsize base;
	const char *p;

	store_bucket(uuid, ulen, s);
	g_string_append_c(s, '/');
	base = s->len;
	g_string_append(s, uuid);
	g_string_append_c(s, '.');
	for (p = relpath; *p; p++) {
		if (*p == '%')
			g_string_append(s, "%25");
		else if (*p == '/')
			g_string_append(s, "%2F");
		else if (*p == '#')
			g_string_append(s, "%23");
		else
			g_string_append_c(s, *p);
	}
	if (s->len - base > STORE_NAME_MAX) {
		char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, relpath, -1);
		g_string_truncate(s, base + ulen + 1);
		g_string_append_c(s, '#');
		g_string_append_len(s, h, 32);
		g_free(h);
	}
	return g_string_free(s, FALSE);
}

char *qs_store_find(int qfd, const char *uuid, const char *relpath, struct stat *st)
{
	struct stat dummy;
	char *p = qs_store_name(uuid, relpath);

	if (st == NULL)
		st = &dummy;
	if (fstatat(qfd, p, st, AT_SYMLINK_NOFOLLOW) == 0)
		return p;
	g_free(p);
	p = g_build_filename(uuid, relpath, NULL);	/* written by an earlier build */
	if (fstatat(qfd, p, st, AT_SYMLINK_NOFOLLOW) == 0)
		return p;
	g_free(p);
	return NULL;
}

char *qs_store_locate(int qfd, const char *uuid, const char *relpath)
{
	char *p = qs_store_find(qfd, uuid, relpath, NULL);

	return p ? p : qs_store_name(uuid, relpath);
}

static const char *top_dir(const char *path, char *buf, size_t len)
{
	const char *slash = strchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n >= len)
		n = len - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return buf;
}

int qs_move_rank(const char *format, const char *path, const char *content_path)
{
	char d[16];

	top_dir(path, d, sizeof d);
	if (g_strcmp0(format, "postfix") == 0)	/* postsuper delete_one: logfiles first */
		return strcmp(d, "defer") == 0 || strcmp(d, "bounce") == 0 ||
		       strcmp(d, "trace") == 0 ? 0 : 1;
	if (g_strcmp0(format, "qmail") == 0) {	/* postfix-qmail.md 2.7 */
		static const char *const order[] = { "todo", "intd", "local", "remote", "bounce",
						     "info", "mess" };
		static const int rank[] = { 0, 1, 2, 2, 2, 3, 4 };
		guint i;
		for (i = 0; i < G_N_ELEMENTS(order); i++)
			if (strcmp(d, order[i]) == 0)
				return rank[i];
		return 2;
	}
	/* MDaemon, IceWarp: the content file first, so that the MTA never
	 * sees a .msg without its route slip; restored last */
	return g_strcmp0(path, content_path) == 0 ? 0 : 1;
}

bool qs_move_restore_reversed(const char *format)
{
	return g_strcmp0(format, "postfix") != 0;
}

/* create the missing parent directories of rel below dirfd; new ones
 * get `mode` and, when inherit, the owner of their parent */
int qs_move_mkparents(int dirfd, const char *rel, mode_t mode, bool inherit)
{
	char *p = g_strdup(rel), *s;
	int rc = 0;

	for (s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		struct stat st;
		*s = '\0';
		if (mkdirat(dirfd, p, mode) == 0) {
			char *parent = g_path_get_dirname(p);
			if (inherit && fstatat(dirfd, parent, &st, 0) == 0)
				(void)!fchownat(dirfd, p, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
			g_free(parent);
		} else if (errno != EEXIST) {
			rc = -1;
		}
		*s = '/';
		if (rc < 0)
			break;
	}
	g_free(p);
	return rc;
}

static int fsync_parent(int dirfd, const char *rel)
{
	char *d = g_path_get_dirname(rel);
	int fd = openat(dirfd, d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	g_free(d);
	if (fd < 0)
		return -1;
	fsync(fd);
	close(fd);
	return 0;
}

static int copy_bytes(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof buf)) != 0) {
		char *p = buf;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			p += w;
			n -= w;
		}
	}
	return 0;
}

/* rename that never replaces an existing destination (a new message
 * that took the name meanwhile); link + unlink where renameat2 is not
 * supported by the file system */
int qs_move_rename(int sd, const char *sp, int dd, const char *dp)
{
	if (renameat2(sd, sp, dd, dp, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (linkat(sd, sp, dd, dp, 0) < 0)
		return -1;
	return unlinkat(sd, sp, 0) < 0 && errno != ENOENT ? -1 : 0;
}

/*
 * link + unlink instead of rename, for the queues whose MTA does not
 * mind a moment with two links (all but Postfix, whose mail_open_ok()
 * skips and logs a queue file with st_nlink > 1). Linux serialises
 * every cross-directory rename of a file system on one mutex
 * (s_vfs_rename_mutex); linkat and unlinkat lock only their directory,
 * so the file threads really move files in parallel: a 55k qmail
 * quarantine (165k files) went from 6.2 s to 5.1 s. A kill -9 between
 * the two calls leaves the same inode under both names, which out_one
 * and back_one finish by unlinking the source. Where linking is refused
 * (no hard links on the file system, protected_hardlinks for a user who
 * does not own the file), plain rename.
 */
static int move_by_link(int sd, const char *sp, int dd, const char *dp)
{
	if (linkat(sd, sp, dd, dp, 0) < 0) {
		if (errno == EPERM || errno == EMLINK || errno == EOPNOTSUPP || errno == ENOSYS)
			return qs_move_rename(sd, sp, dd, dp);
		return -1;
	}
	qs_move_tick();
	if (unlinkat(sd, sp, 0) == 0 || errno == ENOENT)
		return 0;
	/* never leave one message in two places on an error: undo */
	{
		int e = errno;
		unlinkat(dd, dp, 0);
		errno = e;
	}
	return -1;
}

/* copy sd/sp to dd/dp through a temporary name, with metadata, fsync'd */
int qs_move_copy(int sd, const char *sp, int dd, const char *dp, GString *notes)
{
	char *tmp = g_strdup_printf("%s.qscan-tmp", dp);
	struct stat st;
	struct timespec ts[2];
	int in = -1, out = -1, rc = -1, e = 0;

	in = openat(sd, sp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		e = in < 0 ? errno : EINVAL;
		goto out;
	}
	unlinkat(dd, tmp, 0);	/* a leftover of an interrupted copy */
	out = openat(dd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	if (out < 0 || copy_bytes(in, out) < 0 || fchown(out, st.st_uid, st.st_gid) < 0 ||
	    fchmod(out, st.st_mode & 07777) < 0 || futimens(out, ts) < 0 || fsync(out) < 0) {
		e = errno;
		goto out;
	}
	qs_move_tick();
	if (qs_move_rename(dd, tmp, dd, dp) < 0) {
		e = errno;
		goto out;
	}
	fsync_parent(dd, dp);
	rc = 0;
out:
	if (rc < 0) {
		g_string_append_printf(notes, "%s: cannot copy: %s\n", sp, g_strerror(e));
		if (out >= 0)
			unlinkat(dd, tmp, 0);
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	g_free(tmp);
	return rc;
}

/* move sd/sp to dd/dp: rename, or copy + unlink across file systems */
static int transfer(int sd, const char *sp, int dd, const char *dp, bool inherit,
		    bool by_link, GString *notes)
{
	int (*move)(int, const char *, int, const char *) =
		by_link ? move_by_link : qs_move_rename;
	struct stat st;

	qs_move_tick();
	if (move(sd, sp, dd, dp) == 0)
		return 0;
	/* the destination's directory is created only when missing */
	if (errno == ENOENT && fstatat(sd, sp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (qs_move_mkparents(dd, dp, 0700, inherit) < 0) {
			g_string_append_printf(notes, "%s: cannot create its directory: %s\n", dp,
					       g_strerror(errno));
			return -1;
		}
		if (move(sd, sp, dd, dp) == 0)
			return 0;
	}
	if (errno != EXDEV) {
		g_string_append_printf(notes, "%s: cannot move: %s\n", sp, g_strerror(errno));
		return -1;
	}
	if (qs_move_copy(sd, sp, dd, dp, notes) < 0)
		return -1;
	qs_move_tick();
	if (unlinkat(sd, sp, 0) < 0 && errno != ENOENT) {
		g_string_append_printf(notes, "%s: copied, but cannot remove the original: %s\n",
				       sp, g_strerror(errno));
		return -1;
	}
	return 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* is the source the exact file the journal recorded? */
static int source_state(int sd, const char *sp, const struct qs_jfile *f, struct stat *st)
{
	gint64 btime;

	/* one statx gives both the identity and the birth time */
	if (qs_jfile_stat(sd, sp, st, &btime) < 0)
		return 0;		/* gone */
	if (!S_ISREG(st->st_mode) ||
	    (f->ino && ((guint64)st->st_ino != f->ino || (guint64)st->st_dev != f->dev)))
		return -1;		/* another file now has that name */
	/* the same inode number, but born again: a reused qmail number or
	 * Postfix ID after the MTA finished the message we journalled */
	if (f->btime && btime != f->btime)
		return -1;
	return 1;
}

/* may the files of this entry move by link + unlink (move_by_link)? */
static bool link_ok(const struct qs_jentry *e)
{
	return g_strcmp0(e->format, "postfix") != 0;
}

static int out_one(struct qs_store *s, const struct qs_jentry *e, const struct qs_jfile *f,
		   guint *moved, GString *notes)
{
	const char *uuid = e->uuid, *sp = f->src ? f->src : f->path;
	struct stat sst, dst;
	/* a fresh entry has nothing in the store (and the rename below
	 * never replaces a file); only an interrupted one is looked up */
	char *dp = e->fresh ? NULL : qs_store_find(s->qfd, uuid, f->path, &dst);
	int src = source_state(s->rootfd, sp, f, &sst), rc = 0;

	if (dp) {
		/* already in the store (a store name is only ever a whole
		 * file): the journalled source left by an interrupted copy +
		 * unlink, or link + unlink (then the same inode), goes */
		if (src == 1) {
			qs_move_tick();
			unlinkat(s->rootfd, sp, 0);
		}
		(*moved)++;
	} else if (src == 1) {
		dp = qs_store_name(uuid, f->path);
		rc = transfer(s->rootfd, sp, s->qfd, dp, false, link_ok(e), notes);
		if (rc == 0)
			(*moved)++;
	} else if (src < 0) {
		g_string_append_printf(notes, "%s: now another file (not the one journalled); left in place\n", sp);
	} else {
		g_string_append_printf(notes, "%s: vanished before it was moved\n", sp);
	}
	g_free(dp);
	return rc;
}

static int delete_one(struct qs_store *s, const struct qs_jfile *f, guint *moved, GString *notes)
{
	const char *sp = f->src ? f->src : f->path;
	struct stat st;
	int src = source_state(s->rootfd, sp, f, &st);

	if (src == 1) {
		qs_move_tick();
		if (unlinkat(s->rootfd, sp, 0) < 0 && errno != ENOENT) {
			g_string_append_printf(notes, "%s: cannot remove: %s\n", sp, g_strerror(errno));
			return -1;
		}
		(*moved)++;
	} else if (src < 0) {
		g_string_append_printf(notes, "%s: now another file (not the one journalled); left in place\n", sp);
	}
	return 0;
}

/* a restored copy is ours when it matches the store file's size and mtime */
static bool looks_copied(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int back_one(struct qs_store *s, const struct qs_jentry *e, const struct qs_jfile *f,
		    guint *moved, GString *notes)
{
	const char *uuid = e->uuid;
	struct stat sst, qst;
	char *sp = qs_store_find(s->qfd, uuid, f->path, &sst);
	bool in_store = sp != NULL;
	bool in_queue = fstatat(s->rootfd, f->path, &qst, AT_SYMLINK_NOFOLLOW) == 0;
	int rc = 0;

	if (in_store && !in_queue) {
		rc = transfer(s->qfd, sp, s->rootfd, f->path, true, link_ok(e), notes);
		if (rc == 0)
			(*moved)++;
	} else if (in_store && (same_file(&sst, &qst) || looks_copied(&sst, &qst))) {
		qs_move_tick();
		unlinkat(s->qfd, sp, 0);	/* an interrupted copy back */
		(*moved)++;
	} else if (in_store) {
		g_string_append_printf(notes, "%s: a different file already exists in the queue; "
				       "not overwritten\n", f->path);
		rc = -1;
	} else if (in_queue) {
		(*moved)++;
	} else {
		g_string_append_printf(notes, "%s: missing from the store\n", f->path);
	}
	g_free(sp);
	return rc;
}

int qs_move_finish(struct qs_store *s, const struct qs_jentry *e, guint *moved, GString *notes)
{
	bool restore = g_strcmp0(e->state, "restoring") == 0;
	bool rev = restore && qs_move_restore_reversed(e->format);
	guint n = e->jfiles->len, i;
	int rc = 0;

	*moved = 0;
	for (i = 0; i < n; i++) {
		const struct qs_jfile *f = g_ptr_array_index(e->jfiles, rev ? n - 1 - i : i);
		int r;

		if (e->deletion)
			r = delete_one(s, f, moved, notes);
		else if (restore)
			r = back_one(s, e, f, moved, notes);
		else
			r = out_one(s, e, f, moved, notes);
		/* keep the MTA-safe order: never move a later file after an
		 * earlier one failed (e.g. the Postfix queue file) */
		if (r < 0) {
			rc = -1;
			break;
		}
	}
	return rc;
}

static int rmtree_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0)
			continue;
		if ((errno == EISDIR || errno == EPERM) && rmtree_at(fd, de->d_name) == 0)
			continue;
		rc = -1;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

static int unlink_quiet(int dirfd, const char *name)
{
	return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
}

int qs_store_remove(int qfd, const struct qs_jentry *e, GError **err)
{
	const char *what = NULL;
	int e1 = 0;
	guint i;

	for (i = 0; i < e->jfiles->len; i++) {
		const struct qs_jfile *f = g_ptr_array_index(e->jfiles, i);
		char *n = qs_store_name(e->uuid, f->path);
		char *tmp = g_strdup_printf("%s.qscan-tmp", n);

		if ((unlink_quiet(qfd, n) < 0 || unlink_quiet(qfd, tmp) < 0) && what == NULL) {
			e1 = errno;
			what = f->path;
		}
		g_free(n);
		g_free(tmp);
	}
	/* a store written by an earlier build: <uuid>/<relpath> */
	if (rmtree_at(qfd, e->uuid) < 0 && what == NULL) {
		e1 = errno;
		what = e->uuid;
	}
	if (what) {
		g_set_error(err, QS_ERROR, e1, "cannot remove the store files of %s (%s): %s",
			    e->uuid, what, g_strerror(e1));
		return -1;
	}
	return 0;
}
