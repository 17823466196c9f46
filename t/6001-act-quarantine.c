/* 6001-act-quarantine.c - quarantine, restore, refuse to overwrite,
 * expire, delete and hold on hand-built Postfix, qmail and MDaemon
 * queues; metadata kept; the copy path across file systems. */
#include "config.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "act.h"
#include "classify.h"
#include "db.h"
#include "parser.h"
#include "quarantine.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"

static char *dir, *root, *qroot, *qdir, *dbpath;
static struct qs_db *db;

/* every file of m in the store (qs_store_name) with the metadata it had in the
 * reference copy <ref>/ (made with cp -a before acting) */
static bool stored_like(const char *store, const char *uuid, const char *ref,
			const struct qs_msg *m)
{
	guint i;
	bool good = uuid != NULL;

	for (i = 0; good && i < m->files->len; i++) {
		const char *rel = g_ptr_array_index(m->files, i);
		char *a = su_stored(store, uuid, rel);
		char *b = g_build_filename(ref, rel, NULL);
		good = su_same_meta(a, b);
		g_free(a);
		g_free(b);
	}
	return good;
}

static bool none_in_queue(const char *r, const struct qs_msg *m)
{
	guint i;

	for (i = 0; i < m->files->len; i++)
		if (su_exists(r, g_ptr_array_index(m->files, i)))
			return false;
	return true;
}

static bool back_like(const char *r, const char *ref, const struct qs_msg *m)
{
	guint i;
	bool good = true;

	for (i = 0; good && i < m->files->len; i++) {
		const char *rel = g_ptr_array_index(m->files, i);
		char *a = g_build_filename(r, rel, NULL), *b = g_build_filename(ref, rel, NULL);
		good = su_same_meta(a, b);
		g_free(a);
		g_free(b);
	}
	return good;
}

static char *snapshot(const char *r, const char *name)
{
	char *ref = g_build_filename(dir, name, NULL);

	tu_sh("rm -rf '%s' && cp -a '%s' '%s'", ref, r, ref);
	return ref;
}

static int restore(const char *id, GString *out, GError **err)
{
	const char *ids[] = { id, NULL };

	return qs_quarantine_restore(db, qdir, ids, out, false, err);
}

static void test_postfix(void)
{
	struct qs_msg *m = su_postfix_msg(root, "5F5D41080C1", "C record bytes\001\002\377 E");
	struct su_result r = { 0 };
	char *ref = snapshot(root, "ref-postfix"), *uuid;
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	int rc;

	is_int(su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_QUARANTINE, &m, 1, &r), 0,
	       "postfix: actor runs");
	is_str(r.action, "quarantined", "postfix: quarantined (%s)", r.error ? r.error : "");
	ok(none_in_queue(root, m), "postfix: queue file and logfiles left the queue");
	uuid = su_uuid_of(dbpath, "5F5D41080C1", "quarantined");
	ok(stored_like(qdir, uuid, ref, m), "postfix: stored byte-identical with paths, modes, owners, times");
	is_int(su_q(dbpath, "SELECT count(*) FROM journal_files"), 4, "postfix: four files journalled");
	ok(qs_quarantine_list(db, qdir, out, false, &err) == 0 && uuid && strstr(out->str, uuid),
	   "list shows it");
	g_string_truncate(out, 0);
	ok(qs_quarantine_list(db, qdir, out, true, &err) == 0 &&
	   strstr(out->str, "\"type\":\"quarantine\"") && strstr(out->str, "\"queue_id\":\"5F5D41080C1\""),
	   "list --json shows it");
	g_string_truncate(out, 0);
	ok(uuid && qs_quarantine_show(db, qdir, uuid, out, false, &err) == 0 &&
	   strstr(out->str, "defer/5/5F5D41080C1"), "show lists its files");
	{
		char *sp = uuid ? su_stored(qdir, uuid, "deferred/5/5F5D41080C1") : NULL;
		ok(sp && strstr(out->str, sp), "show prints each file's store path (%s)", sp);
		g_free(sp);
	}
	g_string_truncate(out, 0);
	rc = restore(uuid ? uuid : "x", out, &err);
	ok(rc == 0, "postfix: restored (%s)", err ? err->message : out->str);
	ok(back_like(root, ref, m), "postfix: back byte-identical, same modes, owners, times");
	ok(strstr(out->str, "postqueue") != NULL, "postfix: the hint names postqueue");
	is_int(su_q(dbpath, "SELECT count(*) FROM quarantine WHERE state = 'restored'"), 1, "row restored");
	ok(uuid && su_store_count(qdir, uuid) == 0, "its store files are gone");
	g_clear_error(&err);
	g_string_free(out, TRUE);
	g_free(uuid);
	g_free(ref);
	qs_msg_free(&m);
}

static void test_qmail(void)
{
	struct qs_msg *m = su_qmail_msg(root, 10994539, "Received: (qmail 1 invoked from network)\n\nhi\n");
	struct su_result r = { 0 };
	char *ref, *uuid;
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	struct su_file mutex = { "lock/sendmutex", "", 0600, 990, 995, 1795356000 };
	char *blocker;

	su_file(root, &mutex);
	ref = snapshot(root, "ref-qmail");
	su_act(&qs_parser_qmail, root, qdir, db, QS_ACTION_QUARANTINE, &m, 1, &r);
	is_str(r.action, "quarantined", "qmail: quarantined (%s)", r.error ? r.error : "");
	ok(none_in_queue(root, m), "qmail: mess, info, local, remote, bounce left the queue");
	uuid = su_uuid_of(dbpath, "10994539", "quarantined");
	ok(stored_like(qdir, uuid, ref, m), "qmail: stored with metadata");
	/* a new file with the same name blocks the restore */
	blocker = g_build_filename(root, "mess/10/10994539", NULL);
	tu_write(root, "mess/10/10994539", "new message", 11, 0644);
	ok(restore(uuid ? uuid : "x", out, &err) < 0 && err && strstr(err->message, blocker) &&
	   strstr(err->message, "not overwritten"), "qmail: restore refuses to overwrite, naming the file");
	ok(su_has(root, "mess/10/10994539", "new message"), "the existing file is untouched");
	ok(!su_exists(root, "info/10/10994539"), "and nothing else was restored");
	is_int(su_q(dbpath, "SELECT count(*) FROM quarantine WHERE queue_id = '10994539' AND "
		    "state = 'quarantined'"), 1, "the row stays quarantined");
	g_clear_error(&err);
	unlink(blocker);
	g_string_truncate(out, 0);
	ok(restore(uuid ? uuid : "x", out, &err) == 0, "qmail: restored once the name is free");
	ok(back_like(root, ref, m), "qmail: back byte-identical with metadata");
	ok(strstr(out->str, "qmail-send") != NULL, "qmail: the hint names qmail-send");
	g_clear_error(&err);
	ok(restore(uuid ? uuid : "x", out, &err) < 0 && err && strstr(err->message, "not quarantined"),
	   "restoring twice is refused");
	g_clear_error(&err);
	g_string_free(out, TRUE);
	g_free(blocker);
	g_free(uuid);
	g_free(ref);
	qs_msg_free(&m);
}

static void test_mdaemon(void)
{
	struct qs_msg *m[3];
	struct su_result r[3] = { { 0 } };
	char *ref;

	m[0] = su_mdaemon_msg(qroot, "md50000000001", "X-MDaemon-Deliver-To: v@example.com\n\nspam\n");
	m[1] = su_mdaemon_msg(qroot, "md50000000002", "X-MDaemon-Deliver-To: w@example.com\n\nspam\n");
	m[1]->busy = true;
	m[2] = su_mdaemon_msg(qroot, "md50000000003", "X-MDaemon-Deliver-To: w@example.com\n\nspam\n");
	m[2]->mtime += 5;	/* changed since it was read */
	ref = snapshot(qroot, "ref-md");
	su_done_calls = 0;
	su_act(&qs_parser_mdaemon, qroot, qdir, db, QS_ACTION_QUARANTINE, m, 3, r);
	is_str(r[0].action, "quarantined", "mdaemon: .msg and .rte quarantined");
	ok(none_in_queue(qroot, m[0]), "mdaemon: both files left the queue");
	is_str(r[1].action, "failed", "mdaemon: a busy message is not touched");
	ok(r[1].error && strstr(r[1].error, "busy"), "with a note saying busy");
	ok(back_like(qroot, ref, m[1]), "mdaemon: busy message intact");
	is_str(r[2].action, "failed", "a message changed since it was read is not touched");
	ok(back_like(qroot, ref, m[2]), "and stays intact");
	ok(r[0].order == 0 && r[1].order == 1 && r[2].order == 2, "done called in submission order");
	is_int(su_act(&qs_parser_mdaemon, qroot, qdir, db, QS_ACTION_HOLD, m, 1, r), -1,
	       "--hold is refused for MDaemon (Postfix only)");
	is_int(su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_NONE, m, 1, r), -1,
	       "a dry run gets no actor");
	is_int(su_act(&qs_parser_postfix, root, qdir, NULL, QS_ACTION_DELETE, m, 1, r), -1,
	       "no actor without the database (the journal)");
	qs_msg_free(&m[0]);
	qs_msg_free(&m[1]);
	qs_msg_free(&m[2]);
	g_free(ref);
}

static void test_expire(void)
{
	struct qs_msg *m = su_postfix_msg(root, "EXP1", "old spam");
	struct su_result r = { 0 };
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	char *uuid;

	su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_QUARANTINE, &m, 1, &r);
	uuid = su_uuid_of(dbpath, "EXP1", "quarantined");
	ok(qs_quarantine_expire(db, qdir, 2, out, false, &err) == 0 && uuid && su_store_count(qdir, uuid) == 4,
	   "expire keeps a message younger than the limit");
	tu_sh("sqlite3 '%s' \"UPDATE quarantine SET created = created - 3 * 86400 WHERE queue_id = 'EXP1'\"",
	      dbpath);
	g_string_truncate(out, 0);
	ok(qs_quarantine_expire(db, qdir, 2, out, true, &err) == 0 && strstr(out->str, "\"type\":\"expire\""),
	   "expire removes an older one");
	ok(uuid && su_store_count(qdir, uuid) == 0, "its store files are gone");
	is_int(su_q(dbpath, "SELECT count(*) FROM quarantine WHERE queue_id = 'EXP1' AND state = 'expired'"),
	       1, "its row is marked expired");
	ok(su_q(dbpath, "SELECT count(*) FROM quarantine WHERE state = 'quarantined' AND queue_id = '10994539'") == 0,
	   "restored messages are not expired");
	g_free(uuid);
	g_string_free(out, TRUE);
	qs_msg_free(&m);
}

static void test_delete_hold(void)
{
	struct qs_msg *m[2];
	struct su_result r[2] = { { 0 } };

	m[0] = su_postfix_msg(root, "DEL1", "spam one");
	m[1] = su_postfix_msg(root, "DEL2", "spam two");
	su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_DELETE, m, 2, r);
	ok(g_strcmp0(r[0].action, "deleted") == 0 && g_strcmp0(r[1].action, "deleted") == 0,
	   "delete: both deleted");
	ok(none_in_queue(root, m[0]) && none_in_queue(root, m[1]), "delete: every file is gone");
	is_int(su_q(dbpath, "SELECT count(*) FROM deletions WHERE state = 'deleted'"), 2, "delete: journalled");
	qs_msg_free(&m[0]);
	qs_msg_free(&m[1]);

	/* hold on a queue that is not the local Postfix's: renamed natively */
	m[0] = su_postfix_msg(root, "HLD1", "spam to hold");
	su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_HOLD, m, 1, r);
	is_str(r[0].action, "held", "hold: held");
	ok(su_has(root, "hold/HLD1", "spam to hold") && !su_exists(root, "deferred/H/HLD1"),
	   "hold: the queue file moved to hold/");
	ok(su_exists(root, "defer/H/HLD1"), "hold: logfiles stay (as with postsuper -h)");
	qs_msg_free(&m[0]);
}

static void test_run_link(void)
{
	struct qs_msg *m = su_postfix_msg(root, "RUN1", "linked to its run");
	struct su_result r = { 0 };
	struct qs_judgement j;
	struct qs_run_totals t = { .scanned = 1 };
	GError *err = NULL;
	gint64 run;

	qs_judgement_init(&j);
	j.verdict = QS_VERDICT_RELAY;
	if (qs_db_run_begin(db, root, "postfix", "qscan", &run, &err) < 0)
		bail("run: %s", err->message);
	su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_QUARANTINE, &m, 1, &r);
	qs_db_record(db, run, m, &j, r.action, &err);
	qs_db_run_end(db, run, &t, &err);
	is_int(su_q(dbpath, "SELECT count(*) FROM messages m JOIN quarantine q ON q.uuid = m.quarantine "
		    "WHERE m.queue_id = 'RUN1' AND q.run_id = m.run_id"), 1,
	       "the messages row names its quarantine id, the quarantine row its run");
	qs_judgement_clear(&j);
	qs_msg_free(&m);
}

static void test_cross_fs(void)
{
	char *mnt = g_build_filename(dir, "otherfs", NULL);
	char *store2 = g_build_filename(mnt, "quarantine", NULL);
	struct qs_msg *m;
	struct su_result r = { 0 };
	char *ref, *uuid;
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	const char *ids[2] = { NULL, NULL };
	struct stat a, b;

	g_mkdir_with_parents(mnt, 0700);
	if (tu_sh("mount -t tmpfs -o size=8m qscantest '%s' 2>/dev/null", mnt) != 0) {
		skip("cannot mount a tmpfs for the cross-file-system test");
		goto out;
	}
	m = su_postfix_msg(root, "XFS1", "cross file system spam");
	ref = snapshot(root, "ref-xfs");
	su_act(&qs_parser_postfix, root, store2, db, QS_ACTION_QUARANTINE, &m, 1, &r);
	stat(mnt, &a);
	stat(root, &b);
	ok(a.st_dev != b.st_dev && g_strcmp0(r.action, "quarantined") == 0,
	   "cross-fs: quarantined onto another file system (%s)", r.error ? r.error : "");
	uuid = su_uuid_of(dbpath, "XFS1", "quarantined");
	ok(none_in_queue(root, m) && stored_like(store2, uuid, ref, m),
	   "cross-fs: copied with bytes, modes, owners, times; originals removed");
	ok(!su_tmp_leftovers(store2), "cross-fs: no temporary files left");
	ids[0] = uuid;
	ok(uuid && qs_quarantine_restore(db, store2, ids, out, false, &err) == 0 && back_like(root, ref, m),
	   "cross-fs: restored byte-identical with metadata");
	g_clear_error(&err);
	tu_sh("umount '%s'", mnt);
	g_free(uuid);
	g_free(ref);
	qs_msg_free(&m);
out:
	g_string_free(out, TRUE);
	g_free(store2);
	g_free(mnt);
}

int main(void)
{
	GError *err = NULL;

	dir = tu_tmpdir();
	root = g_build_filename(dir, "postfix", NULL);
	qroot = g_build_filename(dir, "Queues", NULL);
	qdir = g_build_filename(dir, "quarantine", NULL);
	dbpath = g_build_filename(dir, "qscan.db", NULL);
	g_mkdir_with_parents(root, 0755);
	g_mkdir_with_parents(qroot, 0755);
	db = qs_db_open(dbpath, true, &err);
	if (db == NULL)
		bail("db: %s", err->message);
	test_postfix();
	test_qmail();
	test_mdaemon();
	test_expire();
	test_delete_hold();
	test_run_link();
	test_cross_fs();
	qs_db_close(&db);
	tu_cleanup();
	return done_testing();
}
