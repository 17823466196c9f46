/* reports_db.c - build test databases for the report tests; see reports_db.h. */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "reports_db.h"
#include "tap.h"
#include "testutil.h"

static char *slurp(const char *path)
{
	char *s = NULL;
	GError *err = NULL;

	if (!g_file_get_contents(path, &s, NULL, &err))
		bail("%s", err->message);
	return s;
}

static void exec_file(sqlite3 *db, const char *path)
{
	char *sql = slurp(path), *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		bail("%s: %s", path, msg);
	g_free(sql);
}

char *rdb_make(const char *dir, const char *name, const char *fixture)
{
	const char *src = getenv("QSCAN_SRCDIR");
	char *path = g_build_filename(dir, name, NULL);
	char *schema = g_build_filename(src ? src : ".", "db", "schema.sql", NULL);
	sqlite3 *db;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		bail("%s: %s", path, sqlite3_errmsg(db));
	exec_file(db, schema);
	if (fixture) {
		char *rel = g_build_filename("reports", fixture, NULL);
		char *f = tu_data(rel);
		exec_file(db, f);
		g_free(f);
		g_free(rel);
	}
	sqlite3_close(db);
	g_free(schema);
	return path;
}

char *rdb_data(const char *rel)
{
	char *r = g_build_filename("reports", rel, NULL);
	char *p = tu_data(r);
	char *s = slurp(p);

	g_free(p);
	g_free(r);
	return s;
}

char *rdb_write(const char *dir, const char *name, const char *s)
{
	char *path = g_build_filename(dir, name, NULL);
	GError *err = NULL;

	if (!g_file_set_contents(path, s, -1, &err))
		bail("%s", err->message);
	return path;
}
