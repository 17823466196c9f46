/* 7001-stats-report: qscan stats text and JSON on the fixture database, and its errors */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "dbread.h"
#include "reports_db.h"
#include "stats.h"
#include "tap.h"
#include "testutil.h"
#include "util.h"

static char *dir;

static char *run(const char *db, guint days, bool json, int *rc, char **error)
{
	GString *out = g_string_new(NULL);
	GError *err = NULL;

	*rc = qs_stats_print_at(db, days, json, RDB_NOW, out, &err);
	*error = err ? g_strdup(err->message) : NULL;
	g_clear_error(&err);
	return g_string_free(out, FALSE);
}

static bool has(const char *hay, const char *needle)
{
	bool r = hay && strstr(hay, needle) != NULL;

	if (!r)
		diag("no '%s' in: %s", needle, hay ? hay : "(null)");
	return r;
}

static void check_golden(const char *db)
{
	int rc;
	char *error, *txt = run(db, 0, false, &rc, &error), *ref = rdb_data("stats-7.txt");
	char **lines;
	guint i, wide = 0;

	is_int(rc, 0, "stats text: success");
	is_str(txt, ref, "stats text equals t/data/reports/stats-7.txt");
	lines = g_strsplit(txt, "\n", -1);
	for (i = 0; lines[i]; i++)
		if (g_utf8_strlen(lines[i], -1) > 80)
			wide++;
	is_int(wide, 0, "every text line fits 80 columns");
	g_strfreev(lines);
	g_free(txt);
	g_free(ref);
	txt = run(db, 0, true, &rc, &error);
	ref = rdb_data("stats-7.json");
	is_int(rc, 0, "stats json: success");
	is_str(txt, ref, "stats json equals t/data/reports/stats-7.json");
	g_free(txt);
	g_free(ref);
}

/* the numbers worked out by hand from fixture.sql, not from a golden file */
static void check_numbers(const char *db)
{
	int rc;
	char *error, *js = run(db, 7, true, &rc, &error), *path;

	ok(has(js, "{\"type\":\"summary\",\"days\":7,\"from\":\"2026-11-16\",\"to\":\"2026-11-22\","
		   "\"relay\":6,\"legit\":3,\"unsure\":2,\"total\":11,"), "summary: a message seen by two runs counts once");
	ok(has(js, "{\"type\":\"day\",\"day\":\"2026-11-20\",\"relay\":2,\"legit\":2,\"unsure\":0,\"total\":4}"),
	   "day line for 2026-11-20");
	ok(has(js, "{\"type\":\"day\",\"day\":\"2026-11-17\",\"relay\":0,\"legit\":0,\"unsure\":0,\"total\":0}"),
	   "an empty day is listed");
	ok(has(js, "{\"type\":\"ip\",\"rank\":1,\"ip\":\"203.0.113.7\",\"relay\":125,\"legit\":0,\"unsure\":1,"),
	   "top IP 203.0.113.7 with the 7-day relay count");
	ok(has(js, "\"ip\":\"2001:db8::7\",\"relay\":20,"), "IPv6 spellings merged into one canonical row");
	ok(has(js, "\"ip\":\"192.0.2.99\",\"relay\":20,"), "IPv4-mapped IPv6 shown as IPv4");
	ok(!strstr(js, "192.0.2.200") && !strstr(js, "203.0.113.9"), "days outside the window are not counted");
	ok(has(js, "{\"type\":\"auth_user\",\"rank\":1,\"auth_user\":\"webmaster\",\"relay\":2,"),
	   "AUTH user webmaster: first verdict of a re-seen message wins");
	ok(has(js, "\"auth_user\":\"admin\\\"<x>\""), "AUTH user JSON-escaped");
	ok(has(js, "{\"type\":\"sender_domain\",\"rank\":1,\"sender_domain\":\"spam.example\",\"relay\":5,"),
	   "top sender domain");
	ok(has(js, "\"runs\":3,\"last_run\":\"2026-11-22T03:00:00Z\"}"), "runs in the window and the last one");
	path = rdb_write(dir, "stats.jsonl", js);
	if (tu_sh("command -v python3 >/dev/null") != 0)
		skip("python3 is not installed");
	else
		is_int(tu_sh("python3 -c 'import json,sys\nfor l in open(sys.argv[1]):\n"
			     " o=json.loads(l)\n assert o[\"type\"] in (\"day\",\"ip\",\"auth_user\","
			     "\"sender_domain\",\"summary\")' %s", path), 0, "every JSON line parses and has a type");
	g_free(path);
	g_free(js);
	js = run(db, 1, true, &rc, &error);
	ok(has(js, "\"days\":1,\"from\":\"2026-11-22\",\"to\":\"2026-11-22\",\"relay\":2,\"legit\":0,\"unsure\":1,"),
	   "--days 1 is today only");
	g_free(js);
	js = run(db, QS_STATS_MAX_DAYS + 1, true, &rc, &error);
	ok(rc == -1 && has(error, "days must be 1 to"), "too many days refused");
	g_free(js);
	g_free(error);
}

static void expect_error(const char *db, const char *what, const char *needle)
{
	int rc;
	char *error, *txt = run(db, 7, false, &rc, &error);

	ok(rc == -1 && has(error, needle) && has(error, db), "%s: error names the file and says '%s'", what, needle);
	g_free(txt);
	g_free(error);
}

static void make_db(const char *path, const char *sql)
{
	sqlite3 *db;

	if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		bail("%s: %s", path, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void check_errors(const char *good)
{
	char *p = g_build_filename(dir, "missing.db", NULL);
	sqlite3 *w;

	expect_error(p, "missing file", "no scan has written it yet");
	g_free(p);
	p = rdb_write(dir, "garbage.db", "this is not SQLite, it is a text file of some length........"
		      "................................................................................");
	expect_error(p, "text file", "not a qscan database");
	g_free(p);
	p = g_build_filename(dir, "other.db", NULL);
	make_db(p, "CREATE TABLE t(x);");
	expect_error(p, "foreign SQLite file", "not a qscan database (user_version is not 1)");
	g_free(p);
	p = g_build_filename(dir, "partial.db", NULL);
	make_db(p, "CREATE TABLE runs(x); PRAGMA user_version = 1;");
	expect_error(p, "table missing", "no table messages");
	g_free(p);
	p = g_build_filename(dir, "newer.db", NULL);
	make_db(p, "PRAGMA user_version = 2;");
	expect_error(p, "newer schema", "newer than this qscan reads");
	g_free(p);
	expect_error(dir, "a directory", "not a regular file");
	/* a scan in the middle of a commit holds the write lock */
	p = rdb_make(dir, "locked.db", "fixture.sql");
	if (sqlite3_open(p, &w) != SQLITE_OK ||
	    sqlite3_exec(w, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; "
			 "INSERT INTO ip_counts VALUES ('2026-11-22','192.0.2.1','relay',1);",
			 NULL, NULL, NULL) != SQLITE_OK)
		bail("cannot lock %s: %s", p, sqlite3_errmsg(w));
	qs_dbr_busy_ms = 50;
	expect_error(p, "locked database", "another qscan is writing it");
	sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(w);
	g_free(p);
}

/* untrusted names reach a terminal: escaped, and cut to fit 80 columns */
static void check_terminal(void)
{
	char *p = rdb_make(dir, "esc.db", "fixture.sql"), *txt, *error, **lines;
	sqlite3 *w;
	int rc;
	guint i, wide = 0;

	if (sqlite3_open(p, &w) != SQLITE_OK ||
	    sqlite3_exec(w, "INSERT INTO messages (run_id, queue_id, arrival, day, verdict, reasons,"
			 " auth_user, sender_domain, action) VALUES (4, 'E1', 1795312900, '2026-11-22',"
			 " 'relay', 'auth-abuse', 'esc' || char(27) || '[31m', 'a-very-long-sender-domain-"
			 "name-that-goes-on-and-on.example', 'none')", NULL, NULL, NULL) != SQLITE_OK)
		bail("%s: %s", p, sqlite3_errmsg(w));
	sqlite3_close(w);
	txt = run(p, 7, false, &rc, &error);
	ok(rc == 0 && strchr(txt, 27) == NULL && has(txt, "esc\\x1b[31m"), "control bytes escaped in text");
	ok(has(txt, "a-very-long-sender-domain-name-that-go~"), "a long name is cut with ~");
	lines = g_strsplit(txt, "\n", -1);
	for (i = 0; lines[i]; i++)
		if (g_utf8_strlen(lines[i], -1) > 80)
			wide++;
	is_int(wide, 0, "still 80 columns");
	g_strfreev(lines);
	g_free(txt);
	g_free(error);
	txt = run(p, 7, true, &rc, &error);
	ok(has(txt, "\"auth_user\":\"esc\\u001b[31m\""), "control bytes escaped in JSON");
	g_free(txt);
	g_free(error);
	g_free(p);
}

/* WAL (what db/db.c uses): a scan writing does not block the reports */
static void check_wal(void)
{
	char *p = rdb_make(dir, "wal.db", "fixture.sql"), *txt, *error;
	sqlite3 *w;
	int rc;

	if (sqlite3_open(p, &w) != SQLITE_OK ||
	    sqlite3_exec(w, "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE; "
			 "INSERT INTO ip_counts VALUES ('2026-11-22','192.0.2.1','relay',1000);",
			 NULL, NULL, NULL) != SQLITE_OK)
		bail("cannot write %s: %s", p, sqlite3_errmsg(w));
	txt = run(p, 7, true, &rc, &error);
	ok(rc == 0 && has(txt, "\"relay\":6,\"legit\":3,\"unsure\":2,\"total\":11,") && !strstr(txt, "192.0.2.1\""),
	   "WAL: reads while a scan writes, sees only committed rows");
	if (rc)
		diag("%s", error);
	g_free(txt);
	g_free(error);
	sqlite3_exec(w, "COMMIT", NULL, NULL, NULL);
	txt = run(p, 7, true, &rc, &error);
	ok(rc == 0 && has(txt, "\"ip\":\"192.0.2.1\",\"relay\":1000,"), "WAL: the committed run is seen");
	g_free(txt);
	g_free(error);
	sqlite3_close(w);
	g_free(p);
}

int main(void)
{
	char *db;

	dir = tu_tmpdir();
	db = rdb_make(dir, "qscan.db", "fixture.sql");
	check_golden(db);
	check_numbers(db);
	check_errors(db);
	check_wal();
	check_terminal();
	g_free(db);
	tu_cleanup();
	return done_testing();
}
