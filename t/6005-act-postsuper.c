/* 6005-act-postsuper.c - acting through postsuper on a private, stopped
 * Postfix instance (MAIL_CONFIG names its config directory, whose
 * queue_directory is our queue): hold, batched delete (two postsuper
 * runs), quarantine via hold, restore; and the "live" rules (a running
 * master: active/ is never touched). */
#include "config.h"
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "act-int.h"
#include "db.h"
#include "parser.h"
#include "quarantine.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"

#define NDEL 1100

static char *root, *qdir, *dbpath;
static struct qs_db *db;

static void own(void)
{
	tu_sh("chown -R postfix '%s'/*", root);
}

static char *hexid(int i)
{
	return g_strdup_printf("%05X%X", 0xA0000 + i * 13, 0x10800 + i);
}

static void test_hold_delete(void)
{
	struct qs_msg *m[NDEL];
	struct su_result *r = g_new0(struct su_result, NDEL);
	int i, deleted = 0, gone = 0;

	for (i = 0; i < 2; i++) {
		char *id = hexid(i);
		m[i] = su_postfix_msg(root, id, "hold me");
		g_free(id);
	}
	own();
	su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_HOLD, m, 2, r);
	ok(g_strcmp0(r[0].action, "held") == 0 && g_strcmp0(r[1].action, "held") == 0,
	   "postsuper -h: both held (%s)", r[0].error ? r[0].error : "");
	ok(su_exists(root, "hold/A000010800") && !su_exists(root, "deferred/A/A000010800") &&
	   su_exists(root, "defer/A/A000010800"), "postsuper -h moved the queue file to hold/");
	for (i = 0; i < 2; i++)
		qs_msg_free(&m[i]);

	for (i = 0; i < NDEL; i++) {
		char *id = hexid(1000 + i);
		m[i] = su_postfix_msg(root, id, "delete me");
		g_free(id);
	}
	own();
	su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_DELETE, m, NDEL, r + 0);
	for (i = 0; i < NDEL; i++) {
		deleted += g_strcmp0(r[i].action, "deleted") == 0;
		gone += !su_exists(root, m[i]->path) &&
			!su_exists(root, g_ptr_array_index(m[i]->files, 1));
		qs_msg_free(&m[i]);
	}
	is_int(deleted, NDEL, "postsuper -d: %d messages in two batches reported deleted", NDEL);
	is_int(gone, NDEL, "postsuper -d: their queue files and logfiles are gone");
	g_free(r);
}

static void test_quarantine(void)
{
	struct qs_msg *m = su_postfix_msg(root, "B0001123", "quarantine me via hold");
	struct su_result r = { 0 };
	char *uuid, *p;
	const char *ids[2] = { NULL, NULL };
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	int rc;

	own();
	su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_QUARANTINE, &m, 1, &r);
	is_str(r.action, "quarantined", "postsuper -h then move: quarantined (%s)", r.error ? r.error : "");
	ok(!su_exists(root, "hold/B0001123") && !su_exists(root, "deferred/B/B0001123"),
	   "nothing left in hold/ or deferred/");
	uuid = su_uuid_of(dbpath, "B0001123", "quarantined");
	p = qs_store_name(uuid ? uuid : "x", "deferred/B/B0001123");
	ok(su_has(qdir, p, "quarantine me via hold"), "stored under its original path deferred/B/");
	ids[0] = uuid;
	rc = uuid ? qs_quarantine_restore(db, qdir, ids, out, false, &err) : -1;
	ok(rc == 0 &&
	   su_has(root, "deferred/B/B0001123", "quarantine me via hold"),
	   "restored into deferred/ (%s)", err ? err->message : out->str);
	g_clear_error(&err);
	g_string_free(out, TRUE);
	g_free(p);
	g_free(uuid);
	qs_msg_free(&m);
}

static void test_live(void)
{
	struct qs_msg *m = su_postfix_msg(root, "C0001124", "being delivered");
	struct su_result r = { 0 };
	char pid[32];

	g_snprintf(pid, sizeof pid, "%10ld\n", (long)getpid());
	tu_write(root, "pid/master.pid", pid, strlen(pid), 0644);
	tu_sh("mkdir -p '%s/active' && mv '%s/deferred/C/C0001124' '%s/active/C0001124'", root, root, root);
	g_free(m->queue);
	m->queue = g_strdup("active");
	g_free(m->path);
	m->path = g_strdup("active/C0001124");
	g_free(g_ptr_array_index(m->files, 0));
	g_ptr_array_index(m->files, 0) = g_strdup("active/C0001124");
	unsetenv("QSCAN_POSTSUPER");
	su_act(&qs_parser_postfix, root, qdir, db, QS_ACTION_DELETE, &m, 1, &r);
	is_str(r.action, "failed", "live Postfix: a message in active/ is not touched");
	ok(r.error && strstr(r.error, "being delivered"), "reported as being delivered");
	ok(su_exists(root, "active/C0001124"), "and is still there");
	tu_sh("rm -f '%s/pid/master.pid'", root);
	qs_msg_free(&m);
}

int main(void)
{
	char *dir = tu_tmpdir(), *cfg, *main_cf;
	GError *err = NULL;

	if (getpwnam("postfix") == NULL || tu_sh("command -v postsuper >/dev/null") != 0)
		skip_all("postfix is not installed (scripts/deps.sh --test)");
	chmod(dir, 0755);	/* postsuper runs as the postfix user */
	root = g_build_filename(dir, "spool", NULL);
	qdir = g_build_filename(dir, "quarantine", NULL);
	dbpath = g_build_filename(dir, "qscan.db", NULL);
	cfg = g_build_filename(dir, "etc", NULL);
	tu_sh("mkdir -p '%s' && cp /etc/postfix/master.cf '%s/'", cfg, cfg);
	tu_sh("cd '%s' 2>/dev/null || mkdir -p '%s' && cd '%s' && mkdir -p deferred defer hold incoming "
	      "active maildrop bounce trace corrupt pid", root, root, root);
	main_cf = g_strdup_printf("queue_directory = %s\ndata_directory = %s/data\n"
				  "compatibility_level = 3.6\n", root, dir);
	tu_write(cfg, "main.cf", main_cf, strlen(main_cf), 0644);
	setenv("MAIL_CONFIG", cfg, 1);
	setenv("QSCAN_POSTSUPER", "always", 1);
	db = qs_db_open(dbpath, true, &err);
	if (db == NULL)
		bail("db: %s", err->message);
	test_hold_delete();
	test_quarantine();
	test_live();
	qs_db_close(&db);
	tu_cleanup();
	g_free(cfg); g_free(main_cf); g_free(dir);
	return done_testing();
}
