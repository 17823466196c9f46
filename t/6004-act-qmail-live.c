/* 6004-act-qmail-live.c - qmail while qmail-send runs (another process
 * holds lock/sendmutex): delete marks every pending recipient done with
 * a 1-byte write and removes bounce/N; quarantine first copies the
 * message into the store (mess by hard link), then does the same; a
 * not yet preprocessed message (todo/) is left alone. */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "act-int.h"
#include "db.h"
#include "parser.h"
#include "quarantine.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"

static const char LOCAL[] = "Dtrap@localhost\0Ttempfail@localhost\0";
static const char REMOTE[] = "Tvictim@example.com\0Tv2@example.net\0";
static const char LOCAL_DONE[] = "Dtrap@localhost\0Dtempfail@localhost\0";
static const char REMOTE_DONE[] = "Dvictim@example.com\0Dv2@example.net\0";

static bool has_bytes(const char *root, const char *rel, const char *data, size_t len)
{
	char *p = g_build_filename(root, rel, NULL), *text = NULL;
	gsize l = 0;
	bool yes = g_file_get_contents(p, &text, &l, NULL) && l == len && memcmp(text, data, len) == 0;

	g_free(text);
	g_free(p);
	return yes;
}

static struct qs_msg *qmail_msg(const char *root, unsigned long n, bool todo)
{
	struct qs_msg *m = qs_msg_new();
	char *f[6];
	int i, k = 0;

	m->format = "qmail";
	m->id = g_strdup_printf("%lu", n);
	m->queue = g_strdup("remote");
	f[k++] = g_strdup_printf("mess/%lu/%lu", n % 23, n);
	f[k++] = g_strdup_printf("info/%lu/%lu", n % 23, n);
	f[k++] = g_strdup_printf("local/%lu/%lu", n % 23, n);
	f[k++] = g_strdup_printf("remote/%lu/%lu", n % 23, n);
	f[k++] = g_strdup_printf("bounce/%lu", n);
	if (todo)
		f[k++] = g_strdup_printf("todo/%lu", n);
	tu_write(root, f[0], "Received: (qmail 1 invoked from network)\n\nspam\n", 47, 0644);
	tu_write(root, f[1], "Fspam@example.net", 18, 0600);
	tu_write(root, f[2], LOCAL, sizeof LOCAL - 1, 0600);
	tu_write(root, f[3], REMOTE, sizeof REMOTE - 1, 0600);
	tu_write(root, f[4], "<x@localhost>:\nSorry.\n\n", 23, 0600);
	if (todo)
		tu_write(root, f[5], "u0\0p1\0Fspam@example.net\0Tv@example.com\0", 39, 0644);
	m->path = g_strdup(f[0]);
	for (i = 0; i < k; i++) {
		qs_msg_add_file(m, f[i]);
		g_free(f[i]);
	}
	return m;
}

/* a stand-in for qmail-send: a child that holds lock/sendmutex until
 * a byte arrives on go[0] (or go[1] is closed) */
static pid_t hold_sendmutex(const char *mutex, int go[2])
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready) < 0 || pipe(go) < 0)
		bail("pipe");
	pid = fork();
	if (pid == 0) {
		int fd = open(mutex, O_RDONLY);
		(void)!write(ready[1], flock(fd, LOCK_EX | LOCK_NB) == 0 ? "y" : "n", 1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1 || c != 'y')
		bail("cannot hold the sendmutex");
	close(ready[0]);
	close(ready[1]);
	return pid;
}

int main(void)
{
	char *dir = tu_tmpdir();
	char *root = g_build_filename(dir, "queue", NULL);
	char *qdir = g_build_filename(dir, "quarantine", NULL);
	char *dbpath = g_build_filename(dir, "qscan.db", NULL);
	char *mutex = g_build_filename(root, "lock/sendmutex", NULL);
	GError *err = NULL;
	struct qs_db *db;
	struct qs_msg *m[3];
	struct su_result r[3] = { { 0 } };
	int go[2];
	pid_t pid;
	char *uuid, *sp, *qp;
	struct stat a, b;

	g_mkdir_with_parents(root, 0755);
	tu_write(root, "lock/sendmutex", "", 0, 0600);
	db = qs_db_open(dbpath, true, &err);
	if (db == NULL)
		bail("setup");
	/* "qmail-send": holds the mutex until told to stop */
	pid = hold_sendmutex(mutex, go);

	m[0] = qmail_msg(root, 10994539, false);
	m[1] = qmail_msg(root, 10994540, false);
	m[2] = qmail_msg(root, 10994541, true);
	su_act(&qs_parser_qmail, root, qdir, db, QS_ACTION_QUARANTINE, &m[0], 1, &r[0]);
	is_str(r[0].action, "quarantined", "live qmail: quarantined (%s)", r[0].error ? r[0].error : "");
	ok(has_bytes(root, "local/10/10994539", LOCAL_DONE, sizeof LOCAL_DONE - 1) &&
	   has_bytes(root, "remote/10/10994539", REMOTE_DONE, sizeof REMOTE_DONE - 1),
	   "live qmail: every pending recipient marked done in the queue");
	ok(!su_exists(root, "bounce/10994539"), "live qmail: bounce/N removed so no NDR goes out");
	ok(su_exists(root, "mess/10/10994539") && su_exists(root, "info/10/10994539"),
	   "live qmail: mess and info left for qmail-send to clean up");
	uuid = su_uuid_of(dbpath, "10994539", "quarantined");
	sp = su_stored(qdir, uuid ? uuid : "x", "mess/10/10994539");
	qp = g_strdup_printf("%s/mess/10/10994539", root);
	ok(uuid && stat(sp, &a) == 0 && stat(qp, &b) == 0 && a.st_ino == b.st_ino,
	   "live qmail: mess is kept by hard link (its inode = message number stays allocated)");
	{
		char *l = qs_store_name(uuid ? uuid : "x", "local/10/10994539");
		char *rr = qs_store_name(uuid ? uuid : "x", "remote/10/10994539");
		char *bb = qs_store_name(uuid ? uuid : "x", "bounce/10994539");
		ok(has_bytes(qdir, l, LOCAL, sizeof LOCAL - 1) && has_bytes(qdir, rr, REMOTE, sizeof REMOTE - 1) &&
		   su_exists(qdir, bb), "live qmail: the store has the pending state, copied before marking");
		g_free(l); g_free(rr); g_free(bb);
	}

	su_act(&qs_parser_qmail, root, qdir, db, QS_ACTION_DELETE, &m[1], 2, &r[1]);
	is_str(r[1].action, "deleted", "live qmail: deleted (%s)", r[1].error ? r[1].error : "");
	ok(has_bytes(root, "remote/11/10994540", REMOTE_DONE, sizeof REMOTE_DONE - 1) &&
	   !su_exists(root, "bounce/10994540"), "live qmail delete: recipients done, bounce removed");
	is_str(r[2].action, "failed", "live qmail: a message still in todo/ is not touched");
	ok(r[2].error && strstr(r[2].error, "preprocessed"), "with the reason");
	ok(has_bytes(root, "remote/12/10994541", REMOTE, sizeof REMOTE - 1), "and keeps its recipients");

	/* qmail-send ends the message and stops; then it can be restored */
	(void)!write(go[1], "x", 1);
	waitpid(pid, NULL, 0);
	tu_sh("cd '%s' && rm -f mess/10/10994539 info/10/10994539 local/10/10994539 remote/10/10994539", root);
	{
		const char *ids[] = { uuid ? uuid : "x", NULL };
		GString *out = g_string_new(NULL);
		int rc = qs_quarantine_restore(db, qdir, ids, out, false, &err);
		ok(rc == 0 &&
		   has_bytes(root, "remote/10/10994539", REMOTE, sizeof REMOTE - 1) &&
		   su_exists(root, "bounce/10994539") && stat(qp, &b) == 0 && a.st_ino == b.st_ino,
		   "restored with pending recipients and the original mess inode (%s)",
		   err ? err->message : out->str);
		g_string_free(out, TRUE);
	}
	g_clear_error(&err);

	/* a native move killed half-way is not finished under a running
	 * qmail-send (it would pull files from under it), only later */
	{
		struct qs_msg *x = qmail_msg(root, 10994542, false);
		struct su_result rx = { 0 };
		GString *log = g_string_new(NULL);
		int st;

		pid = fork();
		if (pid == 0) {
			setenv("QSCAN_TEST_CRASH_AFTER", "2", 1);
			su_act(&qs_parser_qmail, root, qdir, db, QS_ACTION_QUARANTINE, &x, 1, &rx);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 99, "a quarantine killed after 2 file operations");
		pid = hold_sendmutex(mutex, go);
		int rc = qs_quarantine_reconcile(db, qdir, log, &err);
		ok(rc == 0 && strstr(log->str, "qmail-send is running") &&
		   su_q(dbpath, "SELECT count(*) FROM quarantine WHERE state = 'moving'") == 1,
		   "reconcile waits while qmail-send runs: %s", log->str);
		(void)!write(go[1], "x", 1);
		waitpid(pid, NULL, 0);
		g_string_truncate(log, 0);
		rc = qs_quarantine_reconcile(db, qdir, log, &err);
		ok(rc == 0 &&
		   su_q(dbpath, "SELECT count(*) FROM quarantine WHERE state = 'moving'") == 0 &&
		   !su_exists(root, "mess/15/10994542") && !su_exists(root, "info/15/10994542"),
		   "and finishes once it is stopped: %s", log->str);
		g_string_free(log, TRUE);
		qs_msg_free(&x);
	}
	g_free(sp); g_free(qp); g_free(uuid);
	qs_msg_free(&m[0]); qs_msg_free(&m[1]); qs_msg_free(&m[2]);
	qs_db_close(&db);
	tu_cleanup();
	g_free(root); g_free(qdir); g_free(dbpath); g_free(mutex); g_free(dir);
	return done_testing();
}
