/* 7003-stats-cli: the command lines of stats, blocklist and report: options, exit codes, output */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "blocklist.h"
#include "conf.h"
#include "report_cmds.h"
#include "reports_db.h"
#include "stats.h"
#include "tap.h"
#include "testutil.h"

static char *dir;

/* call - run main(argv...) with stdout and stderr in files; returns the exit status */
static int call(int (*fn)(int, char **), char **out, char **errout, ...)
{
	GPtrArray *av = g_ptr_array_new();
	char *o = g_build_filename(dir, "out", NULL), *e = g_build_filename(dir, "err", NULL);
	const char *a;
	int fo, fe, s1, s2, rc;
	va_list ap;

	va_start(ap, errout);
	while ((a = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(av, (char *)a);
	va_end(ap);
	g_ptr_array_add(av, NULL);
	fflush(stdout);
	fflush(stderr);
	fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	s1 = dup(1);
	s2 = dup(2);
	dup2(fo, 1);
	dup2(fe, 2);
	rc = fn((int)av->len - 1, (char **)av->pdata);
	fflush(stdout);
	fflush(stderr);
	dup2(s1, 1);
	dup2(s2, 2);
	close(fo); close(fe); close(s1); close(s2);
	g_file_get_contents(o, out, NULL, NULL);
	g_file_get_contents(e, errout, NULL, NULL);
	g_free(o);
	g_free(e);
	g_ptr_array_free(av, TRUE);
	return rc;
}

/* the configuration STUB of this branch accepts any file */
static bool config_is_real(void)
{
	struct qs_config *c = qs_config_new();
	bool real = qs_config_load(c, "/nonexistent/qscan.conf", true, NULL) < 0;

	qs_config_free(&c);
	return real;
}

static char *lib_stats(const char *db, guint days, bool json)
{
	GString *s = g_string_new(NULL);

	if (qs_stats_print(db, days, json, s, NULL) < 0)
		bail("qs_stats_print failed");
	return g_string_free(s, FALSE);
}

static void stats(const char *db)
{
	char *out, *err, *want;

	want = lib_stats(db, 7, false);
	is_int(call(qs_reports_stats_main, &out, &err, "stats", "--db", db, NULL), 0, "stats --db: exit 0");
	is_str(out, want, "stats prints what qs_stats_print gives");
	g_free(out); g_free(err); g_free(want);
	want = lib_stats(db, 3, true);
	is_int(call(qs_reports_stats_main, &out, &err, "stats", "--json", "--days", "3", "--db", db, NULL), 0,
	       "stats --json --days 3: exit 0");
	is_str(out, want, "stats --json --days 3 output");
	g_free(out); g_free(err); g_free(want);
	is_int(call(qs_reports_stats_main, &out, &err, "stats", "--days", "0", "--db", db, NULL), 2, "--days 0: exit 2");
	ok(strstr(err, "--days must be 1 to") != NULL, "and says why");
	g_free(out); g_free(err);
	is_int(call(qs_reports_stats_main, &out, &err, "stats", "--days", "x", NULL), 2, "--days x: exit 2");
	g_free(out); g_free(err);
	is_int(call(qs_reports_stats_main, &out, &err, "stats", "--db", db, "extra", NULL), 2, "an operand: exit 2");
	ok(strstr(err, "unexpected argument 'extra'") != NULL, "and names it");
	g_free(out); g_free(err);
	is_int(call(qs_reports_stats_main, &out, &err, "stats", "--db", "/nonexistent/q.db", NULL), 2,
	       "a missing database: exit 2");
	ok(strstr(err, "/nonexistent/q.db") != NULL && *out == '\0', "the error names the file, nothing on stdout");
	g_free(out); g_free(err);
	is_int(call(qs_reports_stats_main, &out, &err, "stats", "-c", "/nonexistent/qscan.conf", "--db", db, NULL),
	       config_is_real() ? 2 : 0,
	       "-c with a missing file: exit 2 (0 with the configuration STUB)");
	g_free(out); g_free(err);
}

static void blocklist(const char *db)
{
	char *out, *err;
	GString *want = g_string_new(NULL);

	qs_blocklist_print(db, NULL, "nft", 1, 3650, want, NULL);
	is_int(call(qs_reports_blocklist_main, &out, &err, "blocklist", "--format", "nft", "--threshold", "1",
		    "--window", "3650", "--db", db, NULL), 0, "blocklist --format nft: exit 0");
	is_str(out, want->str, "blocklist prints what qs_blocklist_print gives");
	g_free(out); g_free(err);
	is_int(call(qs_reports_blocklist_main, &out, &err, "blocklist", "--format", "pf", "--db", db, NULL), 2,
	       "an unknown format: exit 2");
	ok(strstr(err, "unknown block list format 'pf'") != NULL, "and says which formats exist");
	g_free(out); g_free(err);
	is_int(call(qs_reports_blocklist_main, &out, &err, "blocklist", "--window", "4000", "--db", db, NULL), 2,
	       "--window 4000: exit 2");
	g_free(out); g_free(err);
	g_string_free(want, TRUE);
}

static void report(const char *db)
{
	char *out, *err, *page = g_build_filename(dir, "r.html", NULL), *html = NULL;

	is_int(call(qs_reports_report_main, &out, &err, "report", "--db", db, NULL), 2, "report without --html: exit 2");
	g_free(out); g_free(err);
	is_int(call(qs_reports_report_main, &out, &err, "report", "--html", page, "--days", "30", "--db", db, NULL), 0,
	       "report --html FILE: exit 0");
	ok(g_file_get_contents(page, &html, NULL, NULL) && strstr(html, "data-days=\"30\""), "the page covers 30 days");
	g_free(out); g_free(err); g_free(html); g_free(page);
}

int main(void)
{
	char *db;

	dir = tu_tmpdir();
	db = rdb_make(dir, "qscan.db", "fixture.sql");
	stats(db);
	blocklist(db);
	report(db);
	g_free(db);
	tu_cleanup();
	return done_testing();
}
