/*
 * act.h - doing something to `relay` messages: quarantine, delete, hold.
 *
 * An actor belongs to one queue and one run. It takes the per-queue
 * lock (another qscan holding it: error code QS_ACT_LOCKED, exit 4),
 * picks the safe method for the format and for a live MTA, and moves
 * every file of a message or none (journalled in the database, so a
 * kill -9 at any moment leaves each message in exactly one place).
 * Actions may be batched (postsuper -d - on stdin): `done` is called
 * for each submitted message, in submission order, at the latest from
 * qs_actor_flush(), with the action taken ("quarantined", "deleted",
 * "held", or "failed" with an error).
 */
#ifndef QS_ACT_H
#define QS_ACT_H

#include <glib.h>
#include "conf.h"
#include "db.h"
#include "msg.h"
#include "parser.h"

#define QS_ACT_LOCKED 4		/* GError code: the queue lock is held */

struct qs_actor;
/* uuid: the quarantine id when action is "quarantined", else NULL */
typedef void (*qs_act_done)(void *cookie, const char *action, const char *uuid,
			    const char *error);

struct qs_actor *qs_actor_new(const struct qs_parser *p, int rootfd, const char *root,
			      const struct qs_config *cfg, enum qs_action action,
			      struct qs_db *db, GError **err);
void qs_actor_submit(struct qs_actor *a, const struct qs_msg *m, qs_act_done done, void *cookie);
void qs_actor_flush(struct qs_actor *a);
void qs_actor_free(struct qs_actor **a);
const char *qs_actor_method(const struct qs_actor *a);	/* for -v: "postsuper", "rename" ... */

/* --- added by the store work --- */
struct qs_judgement;
/* as qs_actor_submit, also recording origin IP, AUTH user, reasons and
 * subject of the verdict in the quarantine manifest (j may be NULL) */
void qs_actor_submit_judged(struct qs_actor *a, const struct qs_msg *m,
			    const struct qs_judgement *j, qs_act_done done, void *cookie);
/* the run the quarantine rows belong to (runs.id) */
void qs_actor_set_run(struct qs_actor *a, gint64 run_id);

#endif
