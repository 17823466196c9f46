/* 5001-db-schema.c - creating, reopening and migrating the database, the
 * embedded schema, and clear errors for locked, read-only, corrupt and
 * foreign files. */
#include "config.h"
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "db.h"
#include "tap.h"
#include "testutil.h"

static char *pragma(const char *path, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	char *r = NULL;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		r = g_strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(h);
	return r;
}

static bool err_has(GError *e, const char *a, const char *b)
{
	if (e == NULL)
		return false;
	diag("error: %s", e->message);
	return strstr(e->message, a) != NULL && (b == NULL || strstr(e->message, b) != NULL);
}

static void test_create(const char *dir)
{
	char *path = g_build_filename(dir, "new/sub/qscan.db", NULL);
	char *parent = g_path_get_dirname(path);
	GError *err = NULL;
	struct qs_db *db = qs_db_open(path, true, &err);
	struct stat st;
	char *v;

	ok(db != NULL, "a new database is created (%s)", err ? err->message : "ok");
	ok(stat(parent, &st) == 0 && (st.st_mode & 07777) == 0750, "missing parent directory created 0750");
	qs_db_close(&db);
	ok(db == NULL, "close clears the pointer");
	v = pragma(path, "PRAGMA user_version");
	is_str(v, "1", "user_version is 1");
	g_free(v);
	v = pragma(path, "PRAGMA journal_mode");
	is_str(v, "wal", "journal mode is WAL");
	g_free(v);
	v = pragma(path, "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master "
		   "WHERE type = 'table' ORDER BY name)");
	is_str(v, "counted deletions ip_counts journal_files messages quarantine runs",
	       "every table exists");
	g_free(v);
	db = qs_db_open(path, true, &err);
	ok(db != NULL, "reopened for writing");
	qs_db_close(&db);
	db = qs_db_open(path, false, &err);
	ok(db != NULL, "reopened read-only");
	qs_db_close(&db);
	g_free(parent);
	g_free(path);
}

static void test_embedded(void)
{
	const char *src = getenv("QSCAN_SRCDIR");
	char *file = g_build_filename(src ? src : ".", "db/schema.sql", NULL);
	char *text = NULL;

	if (!g_file_get_contents(file, &text, NULL, NULL))
		bail("cannot read %s", file);
	ok(strcmp(text, qs_db_schema_sql) == 0, "the embedded schema equals db/schema.sql");
	g_free(text);
	g_free(file);
}

static void test_migrate(const char *dir)
{
	char *path = g_build_filename(dir, "empty.db", NULL);
	GError *err = NULL;
	struct qs_db *db;
	sqlite3 *h;
	char *v;

	tu_write(dir, "empty.db", "", 0, 0600);
	db = qs_db_open(path, true, &err);
	ok(db != NULL, "an empty file is migrated to the current schema");
	qs_db_close(&db);
	v = pragma(path, "PRAGMA user_version");
	is_str(v, "1", "migrated to version 1");
	g_free(v);
	/* a newer schema is refused, not damaged */
	sqlite3_open(path, &h);
	sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(h);
	db = qs_db_open(path, true, &err);
	ok(db == NULL && err_has(err, "newer", path), "a newer schema version is refused");
	g_clear_error(&err);
	g_free(path);
}

static void test_bad_files(const char *dir)
{
	char *path = g_build_filename(dir, "text.db", NULL);
	char junk[4096];
	GError *err = NULL;
	struct qs_db *db;
	int fd;

	tu_write(dir, "text.db", "this is not a database, just some text\n" "more text\n", 49, 0600);
	db = qs_db_open(path, true, &err);
	ok(db == NULL && err_has(err, "not an SQLite database", path), "a text file: not a database, named");
	g_clear_error(&err);
	db = qs_db_open(path, false, &err);
	ok(db == NULL && err_has(err, "not an SQLite database", path), "also when read-only");
	g_clear_error(&err);
	g_free(path);

	/* a real database whose schema page is overwritten */
	path = g_build_filename(dir, "corrupt.db", NULL);
	db = qs_db_open(path, true, &err);
	qs_db_close(&db);
	tu_sh("sqlite3 '%s' 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;' >/dev/null", path);
	memset(junk, 0xA5, sizeof junk);
	fd = open(path, O_WRONLY);
	if (fd < 0 || pwrite(fd, junk, 2000, 100) != 2000)
		bail("cannot damage %s", path);
	close(fd);
	db = qs_db_open(path, true, &err);
	ok(db == NULL && err_has(err, "damaged", path), "a damaged database is named and explained");
	g_clear_error(&err);
	g_free(path);

	path = g_build_filename(dir, "missing.db", NULL);
	db = qs_db_open(path, false, &err);
	ok(db == NULL && err_has(err, "does not exist", path), "read-only open of a missing file says so");
	g_clear_error(&err);
	ok(access(path, F_OK) != 0, "and does not create it");
	g_free(path);
}

static void test_locked(const char *dir)
{
	char *path = g_build_filename(dir, "locked.db", NULL);
	GError *err = NULL;
	struct qs_db *db = qs_db_open(path, true, &err);
	sqlite3 *h;

	qs_db_close(&db);
	sqlite3_open(path, &h);
	if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		bail("cannot lock %s", path);
	setenv("QSCAN_DB_BUSY_TIMEOUT_MS", "50", 1);
	db = qs_db_open(path, true, &err);
	ok(db == NULL && err_has(err, "locked", path), "a locked database is refused with a clear error");
	g_clear_error(&err);
	db = qs_db_open(path, false, &err);
	ok(db != NULL, "readers are not blocked by a writer (WAL)");
	qs_db_close(&db);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	unsetenv("QSCAN_DB_BUSY_TIMEOUT_MS");
	g_free(path);
}

static void test_readonly(const char *dir)
{
	char *ro = g_build_filename(dir, "ro", NULL);
	char *path = g_build_filename(ro, "qscan.db", NULL);
	GError *err = NULL;
	struct qs_db *db;

	g_mkdir_with_parents(ro, 0755);
	db = qs_db_open(path, true, &err);
	qs_db_close(&db);
	if (tu_sh("mount --bind '%s' '%s' 2>/dev/null && mount -o remount,ro,bind '%s' 2>/dev/null",
		  ro, ro, ro) != 0) {
		tu_sh("umount '%s' 2>/dev/null", ro);
		skip("cannot make a read-only bind mount here");
		skip("cannot make a read-only bind mount here");
		g_free(path);
		g_free(ro);
		return;
	}
	db = qs_db_open(path, true, &err);
	ok(db == NULL && err != NULL && strstr(err->message, path) && strstr(err->message, "not writable"),
	   "a read-only database is refused for writing: %s", err ? err->message : "opened");
	g_clear_error(&err);
	db = qs_db_open(path, false, &err);
	ok(db != NULL, "but can be read (%s)", err ? err->message : "ok");
	g_clear_error(&err);
	qs_db_close(&db);
	tu_sh("umount '%s'", ro);
	g_free(path);
	g_free(ro);
}

int main(void)
{
	char *dir = tu_tmpdir();

	test_create(dir);
	test_embedded();
	test_migrate(dir);
	test_bad_files(dir);
	test_locked(dir);
	test_readonly(dir);
	tu_cleanup();
	g_free(dir);
	return done_testing();
}
