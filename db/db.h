/*
 * db.h - all SQLite work: runs, messages seen, per-IP per-day counts,
 * the quarantine manifest. One connection per process, used from the
 * main thread only; prepared statements; batched transactions.
 * int functions: 0 ok, -1 error with *err (what, which file, what to do).
 */
#ifndef QS_DB_H
#define QS_DB_H

#include <glib.h>
#include <stdbool.h>
#include "classify.h"
#include "msg.h"

struct qs_db;

struct qs_run_totals {
	guint64 scanned, relay, legit, unsure, errors, acted;
	double elapsed_s;
};

/* open (and create/migrate when writable) the database at path */
struct qs_db *qs_db_open(const char *path, bool writable, GError **err);
void qs_db_close(struct qs_db **db);
int qs_db_run_begin(struct qs_db *db, const char *queue_root, const char *format,
		    const char *options, gint64 *run_id, GError **err);
/* one message seen in this run, with the action taken ("none" ...) */
int qs_db_record(struct qs_db *db, gint64 run_id, const struct qs_msg *m,
		 const struct qs_judgement *j, const char *action, GError **err);
int qs_db_run_end(struct qs_db *db, gint64 run_id, const struct qs_run_totals *t, GError **err);

/* --- added by the store work --- */
#define QS_DB_VERSION 1		/* PRAGMA user_version written by this qscan */
extern const char qs_db_schema_sql[];	/* db/schema.sql, embedded at build time */
/* as qs_db_run_begin, naming the action ("quarantine", "delete", "hold");
 * qs_db_run_begin guesses it from the options text */
int qs_db_run_begin_action(struct qs_db *db, const char *queue_root, const char *format,
			   const char *action, const char *options, gint64 *run_id, GError **err);
/* commit the open batch transaction now (before touching files) */
int qs_db_commit(struct qs_db *db, GError **err);
/* drop the open batch transaction (commit what must stay first) */
void qs_db_rollback(struct qs_db *db);
/* a savepoint in the open batch transaction (opened if none), so that a
 * group of writes can be undone alone; no automatic commit until it is
 * released or rolled back to (and then released) */
int qs_db_savepoint(struct qs_db *db, GError **err);
int qs_db_release(struct qs_db *db, GError **err);
void qs_db_rollback_to(struct qs_db *db);
const char *qs_db_path(const struct qs_db *db);
bool qs_db_writable(const struct qs_db *db);
/* the run last begun on this connection (0: none) */
gint64 qs_db_current_run(const struct qs_db *db);
/* qs_db_record, also naming the quarantine uuid (messages.quarantine);
 * qs_db_record finds it itself for action "quarantined" in this run */
int qs_db_record_quarantine(struct qs_db *db, gint64 run_id, const struct qs_msg *m,
			    const struct qs_judgement *j, const char *action,
			    const char *quarantine_uuid, GError **err);

#endif
