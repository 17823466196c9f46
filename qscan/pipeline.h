/*
 * pipeline.h - walk -> load -> judge (in parallel) -> act -> report, in
 * walk order.
 *
 * The walk runs on the calling thread and feeds a bounded window of
 * results to `jobs` worker threads, each owning its judge context
 * (GMime parser, PCRE2 match data). Results are handed back in walk
 * order, so reports and the database see a stable order and memory
 * stays bounded however large the queue is. A result that needs an
 * action is submitted to the actor; it becomes final when the actor
 * reports back (batched methods such as postsuper report later).
 */
#ifndef QS_PIPELINE_H
#define QS_PIPELINE_H

#include <glib.h>
#include "act.h"
#include "classify.h"
#include "conf.h"
#include "msg.h"
#include "parser.h"

struct qs_result {
	gint64 seq;
	struct qs_item item;
	struct qs_msg msg;
	struct qs_judgement j;
	const char *action;	/* none, quarantined, deleted, held, failed */
	char *action_error;
	char quarantine_uuid[40];	/* action "quarantined": its id, else "" */
	int state;		/* private to the pipeline */
	GString *line;		/* output rendered by `prerender`, when line_ready */
	bool line_ready;
};

struct qs_pipeline {
	const struct qs_parser *parser;
	int rootfd;
	const char *root;
	const struct qs_config *cfg;
	guint jobs;			/* worker threads; 0 or 1 = inline */
	struct qs_actor *actor;		/* NULL: nothing is acted on */
	/* called in walk order once the result is final; may not keep r */
	void (*on_result)(struct qs_result *r, void *data);
	void *data;
	guint64 walk_errors;		/* out: entries the walk could not read */
	/* optional: called by the worker that judged r when nothing will act
	 * on it, to render r's output into r->line there. The message's
	 * strings are then read on the CPU that wrote them: read again on
	 * the main thread they cost a cache miss each (a 55k JSON dry run
	 * with 2 workers spent 4x the single-thread time in strlen alone) */
	void (*prerender)(struct qs_result *r);
};

/* run one queue; 0 ok, -1 the walk could not start (*err) */
int qs_pipeline_run(struct qs_pipeline *p, GError **err);
/* stop early (SIGTERM): finish the messages in flight, start no new */
void qs_pipeline_stop(void);

#endif
