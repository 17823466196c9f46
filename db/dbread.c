/* dbread.c - open the qscan database read-only for the reports; see dbread.h. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "dbread.h"
#include "util.h"

int qs_dbr_busy_ms = 10000;

static const char *const qs_tables[] = {
	"runs", "messages", "ip_counts", "counted", "quarantine", NULL,
};

static const char *hint(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return " (another qscan is writing it; try again when that run ends)";
	case SQLITE_NOTADB:
		return " (not a qscan database: check --db / database =)";
	case SQLITE_CORRUPT:
		return " (the file is damaged; restore it from a backup)";
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_READONLY:
		return " (check the path and its permissions)";
	default:
		return "";
	}
}

void qs_dbr_step_error(sqlite3 *db, const char *path, int rc, GError **err)
{
	g_set_error(err, QS_ERROR, 0, "%s: cannot read the database: %s%s", path,
		    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), hint(rc));
}

sqlite3_stmt *qs_dbr_prepare(sqlite3 *db, const char *path, const char *sql, GError **err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK) {
		qs_dbr_step_error(db, path, rc, err);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* check_schema - user_version 1 and every table of db/schema.sql */
static int check_schema(sqlite3 *db, const char *path, GError **err)
{
	sqlite3_stmt *st;
	int rc, version, found = 0, i;

	if (!(st = qs_dbr_prepare(db, path, "PRAGMA user_version", err)))
		return -1;
	rc = sqlite3_step(st);
	version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		qs_dbr_step_error(db, path, rc, err);
		return -1;
	}
	if (version > 1) {
		g_set_error(err, QS_ERROR, 0, "%s: database schema version %d is newer than this "
			    "qscan reads (1): use the qscan that wrote it", path, version);
		return -1;
	}
	if (!(st = qs_dbr_prepare(db, path, "SELECT name FROM sqlite_master WHERE type = 'table'", err)))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; name && qs_tables[i]; i++)
			if (strcmp(name, qs_tables[i]) == 0)
				found |= 1 << i;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		qs_dbr_step_error(db, path, rc, err);
		return -1;
	}
	for (i = 0; qs_tables[i]; i++) {
		if (version == 1 && (found & (1 << i)))
			continue;
		g_set_error(err, QS_ERROR, 0, "%s: not a qscan database (%s%s); "
			    "give the file a scan wrote (--db FILE)", path,
			    version != 1 ? "user_version is not 1" : "no table ",
			    version != 1 ? "" : qs_tables[i]);
		return -1;
	}
	return 0;
}

sqlite3 *qs_dbr_open(const char *path, GError **err)
{
	struct stat sb;
	sqlite3 *db = NULL;
	int rc;

	/* SQLite would report a missing file only as "unable to open" */
	if (stat(path, &sb) < 0) {
		int e = errno;
		g_set_error(err, QS_ERROR, e, "%s: cannot open the database: %s%s", path, g_strerror(e),
			    e == ENOENT ? " (no scan has written it yet, or give --db FILE)" : "");
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		g_set_error(err, QS_ERROR, 0, "%s: not a regular file: give the database file (--db FILE)", path);
		return NULL;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		qs_dbr_step_error(db, path, rc, err);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, qs_dbr_busy_ms);
	if (check_schema(db, path, err) < 0) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void qs_dbr_close(sqlite3 **db)
{
	if (*db)
		sqlite3_close(*db);
	*db = NULL;
}

void qs_dbr_day(gint64 now, guint back, char buf[11])
{
	GDateTime *t = g_date_time_new_from_unix_utc(now);
	GDateTime *d = g_date_time_add_days(t, -(gint)back);
	char *s = g_date_time_format(d, "%Y-%m-%d");

	g_strlcpy(buf, s, 11);
	g_free(s);
	g_date_time_unref(d);
	g_date_time_unref(t);
}
