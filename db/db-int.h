/*
 * db-int.h - the inside of struct qs_db, shared by the db/ sources only.
 * One prepared statement per query, prepared lazily and kept until
 * close; writes happen inside a batch transaction opened on demand and
 * committed every QS_DB_BATCH writes, at run end and on request.
 */
#ifndef QS_DB_INT_H
#define QS_DB_INT_H

#include <sqlite3.h>
#include "db.h"

#define QS_DB_BATCH 2000	/* writes per transaction */

enum qs_stmt {
	ST_RUN_BEGIN, ST_RUN_END, ST_MSG_INSERT, ST_COUNTED, ST_IPCOUNT,
	ST_Q_INSERT, ST_D_INSERT, ST_JF_INSERT, ST_Q_STATE, ST_D_STATE,
	ST_Q_GET, ST_JF_GET, ST_JF_PRUNE, ST_Q_PENDING, ST_D_PENDING, ST_Q_LIST, ST_Q_OLDER,
	ST__COUNT
};

struct qs_db {
	sqlite3 *h;
	char *path;
	bool writable;
	bool in_tx;
	guint pending;		/* writes in the open transaction */
	bool in_savepoint;	/* no commit every QS_DB_BATCH writes meanwhile */
	sqlite3_stmt *st[ST__COUNT];
	gint64 run_id;		/* the run being recorded, and its root */
	char *run_root;
	char *scan_day;		/* 'YYYY-MM-DD' of run start (UTC) */
};

/* the prepared statement for id, reset and unbound; NULL with *err */
sqlite3_stmt *qs_db_stmt(struct qs_db *db, enum qs_stmt id, GError **err);
/* set *err from the connection's last error: "what: sqlite says (file)" */
int qs_db_fail(struct qs_db *db, GError **err, const char *what);
/* open the batch transaction if none; count one write; commit at QS_DB_BATCH */
int qs_db_write_begin(struct qs_db *db, GError **err);
int qs_db_write_done(struct qs_db *db, GError **err);
/* step a write statement to completion */
int qs_db_step_done(struct qs_db *db, sqlite3_stmt *s, const char *what, GError **err);
void qs_db_bind_text(sqlite3_stmt *s, int i, const char *v);

#endif
