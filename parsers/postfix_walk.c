/*
 * postfix_walk.c - recognise a Postfix queue and stream its messages.
 *
 * The root is either a queue_directory (with maildrop/, deferred/, ...)
 * or one message queue on its own (the user pointed at deferred/ or
 * hold/); then that directory is the whole walk. Hashed subdirectories
 * (single-character names) are descended to any depth up to
 * QS_MAX_DIR_DEPTH, whatever hash_queue_names/hash_queue_depth say,
 * because admins change them. Only names that Postfix itself would
 * accept as queue IDs become messages; files still being written (owner
 * bits not rwx, mail_open_ok()) are left alone. The walk keeps one open
 * directory per level and nothing else, so memory does not grow with
 * the queue.
 *
 * item->files lists the queue file; load() adds its defer/, bounce/ and
 * trace/ logfiles wherever they are on disk (postsuper removes those
 * first), guided by the depths this walk saw (item->kind).
 * When the root is a single queue, the logfiles live outside it
 * (../defer/); they are not listed then, so every path stays inside the
 * directory the user gave.
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "qs_limits.h"
#include "log.h"
#include "util.h"
#include "postfix_int.h"

struct level {
	DIR *dir;
	char *rel;		/* directory path relative to the root, "" = root */
};

struct logdir {
	bool exists;
	unsigned depths;	/* bit d: logfiles seen (or expected) at hash depth d */
	unsigned seen;		/* bit d: logfiles seen at hash depth d at walk start */
};

struct qs_walk {
	int rootfd;
	char *subqueue;		/* root is this queue itself, or NULL */
	int next_queue;
	const char *queue;	/* queue being walked */
	int depth;		/* top of stack, -1 = none */
	struct level stack[QS_MAX_DIR_DEPTH + 1];
	struct logdir logs[PF_NLOGDIRS];
	struct pf_loglists *lists;	/* log directories read once per walk directory */
	unsigned epoch;		/* counts the directories entered */
};

/* Directories only Postfix has (qmail also has bounce/ and pid/). */
static const char *const pf_only[] = {
	"maildrop", "incoming", "active", "deferred", "hold", "corrupt",
	"defer", "trace", "flush", "saved", "public", "private", NULL,
};
static const char *const qmail_dirs[] = { "mess", "info", "todo", "intd", "remote", "local", NULL };

static bool is_dir_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static bool is_hash_dir_name(const char *name)
{
	return name[0] != '\0' && name[1] == '\0' && (g_ascii_isalnum(name[0]) || name[0] == '_');
}

/* the last component of root, resolved ("." and trailing slashes) */
static char *root_basename(const char *root)
{
	char *real = realpath(root, NULL);
	char *base = g_path_get_basename(real ? real : root);

	free(real);
	return base;
}

static int count_dirs(int rootfd, const char *const *names, GString *seen)
{
	int i, n = 0;

	for (i = 0; names[i]; i++)
		if (is_dir_at(rootfd, names[i])) {
			n++;
			if (seen)
				g_string_append_printf(seen, " %s/", names[i]);
		}
	return n;
}

/*
 * subqueue_score - root named like a Postfix queue: look at a few
 * entries; queue IDs and one-character hash directories count for it,
 * anything else against it.
 */
static int subqueue_score(int rootfd, int *good_r, int *bad_r)
{
	int fd = dup(rootfd), good = 0, bad = 0, seen = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d);
	while (seen < 64 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		seen++;
		if (is_hash_dir_name(e->d_name) || pf_id_ok(e->d_name))
			good++;
		else if (strchr(e->d_name, '.') == NULL && strchr(e->d_name, '#') == NULL)
			bad++;	/* temp files "usec.pid" and "ID#FIX" are Postfix's too */
	}
	closedir(d);
	*good_r = good;
	*bad_r = bad;
	return bad > good ? 0 : good > 0 ? 70 : 30;
}

int pf_probe(int rootfd, const char *root, GString *why)
{
	GString *seen = g_string_new(NULL);
	int n = count_dirs(rootfd, pf_only, seen);
	int q = count_dirs(rootfd, qmail_dirs, NULL);
	int score = 0;

	if (n > 0) {
		score = q > 0 ? 20 : n >= 2 ? 90 : 50;
		g_string_append_printf(why, "postfix: queue_directory dirs:%s%s\n", seen->str,
				       q > 0 ? " (but qmail dirs too)" : "");
	} else {
		char *base = root_basename(root);
		int good = 0, bad = 0;
		if (pf_is_queue_name(base)) {
			score = subqueue_score(rootfd, &good, &bad);
			g_string_append_printf(why, "postfix: %s is named like a Postfix queue; "
					       "%d entries look like queue IDs or hash dirs, %d do not\n",
					       base, good, bad);
		} else {
			g_string_append(why, "postfix: no maildrop/, incoming/, active/, deferred/, "
					"hold/ or corrupt/ directory\n");
		}
		g_free(base);
	}
	g_string_free(seen, TRUE);
	return score;
}

/*
 * scan_logdir - which hash depths hold logfiles. Level 0 is read whole
 * (its subdirectories are the hash levels); deeper directories only
 * until their first file, so this costs about one readdir per hash dir.
 */
static void scan_logdir(int fd, int level, unsigned *depths)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (d == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		bool isdir = e->d_type == DT_DIR ||
			     (e->d_type == DT_UNKNOWN && is_dir_at(dirfd(d), e->d_name));
		if (e->d_name[0] == '.')
			continue;
		if (isdir && is_hash_dir_name(e->d_name) && level < QS_MAX_DIR_DEPTH) {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				scan_logdir(sub, level + 1, depths);
		} else if (!isdir && pf_name_ok(e->d_name)) {
			*depths |= 1u << level;
			if (level > 0)
				break;
		}
	}
	closedir(d);
}

static void find_logdirs(struct qs_walk *w)
{
	int i;

	for (i = 0; i < PF_NLOGDIRS; i++) {
		int fd = openat(w->rootfd, pf_logdirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		w->logs[i].exists = true;
		/* where Postfix puts them by default, even if none exist yet:
		 * defer/ is hashed one level, bounce/ and trace/ are flat */
		w->logs[i].depths = i == 0 ? 1u << 1 : 1u;
		scan_logdir(fd, 0, &w->logs[i].seen);
		w->logs[i].depths |= w->logs[i].seen;
	}
}

struct qs_walk *pf_walk_new(int rootfd, const char *root, GError **err)
{
	struct qs_walk *w;
	GString *why = g_string_new(NULL);
	int score = pf_probe(rootfd, root, why);
	bool is_root = count_dirs(rootfd, pf_only, NULL) > 0;

	if (score == 0 && !is_root) {
		g_set_error(err, QS_ERROR, 0, "%s: not a Postfix queue directory nor one of its "
			    "queues (%s)", root, g_strchomp(why->str));
		g_string_free(why, TRUE);
		return NULL;
	}
	g_string_free(why, TRUE);
	w = g_new0(struct qs_walk, 1);
	w->rootfd = dup(rootfd);
	if (w->rootfd < 0) {
		g_set_error(err, QS_ERROR, errno, "%s: %s", root, g_strerror(errno));
		g_free(w);
		return NULL;
	}
	w->depth = -1;
	w->lists = pf_loglists_new();
	if (is_root)
		find_logdirs(w);
	else
		w->subqueue = root_basename(root);
	return w;
}

static void pop(struct qs_walk *w)
{
	closedir(w->stack[w->depth].dir);
	g_free(w->stack[w->depth].rel);
	w->depth--;
}

static int push(struct qs_walk *w, int parentfd, const char *name, const char *rel, GError **err)
{
	int fd = qs_open_dir(parentfd, name, err);
	DIR *d;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		g_set_error(err, QS_ERROR, errno, "%s: cannot read directory: %s", rel, g_strerror(errno));
		close(fd);
		return -1;
	}
	w->depth++;
	w->epoch++;
	w->stack[w->depth].dir = d;
	w->stack[w->depth].rel = g_strdup(rel);
	return 0;
}

/* open the next queue directory; 1 opened, 0 no more, -1 error */
static int next_queue(struct qs_walk *w, GError **err)
{
	if (w->subqueue) {
		if (w->next_queue++ > 0)
			return 0;
		w->queue = w->subqueue;
		return push(w, w->rootfd, ".", "", err) < 0 ? -1 : 1;
	}
	while (pf_queues[w->next_queue]) {
		const char *q = pf_queues[w->next_queue++];
		GError *e = NULL;
		if (push(w, w->rootfd, q, q, &e) == 0) {
			w->queue = q;
			return 1;
		}
		if (e->code == ENOENT) {
			g_error_free(e);
			continue;
		}
		g_propagate_error(err, e);
		return -1;
	}
	return 0;
}

static char *join(const char *dir, const char *name)
{
	return *dir ? g_strconcat(dir, "/", name, NULL) : g_strdup(name);
}

/*
 * logfile_hints - which defer/bounce/trace depths load() should look at,
 * packed into item->kind (PF_LOG_BITS bits per log directory). A log
 * directory that held no logfile when the walk started is not looked
 * at per message: bounce/ and trace/ are nearly always empty, and two
 * stat() calls per message are a large share of a scan's time.
 */
static int logfile_hints(const struct qs_walk *w)
{
	int i, kind = 0;

	for (i = 0; i < PF_NLOGDIRS; i++)
		if (w->logs[i].exists && w->logs[i].seen)
			kind |= (int)(w->logs[i].depths & PF_LOG_MASK) << (i * PF_LOG_BITS);
	return kind;
}

/*
 * entry - one directory entry: 1 = item filled, 0 = skipped, -1 = a
 * subdirectory could not be opened (*err).
 */
static int entry(struct qs_walk *w, const char *name, unsigned char type,
		 struct qs_item *item, GError **err)
{
	struct level *top = &w->stack[w->depth];
	struct stat st;
	char *rel;

	/* d_type saves an lstat() per message; load() checks the file itself
	 * (regular, owner-rwx) with the fstat() it needs anyway */
	if (type == DT_REG)
		st.st_mode = S_IFREG | 0700, st.st_mtime = -1;
	else if (type == DT_DIR)
		st.st_mode = S_IFDIR;
	else if (fstatat(dirfd(top->dir), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;	/* gone since readdir: delivered or moved */
	rel = join(top->rel, name);
	if (S_ISDIR(st.st_mode)) {
		int rc = 0;
		if (is_hash_dir_name(name) && w->depth < QS_MAX_DIR_DEPTH)
			rc = push(w, dirfd(top->dir), name, rel, err);
		else
			qs_info("%s: directory is not a Postfix hash directory (or too deep), skipped", rel);
		g_free(rel);
		return rc;
	}
	if (!pf_name_ok(name) || !pf_id_ok(name)) {
		qs_info("%s: not a Postfix queue ID (temporary or foreign file), skipped", rel);
	} else if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
		qs_info("%s: not a regular file%s, skipped", rel,
			S_ISLNK(st.st_mode) ? " (symbolic link)" : "");
	} else if ((st.st_mode & 0700) != 0700) {
		qs_info("%s: mode %04o: still being written (Postfix marks finished files "
			"owner-rwx), skipped", rel, (unsigned)(st.st_mode & 07777));
	} else {
		qs_item_clear(item);
		item->queue = g_strdup(w->queue);
		item->id = g_strdup(name);
		item->path = rel;
		item->mtime = (gint64)st.st_mtime;
		item->kind = w->subqueue ? 0 : logfile_hints(w);
		g_ptr_array_add(item->files, g_strdup(rel));
		if (item->kind != 0)
			item->kind = (int)pf_logs_resolve(w->lists, w->rootfd, w->epoch, item);
		return 1;
	}
	g_free(rel);
	return 0;
}

int pf_walk_next(struct qs_walk *w, struct qs_item *item, GError **err)
{
	for (;;) {
		struct dirent *e;
		int rc;

		if (w->depth < 0) {
			rc = next_queue(w, err);
			if (rc <= 0)
				return rc;
		}
		errno = 0;
		e = readdir(w->stack[w->depth].dir);
		if (e == NULL) {
			int saved = errno;
			if (saved)
				g_set_error(err, QS_ERROR, saved, "%s: reading directory: %s",
					    *w->stack[w->depth].rel ? w->stack[w->depth].rel : ".",
					    g_strerror(saved));
			pop(w);
			if (saved)
				return -1;
			continue;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		rc = entry(w, e->d_name, e->d_type, item, err);
		if (rc != 0)
			return rc;
	}
}

void pf_walk_free(struct qs_walk *w)
{
	if (w == NULL)
		return;
	while (w->depth >= 0)
		pop(w);
	close(w->rootfd);
	pf_loglists_free(w->lists);
	g_free(w->subqueue);
	g_free(w);
}
