/*
 * dbread.h - the read side shared by `qscan stats`, `qscan blocklist`
 * and `qscan report --html`: open the database read-only, check that it
 * is a qscan database, and the day window helpers.
 * int functions: 0 ok, -1 error with *err naming the file and what to do.
 */
#ifndef QS_DBREAD_H
#define QS_DBREAD_H

#include <glib.h>
#include <sqlite3.h>

/* milliseconds a reader waits for a running scan to commit (10 s; tests lower it) */
extern int qs_dbr_busy_ms;

/* open read-only; checks user_version = 1 and the tables; NULL + *err */
sqlite3 *qs_dbr_open(const char *path, GError **err);
void qs_dbr_close(sqlite3 **db);
/* prepare sql or fail with a message naming the file */
sqlite3_stmt *qs_dbr_prepare(sqlite3 *db, const char *path, const char *sql, GError **err);
/* a step error (SQLITE_BUSY after the timeout included) as a GError */
void qs_dbr_step_error(sqlite3 *db, const char *path, int rc, GError **err);
/* "YYYY-MM-DD" (UTC) of now - back days; buf holds 11 bytes */
void qs_dbr_day(gint64 now, guint back, char buf[11]);

#endif
