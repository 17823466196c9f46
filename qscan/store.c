/*
 * store.c - the per-queue lock and the quarantine directory.
 *
 * The lock is flock(LOCK_EX|LOCK_NB) on the queue root directory itself
 * (our own open file description of it): it needs no writable place,
 * covers every qscan whatever its --quarantine-dir or --db, and goes
 * away with the process. Neither Postfix, qmail, MDaemon nor IceWarp
 * locks its queue root. The holder's pid is found in /proc/locks.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "act-int.h"
#include "util.h"

/* pid of a FLOCK holder of (dev, ino) from /proc/locks, or 0 */
static long lock_holder(const struct stat *st)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256];
	long pid = 0;

	if (f == NULL)
		return 0;
	while (pid == 0 && fgets(line, sizeof line, f)) {
		unsigned maj, min;
		unsigned long long ino;
		long p;
		char kind[16];
		/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" */
		if (sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%llu", kind, &p, &maj, &min, &ino) == 5 &&
		    strcmp(kind, "FLOCK") == 0 && ino == (unsigned long long)st->st_ino &&
		    makedev(maj, min) == st->st_dev)
			pid = p;
	}
	fclose(f);
	return pid;
}

char *qs_store_realroot(int rootfd, const char *root)
{
	char *proc = g_strdup_printf("/proc/self/fd/%d", rootfd);
	char buf[4096];
	ssize_t n = readlink(proc, buf, sizeof buf - 1);
	char *r;

	g_free(proc);
	if (n > 0 && buf[0] == '/') {
		buf[n] = '\0';
		return g_strdup(buf);
	}
	r = realpath(root, NULL);
	if (r) {
		char *g = g_strdup(r);
		free(r);
		return g;
	}
	return g_strdup(root);
}

int qs_store_lock(struct qs_store *s, int rootfd, const char *root, GError **err)
{
	struct stat st;
	long pid;

	s->qfd = -1;
	s->rootfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0 || fstat(s->rootfd, &st) < 0) {
		int e = errno;
		g_set_error(err, QS_ERROR, e, "%s: cannot open the queue directory: %s", root,
			    g_strerror(e));
		return -1;
	}
	s->root = qs_store_realroot(s->rootfd, root);
	if (flock(s->rootfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK) {
		int e = errno;
		g_set_error(err, QS_ERROR, e, "%s: cannot lock the queue directory: %s", root,
			    g_strerror(e));
		return -1;
	}
	pid = lock_holder(&st);
	if (pid > 0)
		g_set_error(err, QS_ERROR, QS_ACT_LOCKED, "another qscan (pid %ld) is working on "
			    "the queue %s: wait for it to finish", pid, s->root);
	else
		g_set_error(err, QS_ERROR, QS_ACT_LOCKED, "another qscan is working on the queue "
			    "%s (it holds a lock on the directory): wait for it to finish", s->root);
	return -1;
}

int qs_store_open_qdir(struct qs_store *s, const char *qdir, GError **err)
{
	if (g_mkdir_with_parents(qdir, 0700) < 0 ||
	    (s->qfd = open(qdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int e = errno;
		g_set_error(err, QS_ERROR, e, "quarantine directory %s: %s; create it or give "
			    "another with --quarantine-dir", qdir, g_strerror(e));
		return -1;
	}
	s->qdir = g_strdup(qdir);
	return 0;
}

void qs_store_close(struct qs_store *s)
{
	if (s->rootfd >= 0)
		close(s->rootfd);	/* releases the flock */
	if (s->qfd >= 0)
		close(s->qfd);
	s->rootfd = s->qfd = -1;
	g_free(s->root);
	g_free(s->qdir);
	s->root = s->qdir = NULL;
}

/* lock one queue root and open the store; 0 ok, -1 with *err */
int qs_store_open_root(struct qs_store *s, struct qs_db *db, const char *root, const char *qdir,
		      GError **err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	memset(s, 0, sizeof *s);
	s->rootfd = s->qfd = -1;
	s->db = db;
	if (fd < 0) {
		int e = errno;
		g_set_error(err, QS_ERROR, e, "queue directory %s: %s", root, g_strerror(e));
		return -1;
	}
	rc = qs_store_lock(s, fd, root, err);
	close(fd);
	if (rc == 0)
		rc = qs_store_open_qdir(s, qdir, err);
	if (rc < 0)
		qs_store_close(s);
	return rc;
}

