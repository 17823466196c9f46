/*
 * quarantine.h - `qscan quarantine list|show ID|restore ID...|expire`.
 *
 * Every function first finishes operations an earlier qscan left
 * unfinished (rows `moving`/`restoring`/`deleting`), queue by queue,
 * under that queue's lock (a queue another qscan holds is skipped and
 * said so). They write human text, or JSON (one object per line, each
 * with "type"), to `out`; returns 0 ok, -1 error with *err (for
 * restore/expire: at least one message failed; `out` still tells what
 * happened to each). err->code QS_ACT_LOCKED: a queue lock was held.
 *
 * Give them a database opened for writing: restore and expire write,
 * and unfinished operations are only finished (and list/show are only
 * exact) with a writable database.
 *
 * An ID is a quarantine uuid or a unique prefix of one (8+ chars).
 *
 * JSON objects:
 *   {"type":"quarantine","id":UUID,"state":...,"created":ISO,"queue_root":...,
 *    "format":...,"queue_id":...,"queue":...,"sender":...,"recipients":[...],
 *    "origin_ip":...,"auth_user":...,"reasons":[...],"subject":...,
 *    "files":[...],"note":...}                         list, show
 *   {"type":"restore","id":...,"queue_id":...,"result":"restored"|"failed",
 *    "error":...,"hint":...}                           restore
 *   {"type":"expire","id":...,"queue_id":...,"created":ISO}   expire, one per message
 *   {"type":"summary","count":N}                       list, expire
 */
#ifndef QS_QUARANTINE_H
#define QS_QUARANTINE_H

#include <glib.h>
#include <stdbool.h>
#include "db.h"

/* finish interrupted operations of every queue; what was done goes to log */
int qs_quarantine_reconcile(struct qs_db *db, const char *qdir, GString *log, GError **err);
/* quarantined (and unfinished) messages, oldest first */
int qs_quarantine_list(struct qs_db *db, const char *qdir, GString *out, bool json, GError **err);
/* one message with its files (size of each in the store) */
int qs_quarantine_show(struct qs_db *db, const char *qdir, const char *id, GString *out,
		       bool json, GError **err);
/* put messages back where they were (same paths, modes, owners, times);
 * a file that already exists in the queue is never overwritten */
int qs_quarantine_restore(struct qs_db *db, const char *qdir, const char *const *ids,
			  GString *out, bool json, GError **err);
/* remove quarantined messages created more than days ago (state expired) */
int qs_quarantine_expire(struct qs_db *db, const char *qdir, guint days, GString *out,
			 bool json, GError **err);

#endif
