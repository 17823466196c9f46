/* 6007-act-order.c - the order files move in, seen by killing qscan
 * after each single file operation (QSCAN_TEST_CRASH_AFTER) and looking
 * at the queue before anything is reconciled: Postfix logfiles before
 * the queue file (postsuper's delete_one), qmail local/remote/bounce,
 * then info, then mess last (postfix-qmail.md 2.7), and restores in the
 * reverse order for qmail (mess first), queue file last for Postfix.
 * qmail files move by link + unlink (two operations each): after the
 * link the file is in both places, so the queue shows it until the
 * unlink of a quarantine, and from the link on in a restore. */
#include "config.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "act.h"
#include "db.h"
#include "parser.h"
#include "quarantine.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"

static void ignore(void *c, const char *a, const char *u, const char *e)
{
}

/* run in a child that dies after n file operations */
static void act_crash(const struct qs_parser *p, const char *root, const char *qdir,
		      const char *dbpath, enum qs_action action, struct qs_msg *m, const char *uuid,
		      long n)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		char v[16];
		struct qs_db *db = qs_db_open(dbpath, true, NULL);
		g_snprintf(v, sizeof v, "%ld", n);
		setenv("QSCAN_TEST_CRASH_AFTER", v, 1);
		if (uuid) {
			const char *ids[] = { uuid, NULL };
			GString *out = g_string_new(NULL);
			qs_quarantine_restore(db, qdir, ids, out, false, NULL);
		} else {
			struct qs_config *c = su_config(qdir);
			int fd = open(root, O_RDONLY | O_DIRECTORY);
			struct qs_actor *a = qs_actor_new(p, fd, root, c, action, db, NULL);
			if (a)
				qs_actor_submit(a, m, ignore, NULL);
			qs_actor_free(&a);
		}
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

/* which of the files are in the queue, as a string of 0/1 */
static char *present(const char *root, const char *const *files)
{
	GString *s = g_string_new(NULL);
	int i;

	for (i = 0; files[i]; i++)
		g_string_append_c(s, su_exists(root, files[i]) ? '1' : '0');
	return g_string_free(s, FALSE);
}

static void sequence(const char *name, const struct qs_parser *p, bool qmail,
		     const char *const *files, const char *const *want_out, const char *const *want_back)
{
	char *dir = tu_tmpdir();
	char *root = g_build_filename(dir, "queue", NULL), *qdir = g_build_filename(dir, "q", NULL);
	char *dbpath = g_build_filename(dir, "qscan.db", NULL);
	struct qs_msg *m = qmail ? su_qmail_msg(root, 10994539, "mess") :
		su_postfix_msg(root, "5F5D41080C1", "queue file");
	char *uuid = NULL, *got;
	int n;

	/* forward: after n operations (before any reconciliation) */
	for (n = 0; want_out[n]; n++) {
		tu_sh("rm -rf '%s' '%s' '%s'*", qdir, root, dbpath);
		qs_msg_free(&m);
		m = qmail ? su_qmail_msg(root, 10994539, "mess") : su_postfix_msg(root, "5F5D41080C1", "queue file");
		act_crash(p, root, qdir, dbpath, QS_ACTION_QUARANTINE, m, NULL, n);
		got = present(root, files);
		is_str(got, want_out[n], "%s: in the queue after %d quarantine operation(s)", name, n);
		g_free(got);
	}
	/* backward: quarantined whole, then restored with a crash after n */
	for (n = 0; want_back[n]; n++) {
		struct qs_db *db;
		struct su_result r = { 0 };
		tu_sh("rm -rf '%s' '%s' '%s'*", qdir, root, dbpath);
		qs_msg_free(&m);
		m = qmail ? su_qmail_msg(root, 10994539, "mess") : su_postfix_msg(root, "5F5D41080C1", "queue file");
		db = qs_db_open(dbpath, true, NULL);
		su_act(p, root, qdir, db, QS_ACTION_QUARANTINE, &m, 1, &r);
		qs_db_close(&db);
		uuid = su_uuid_of(dbpath, m->id, "quarantined");
		act_crash(p, root, qdir, dbpath, QS_ACTION_QUARANTINE, m, uuid ? uuid : "x", n);
		got = present(root, files);
		is_str(got, want_back[n], "%s: in the queue after %d restore operation(s)", name, n);
		g_free(got);
		g_free(uuid);
	}
	qs_msg_free(&m);
	g_free(root); g_free(qdir); g_free(dbpath); g_free(dir);
}

/* killed after journalling; meanwhile the MTA ended the message and a
 * new one took its name: the new one must not be quarantined */
static void reused(void)
{
	char *dir = tu_tmpdir();
	char *root = g_build_filename(dir, "queue", NULL), *qdir = g_build_filename(dir, "q", NULL);
	char *dbpath = g_build_filename(dir, "qscan.db", NULL);
	struct qs_msg *m = su_postfix_msg(root, "5F5D41080C1", "old message");
	struct qs_db *db;
	GString *log = g_string_new(NULL);
	int rc;

	act_crash(&qs_parser_postfix, root, qdir, dbpath, QS_ACTION_QUARANTINE, m, NULL, 0);
	tu_sh("cd '%s' && rm deferred/5/5F5D41080C1 && echo 'new message' > deferred/5/5F5D41080C1 && "
	      "chmod 700 deferred/5/5F5D41080C1", root);
	db = qs_db_open(dbpath, true, NULL);
	rc = qs_quarantine_reconcile(db, qdir, log, NULL);
	ok(rc == 0 && su_has(root, "deferred/5/5F5D41080C1", "new message\n"),
	   "a new message under a journalled name stays in the queue: %s", log->str);
	ok(su_exists(root, "defer/5/5F5D41080C1") &&
	   su_q(dbpath, "SELECT count(*) FROM quarantine WHERE state = 'quarantined'") == 0,
	   "the journalled row does not claim it, nothing is left split");
	qs_db_close(&db);
	g_string_free(log, TRUE);
	qs_msg_free(&m);
	g_free(root); g_free(qdir); g_free(dbpath); g_free(dir);
}

int main(void)
{
	/* m->files order is deliberately not the move order */
	static const char *const pf[] = { "deferred/5/5F5D41080C1", "defer/5/5F5D41080C1",
					  "bounce/5F5D41080C1", "trace/5F5D41080C1", NULL };
	static const char *const pf_out[] = { "1111", "1011", "1001", "1000", NULL };
	static const char *const pf_back[] = { "0000", "0100", "0110", "0111", NULL };
	static const char *const qm[] = { "mess/10/10994539", "info/10/10994539", "local/10/10994539",
					  "remote/10/10994539", "bounce/10994539", NULL };
	static const char *const qm_out[] = { "11111", "11111", "11011", "11011", "11001",
					      "11001", "11000", "11000", "10000", NULL };
	static const char *const qm_back[] = { "00000", "10000", "10000", "11000", "11000",
					       "11001", "11001", "11011", NULL };

	sequence("postfix", &qs_parser_postfix, false, pf, pf_out, pf_back);
	reused();
	sequence("qmail", &qs_parser_qmail, true, qm, qm_out, qm_back);
	tu_cleanup();
	return done_testing();
}
