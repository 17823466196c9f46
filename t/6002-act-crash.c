/* 6002-act-crash.c - kill qscan half-way through quarantining, restoring
 * and deleting 200 messages, at many points (QSCAN_TEST_CRASH_AFTER=N:
 * _exit after N file operations) and with real SIGKILLs at random
 * moments; after reconciling, every message must be in exactly one
 * place, complete and byte-identical, never duplicated, never half.
 * Batches of 16 messages (QSCAN_TEST_BATCH), so that a batch's files
 * move while the next one is journalled, as in a large run. */
#include "config.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "act-int.h"
#include "db.h"
#include "parser.h"
#include "quarantine.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"

#define NMSG 200

enum op { OP_QUARANTINE, OP_RESTORE, OP_DELETE };

struct world {
	char *dir, *root, *qdir, *dbpath;
	bool qmail;
	struct qs_msg *m[NMSG];
};

static char *content(int i, const char *rel)
{
	return g_strdup_printf("message %d file %s\n%s", i, rel, i % 7 ? "" : "with a longer body\n");
}

static void add(struct qs_msg *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void add(struct qs_msg *m, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	qs_msg_add_file(m, p);
	g_free(p);
}

static void build(struct world *w, const char *base, int n, bool qmail)
{
	int i;
	guint k;

	memset(w, 0, sizeof *w);
	w->qmail = qmail;
	w->dir = g_strdup_printf("%s/w%d", base, n);
	w->root = g_build_filename(w->dir, "queue", NULL);
	w->qdir = g_build_filename(w->dir, "quarantine", NULL);
	w->dbpath = g_build_filename(w->dir, "qscan.db", NULL);
	g_mkdir_with_parents(w->root, 0755);
	if (qmail)
		tu_write(w->root, "lock/sendmutex", "", 0, 0600);
	for (i = 0; i < NMSG; i++) {
		struct qs_msg *m = qs_msg_new();
		char *id = qmail ? g_strdup_printf("%d", 1000000 + i) :
			g_strdup_printf("%05X%X", (i * 7919) & 0xFFFFF, 0x1080 + i);
		m->format = qmail ? "qmail" : "postfix";
		m->id = id;
		m->queue = g_strdup(qmail ? "remote" : "deferred");
		if (qmail) {
			add(m, "mess/%d/%s", (1000000 + i) % 23, id);
			add(m, "info/%d/%s", (1000000 + i) % 23, id);
			add(m, "remote/%d/%s", (1000000 + i) % 23, id);
		} else {
			add(m, "deferred/%c/%s", id[0], id);
			add(m, "defer/%c/%s", id[0], id);
			add(m, "bounce/%s", id);
		}
		for (k = 0; k < m->files->len; k++) {
			const char *rel = g_ptr_array_index(m->files, k);
			char *c = content(i, rel);
			tu_write(w->root, rel, c, strlen(c), k == 0 ? 0700 : 0600);
			g_free(c);
		}
		m->path = g_strdup(g_ptr_array_index(m->files, 0));
		w->m[i] = m;
	}
}

static void destroy(struct world *w)
{
	int i;

	for (i = 0; i < NMSG; i++)
		qs_msg_free(&w->m[i]);
	tu_sh("rm -rf '%s'", w->dir);
	g_free(w->dir); g_free(w->root); g_free(w->qdir); g_free(w->dbpath);
}

static void ignore_done(void *cookie, const char *action, const char *uuid, const char *error)
{
}

/* the child: one full operation, maybe killed on the way */
static void child(struct world *w, enum op op)
{
	GError *err = NULL;
	struct qs_db *db = qs_db_open(w->dbpath, true, &err);
	int i;

	if (db == NULL)
		_exit(3);
	if (op == OP_RESTORE) {
		GPtrArray *ids = g_ptr_array_new();
		GString *out = g_string_new(NULL);
		for (i = 0; i < NMSG; i++) {
			char *u = su_uuid_of(w->dbpath, w->m[i]->id, "quarantined");
			if (u)
				g_ptr_array_add(ids, u);
		}
		g_ptr_array_add(ids, NULL);
		qs_quarantine_restore(db, w->qdir, (const char *const *)ids->pdata, out, false, &err);
	} else {
		struct qs_config *c = su_config(w->qdir);
		int fd = open(w->root, O_RDONLY | O_DIRECTORY);
		struct qs_actor *a = qs_actor_new(w->qmail ? &qs_parser_qmail : &qs_parser_postfix, fd,
						  w->root, c, op == OP_DELETE ? QS_ACTION_DELETE :
						  QS_ACTION_QUARANTINE, db, &err);
		if (a == NULL)
			_exit(4);
		for (i = 0; i < NMSG; i++)
			qs_actor_submit(a, w->m[i], ignore_done, NULL);
		qs_actor_free(&a);
	}
	qs_db_close(&db);
	_exit(0);
}

/* run op in a child; crash_after >= 0: the hook; kill_us >= 0: SIGKILL then */
static int last_status;

static double run(struct world *w, enum op op, long crash_after, long kill_us)
{
	gint64 t0 = g_get_monotonic_time();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (crash_after >= 0) {
			char n[32];
			g_snprintf(n, sizeof n, "%ld", crash_after);
			setenv("QSCAN_TEST_CRASH_AFTER", n, 1);
		}
		child(w, op);
	}
	if (kill_us >= 0) {
		usleep((useconds_t)kill_us);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	last_status = status;
	return (double)(g_get_monotonic_time() - t0);
}

/* the quarantine entries in the store: distinct uuids of the flat
 * files <qdir>/<uu>/<uuid>.<name> (and old-layout <uuid>/ directories);
 * *files counts the files */
static int count_entries(const char *qdir, int *files)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	DIR *dp = opendir(qdir);
	struct dirent *de;
	int n;

	*files = 0;
	while (dp && (de = readdir(dp)) != NULL) {
		char *b = g_build_filename(qdir, de->d_name, NULL);
		DIR *bp = de->d_name[0] != '.' && strlen(de->d_name) == 2 ? opendir(b) : NULL;
		struct dirent *fe;

		if (de->d_name[0] != '.' && strlen(de->d_name) != 2)
			g_hash_table_add(seen, g_strdup(de->d_name));
		while (bp && (fe = readdir(bp)) != NULL) {
			const char *dot = strchr(fe->d_name, '.');
			if (fe->d_name[0] == '.' || dot == NULL)
				continue;
			g_hash_table_add(seen, g_strndup(fe->d_name, (gsize)(dot - fe->d_name)));
			(*files)++;
		}
		if (bp)
			closedir(bp);
		g_free(b);
	}
	if (dp)
		closedir(dp);
	n = (int)g_hash_table_size(seen);
	g_hash_table_destroy(seen);
	return n;
}

static bool in_queue(struct world *w, int i, bool *any)
{
	guint k;
	bool all = true;

	*any = false;
	for (k = 0; k < w->m[i]->files->len; k++) {
		const char *rel = g_ptr_array_index(w->m[i]->files, k);
		char *c = content(i, rel);
		bool has = su_has(w->root, rel, c);
		*any |= su_exists(w->root, rel);
		all &= has;
		g_free(c);
	}
	return all;
}

static bool in_store(struct world *w, int i, const char *uuid)
{
	guint k;
	bool all = true;

	for (k = 0; k < w->m[i]->files->len; k++) {
		const char *rel = g_ptr_array_index(w->m[i]->files, k);
		char *p = qs_store_name(uuid, rel), *c = content(i, rel);
		all &= su_has(w->qdir, p, c);
		g_free(p);
		g_free(c);
	}
	return all;
}

/* reconcile as the next qscan would, then check every message */
static void crashed(long point)
{
	bool died = WIFEXITED(last_status) && WEXITSTATUS(last_status) == 99;

	if (point < 3 * NMSG)
		ok(died, "the child really crashed after %ld operations", point);
	else
		ok(WIFEXITED(last_status) && WEXITSTATUS(last_status) == 0,
		   "the child finished: %ld operations are all there are", point);
}

static void check(struct world *w, const char *what, bool deleting)
{
	GError *err = NULL;
	struct qs_db *db = qs_db_open(w->dbpath, true, &err);
	GString *log = g_string_new(NULL);
	int i, bad = 0, inq = 0, inst = 0, gone = 0, nfiles = 0, want_files = 0, entries;
	char *bad1 = NULL;

	if (db == NULL || qs_quarantine_reconcile(db, w->qdir, log, &err) < 0)
		bail("%s: reconcile: %s", what, err->message);
	qs_db_close(&db);
	for (i = 0; i < NMSG; i++) {
		bool any, all = in_queue(w, i, &any);
		char *u = su_uuid_of(w->dbpath, w->m[i]->id, "quarantined");
		bool stored = u && in_store(w, i, u);
		bool okay = (all && !u) || (stored && !any) || (deleting && !any && !u);

		inq += all && !u;
		inst += stored && !any;
		want_files += stored && !any ? (int)w->m[i]->files->len : 0;
		gone += deleting && !any && !u;
		if (!okay && bad++ == 0)
			bad1 = g_strdup_printf("message %d (%s): queue %s%s, row %s, store %s", i,
					       w->m[i]->id, all ? "complete" : "incomplete",
					       any ? "" : " (empty)", u ? u : "none",
					       stored ? "complete" : "incomplete");
		g_free(u);
	}
	entries = count_entries(w->qdir, &nfiles);
	ok(bad == 0 && su_q(w->dbpath, "SELECT count(*) FROM quarantine WHERE state IN "
			    "('moving','restoring','failed')") == 0 &&
	   su_q(w->dbpath, "SELECT count(*) FROM deletions WHERE state = 'deleting'") == 0 &&
	   entries == inst && nfiles == want_files && !su_tmp_leftovers(w->dir),
	   "%s: %d in the queue, %d quarantined, %d deleted, none split or doubled%s%s", what,
	   inq, inst, gone, bad1 ? "; first bad: " : "", bad1 ? bad1 : "");
	if (entries != inst || nfiles != want_files)
		diag("%d store entries (%d files) for %d quarantined messages (%d files)", entries,
		     nfiles, inst, want_files);
	g_free(bad1);
	g_string_free(log, TRUE);
}

int main(void)
{
	char *base = tu_tmpdir();
	static const long qpoints[] = { 0, 1, 2, 3, 4, 5, 8, 13, 99, 100, 101, 301, 449, 450,
					451, 500, 597, 598, 599, 600 };
	static const long rpoints[] = { 0, 1, 2, 5, 100, 333, 599 };
	static const long dpoints[] = { 0, 1, 2, 4, 250, 598 };
	static const long qmpoints[] = { 0, 1, 2, 3, 4, 5, 6, 301, 599 };
	/* qmail files move by link + unlink: odd points land between the two */
	static const long qmrpoints[] = { 1, 2, 3, 4, 5, 6, 7, 402 };
	struct world w;
	double full;
	guint i;
	int n = 0;
	char what[96];
	bool mounted;
	int killed = 0;

	/* a private tmpfs keeps the ~60 runs fast (ext4 journal waits on
	 * every mkdir while others fsync); the disk is used when it fails */
	mounted = tu_sh("mount -t tmpfs -o size=256m qscancrash '%s' 2>/dev/null", base) == 0;
	diag("working on %s", mounted ? "a private tmpfs" : "the disk");
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	/* batches of 16: the files of one batch move while the next is
	 * journalled, so kills land between batches in flight too */
	setenv("QSCAN_TEST_BATCH", "16", 1);
	/* a full run, to scale the random kills */
	build(&w, base, n++, false);
	full = run(&w, OP_QUARANTINE, -1, -1);
	check(&w, "uninterrupted quarantine", false);
	is_int(su_q(w.dbpath, "SELECT count(*) FROM quarantine WHERE state = 'quarantined'"), NMSG,
	       "uninterrupted: all 200 quarantined");
	run(&w, OP_RESTORE, -1, -1);
	check(&w, "uninterrupted restore", false);
	is_int(su_q(w.dbpath, "SELECT count(*) FROM quarantine WHERE state = 'restored'"), NMSG,
	       "uninterrupted: all 200 restored");
	destroy(&w);

	for (i = 0; i < G_N_ELEMENTS(qpoints); i++) {
		build(&w, base, n++, false);
		run(&w, OP_QUARANTINE, qpoints[i], -1);
		crashed(qpoints[i]);
		g_snprintf(what, sizeof what, "postfix quarantine crashed after %ld operations", qpoints[i]);
		check(&w, what, false);
		destroy(&w);
	}
	for (i = 0; i < G_N_ELEMENTS(qmpoints); i++) {
		build(&w, base, n++, true);
		run(&w, OP_QUARANTINE, qmpoints[i], -1);
		crashed(qmpoints[i]);
		g_snprintf(what, sizeof what, "qmail quarantine crashed after %ld operations", qmpoints[i]);
		check(&w, what, false);
		destroy(&w);
	}
	for (i = 0; i < G_N_ELEMENTS(rpoints); i++) {
		build(&w, base, n++, false);
		run(&w, OP_QUARANTINE, -1, -1);
		run(&w, OP_RESTORE, rpoints[i], -1);
		crashed(rpoints[i]);
		g_snprintf(what, sizeof what, "restore crashed after %ld operations", rpoints[i]);
		check(&w, what, false);
		destroy(&w);
	}
	for (i = 0; i < G_N_ELEMENTS(qmrpoints); i++) {
		build(&w, base, n++, true);
		run(&w, OP_QUARANTINE, -1, -1);
		run(&w, OP_RESTORE, qmrpoints[i], -1);
		crashed(qmrpoints[i]);
		g_snprintf(what, sizeof what, "qmail restore crashed after %ld operations", qmrpoints[i]);
		check(&w, what, false);
		destroy(&w);
	}
	for (i = 0; i < G_N_ELEMENTS(dpoints); i++) {
		build(&w, base, n++, false);
		run(&w, OP_DELETE, dpoints[i], -1);
		crashed(dpoints[i]);
		g_snprintf(what, sizeof what, "delete crashed after %ld operations", dpoints[i]);
		check(&w, what, true);
		destroy(&w);
	}
	for (i = 0; i < 10; i++) {
		long us = (long)(random() % (long)(full > 1 ? full : 1));
		bool q = i % 2 == 0;
		build(&w, base, n++, i % 4 == 3);
		if (!q)
			run(&w, OP_QUARANTINE, -1, -1);
		run(&w, q ? OP_QUARANTINE : OP_RESTORE, -1, us);
		if (WIFSIGNALED(last_status))
			killed++;
		g_snprintf(what, sizeof what, "%s killed (SIGKILL) after %ld us", q ? "quarantine" : "restore", us);
		check(&w, what, false);
		destroy(&w);
	}
	diag("%d of 10 random SIGKILLs hit a running child", killed);
	if (mounted)
		tu_sh("umount '%s'", base);
	tu_cleanup();
	g_free(base);
	return done_testing();
}
