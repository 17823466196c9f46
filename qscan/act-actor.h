/*
 * act-actor.h - the inside of an actor, shared by act.c (checks,
 * journal, methods) and act_flight.c (a batch's file work on threads
 * while the next batch is read).
 */
#ifndef QS_ACT_ACTOR_H
#define QS_ACT_ACTOR_H

#include <sys/stat.h>
#include "act-int.h"
#include "act.h"

struct item {
	struct qs_jentry *e;	/* NULL once failed */
	char *content;		/* content file, relative */
	char *error;		/* failed: why */
	struct stat content_st;	/* the content file as add_files saw it */
	bool have_content_st;
	const char *result;	/* "quarantined", "deleted", "held", "failed" */
	qs_act_done done;
	void *cookie;
};

struct flight;

struct qs_actor {
	struct qs_store s;
	const char *format;
	enum qs_action action;
	gint64 run_id;
	bool postfix_live, postfix_own;
	const char *method;
	GPtrArray *batch;	/* struct item *, being filled */
	guint batch_max;	/* BATCH; QSCAN_TEST_BATCH for the crash tests */
	struct flight *flight;	/* the batch whose files are moving */
};

void qs_act_fail(struct item *it, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* the journal file of the content file (NULL: none) */
struct qs_jfile *qs_act_content_jfile(struct item *it);
/* still the journalled file f at rel? */
bool qs_act_has_file(struct qs_actor *a, const char *rel, const struct qs_jfile *f);

/* start moving the files of the items v (journalled and committed) of
 * the batch all on the file threads; mutex (or -1) is held until then */
void qs_flight_start(struct qs_actor *a, GPtrArray *all, GPtrArray *v, int mutex);
/* wait for the file threads of the batch in flight; NULL: none */
struct flight *qs_flight_join(struct qs_actor *a);
/* make a joined batch's moves durable (syncfs), then mark its journal
 * rows (not committed) and free it; its items, to be handed back */
GPtrArray *qs_flight_mark(struct qs_actor *a, struct flight *f);

#endif
