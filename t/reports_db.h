/*
 * reports_db.h - test helper for the 70xx-72xx report tests: build a
 * qscan database from $QSCAN_SRCDIR/db/schema.sql plus a fixture SQL
 * file under t/data/reports/. Bails out on any setup error.
 */
#ifndef QS_REPORTS_DB_H
#define QS_REPORTS_DB_H

#include <glib.h>

/* 2026-11-22 12:00:00 UTC: the fixture's "now" */
#define RDB_NOW G_GINT64_CONSTANT(1795348800)

/* dir/name made from schema.sql and t/data/reports/<fixture> (NULL = none); caller frees */
char *rdb_make(const char *dir, const char *name, const char *fixture);
/* the contents of t/data/reports/<rel>; caller frees */
char *rdb_data(const char *rel);
/* write s to dir/name; returns the path, caller frees */
char *rdb_write(const char *dir, const char *name, const char *s);

#endif
