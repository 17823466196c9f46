/* pipeline.c - parallel load+judge with in-order results; see pipeline.h. */
#include "config.h"
#include <string.h>
#include "log.h"
#include "pipeline.h"
#include "util.h"

#define WINDOW 1024		/* results in flight: bounds memory */
/* acting: one actor batch in flight, the next one filling, and room to
 * read on meanwhile (act.c BATCH is 1000) */
#define ACT_WINDOW 3072
#define WAKE_BATCH 64		/* results the main thread waits for at once */
/* results handed to the workers at once: one queue push (a lock and
 * maybe a futex wake) per run of messages instead of one per message */
#define RUN_BATCH 16
G_STATIC_ASSERT(RUN_BATCH <= G_MAXUINT8 && RUN_BATCH < WINDOW);
/* runs never straddle the end of the ring (see hand_over) */
G_STATIC_ASSERT(WINDOW % RUN_BATCH == 0 && ACT_WINDOW % RUN_BATCH == 0);

enum { ST_QUEUED, ST_JUDGED, ST_ACTING, ST_FINAL, ST_SKIPPED };

struct run {
	struct qs_pipeline *p;
	struct qs_result **ring;
	gint64 window;		/* slots in ring */
	gint64 head, tail;	/* head = next to report; tail = next seq */
	gint64 handed;		/* results before this one went to the workers */
	guint8 *run_len;	/* per slot: length of the run handed over there */
	gint64 decided;		/* results before this one are final or with the actor */
	GAsyncQueue **todo;	/* one per worker; NULL when inline */
	guint nq;
	GMutex lock;
	GCond judged;
	/* the main thread sleeps on `judged`: set under lock, read by the
	 * workers without it (atomic) so that most results take no lock */
	gint head_waiting;
	gint64 wait_head, wait_last;	/* ... until these two are judged */
	GPtrArray *threads;
	struct worker_arg *args;
};

void qs_pipeline_stop(void)
{
	qs_request_stop();
}

static struct qs_result *result_new(void)
{
	struct qs_result *r = g_new0(struct qs_result, 1);

	qs_item_init(&r->item);
	qs_msg_init(&r->msg);
	qs_judgement_init(&r->j);
	return r;
}

/* result_reset - reuse the allocation for the next message; the message
 * and its judgement are cleared in process(), by the worker that fills
 * them again: most of that memory then goes back to the thread (and the
 * malloc arena) it came from instead of to the main thread's */
static void result_reset(struct qs_result *r)
{
	qs_item_clear(&r->item);
	g_free(r->action_error);
	r->action_error = NULL;
	r->action = "none";
	r->quarantine_uuid[0] = '\0';
	r->line_ready = false;
	r->state = ST_QUEUED;
}

static void result_free(struct qs_result *r)
{
	qs_item_clear(&r->item);
	g_ptr_array_free(r->item.files, TRUE);
	qs_msg_clear(&r->msg);
	g_ptr_array_free(r->msg.files, TRUE);
	g_ptr_array_free(r->msg.rcpts, TRUE);
	g_ptr_array_free(r->msg.notes, TRUE);
	g_byte_array_free(r->msg.hdr, TRUE);
	g_byte_array_free(r->msg.body, TRUE);
	qs_msg_fields_free(&r->msg);
	qs_judgement_clear(&r->j);
	g_ptr_array_free(r->j.reasons, TRUE);
	g_ptr_array_free(r->j.hops, TRUE);
	g_ptr_array_free(r->j.dests, TRUE);
	g_ptr_array_free(r->j.trace, TRUE);
	qs_headers_free(&r->j.headers);
	g_free(r->action_error);
	if (r->line)
		g_string_free(r->line, TRUE);
	g_free(r);
}

/* process - load and judge one message (any thread); ST_JUDGED or ST_SKIPPED */
static int process(struct qs_pipeline *p, struct qs_judge_ctx *ctx, struct qs_result *r)
{
	struct qs_msg *m = &r->msg;
	int rc;

	qs_msg_clear(m);
	qs_judgement_clear(&r->j);
	m->format = p->parser->name;
	rc = p->parser->load(p->rootfd, &r->item, m);
	if (rc == QS_LOAD_SKIP)
		return ST_SKIPPED;
	if (rc < 0 && m->err == QS_ERR_NONE)
		qs_msg_fail(m, QS_ERR_UNREADABLE, "%s: could not be read", r->item.path);
	/* the walk knows these even when the load failed */
	if (m->id == NULL)
		m->id = g_strdup(r->item.id);
	if (m->path == NULL)
		m->path = g_strdup(r->item.path);
	if (m->queue == NULL)
		m->queue = g_strdup(r->item.queue);
	if (m->files->len == 0) {
		guint i;
		for (i = 0; i < r->item.files->len; i++)
			qs_msg_add_file(m, g_ptr_array_index(r->item.files, i));
	}
	if (m->mtime < 0)
		m->mtime = r->item.mtime;
	/* a bulk scan shows no per-rule trace (that is `qscan explain`) */
	r->j.quiet = true;
	qs_judge(ctx, m, &r->j);
	/* its action is "none" already unless the actor may take it */
	if (p->prerender && (p->actor == NULL || r->j.verdict != QS_VERDICT_RELAY))
		p->prerender(r);
	return ST_JUDGED;
}

struct worker_arg {
	struct run *run;
	GAsyncQueue *q;
};

static gpointer worker(gpointer data)
{
	struct worker_arg *wa = data;
	struct run *run = wa->run;
	struct qs_judge_ctx *ctx = qs_judge_ctx_new(run->p->cfg);
	struct qs_result *r;

	while ((r = g_async_queue_pop(wa->q)) != (gpointer)run) {
		struct qs_result *batch[RUN_BATCH];
		guint i, n = run->run_len[r->seq % run->window];

		/* take the run's results now: none is judged yet, so none of
		 * their slots can be refilled by the main thread meanwhile */
		for (i = 0; i < n; i++)
			batch[i] = run->ring[(r->seq + i) % run->window];
		for (i = 0; i < n; i++) {
			int st;

			r = batch[i];
			st = process(run->p, ctx, r);
			/* the state is published atomically (seq_cst) before
			 * head_waiting is read, and the main thread sets
			 * head_waiting before it reads the state: one of the two
			 * sees the other, so no wake-up is lost. GCond wakes by a
			 * futex call even with nobody asleep: only wake the main
			 * thread when it waits, for this result */
			g_atomic_int_set(&r->state, st);
			if (g_atomic_int_get(&run->head_waiting)) {
				g_mutex_lock(&run->lock);
				if (run->head_waiting && (r->seq == run->wait_head || r->seq == run->wait_last))
					g_cond_broadcast(&run->judged);
				g_mutex_unlock(&run->lock);
			}
		}
	}
	qs_judge_ctx_free(&ctx);
	return NULL;
}

static void act_done(void *cookie, const char *action, const char *uuid, const char *error)
{
	struct qs_result *r = cookie;

	r->action = action;
	g_strlcpy(r->quarantine_uuid, uuid ? uuid : "", sizeof r->quarantine_uuid);
	r->action_error = g_strdup(error);
	r->state = ST_FINAL;
}

/* submit_judged - decide the action of every judged result not yet
 * decided, in walk order, up to the first one still being judged: the
 * actor then sees whole batches, not one message at a time */
static void submit_judged(struct run *run)
{
	struct qs_pipeline *p = run->p;

	while (run->decided < run->tail) {
		struct qs_result *r = run->ring[run->decided % run->window];
		int st;

		st = g_atomic_int_get(&r->state);	/* see worker() */
		if (st == ST_QUEUED)
			return;
		if (st == ST_JUDGED) {
			r->action = "none";
			r->state = ST_FINAL;
			/* after SIGTERM nothing new is acted on: it is reported as is */
			if (p->actor && r->j.verdict == QS_VERDICT_RELAY && !qs_stop_requested()) {
				r->state = ST_ACTING;
				qs_actor_submit_judged(p->actor, &r->msg, &r->j, act_done, r);
			}
		}
		run->decided++;
	}
}

/*
 * hand_over - give the walked results not yet handed over to the
 * workers, in runs of at most RUN_BATCH. The ring is cut into chunks of
 * RUN_BATCH slots and a chunk always goes to the same worker: a slot's
 * memory (the message and judgement, cleared and refilled in process())
 * is then allocated, used and freed by one thread, never freed into
 * another thread's malloc arena under its lock, and stays in the cache
 * of one CPU.
 */
static void hand_over(struct run *run)
{
	while (run->todo && run->handed < run->tail) {
		gint64 slot = run->handed % run->window;
		gint64 end = MIN(run->tail, run->handed + RUN_BATCH - slot % RUN_BATCH);

		run->run_len[slot] = (guint8)(end - run->handed);
		g_async_queue_push(run->todo[(slot / RUN_BATCH) % run->nq], run->ring[slot]);
		run->handed = end;
	}
}

/* advance - hand back every result at the head that is final; block
 * (waiting for workers, flushing the actor) only while head < need */
static void advance(struct run *run, gint64 need)
{
	struct qs_pipeline *p = run->p;

	for (;;) {
		bool wait = run->head < need;

		submit_judged(run);
		while (run->head < run->decided) {
			struct qs_result *r = run->ring[run->head % run->window];
			if (r->state == ST_ACTING) {
				if (!wait)
					return;
				qs_actor_flush(p->actor);
				if (r->state != ST_FINAL)
					act_done(r, "failed", NULL, "the action was not carried out");
			}
			if (r->state != ST_SKIPPED)
				p->on_result(r, p->data);
			run->head++;
			wait = run->head < need;
		}
		if (!wait || run->head == run->tail)
			return;
		/* the head is still being judged by a worker: sleep until a
		 * batch behind it is judged too (workers take results in
		 * order), so that one wake-up hands back many results; first
		 * hand over what the walk left pending, or none would come */
		hand_over(run);
		g_mutex_lock(&run->lock);
		run->wait_head = run->head;
		run->wait_last = MIN(run->head + WAKE_BATCH, run->tail) - 1;
		for (;;) {
			g_atomic_int_set(&run->head_waiting, TRUE);
			if (g_atomic_int_get(&run->ring[run->wait_head % run->window]->state) != ST_QUEUED &&
			    g_atomic_int_get(&run->ring[run->wait_last % run->window]->state) != ST_QUEUED)
				break;
			g_cond_wait(&run->judged, &run->lock);
		}
		g_atomic_int_set(&run->head_waiting, FALSE);
		g_mutex_unlock(&run->lock);
	}
}

/* next_slot - a result to fill for sequence number `tail` */
static struct qs_result *next_slot(struct run *run)
{
	struct qs_result **slot;

	if (run->tail - run->head >= run->window)
		advance(run, run->tail - run->window + 1);	/* free one slot at least */
	slot = &run->ring[run->tail % run->window];
	if (*slot == NULL)
		*slot = result_new();
	else
		result_reset(*slot);
	(*slot)->seq = run->tail;
	return *slot;
}

static void start_workers(struct run *run, guint jobs)
{
	struct worker_arg *wa = g_new(struct worker_arg, jobs);
	guint i;

	run->nq = jobs;
	run->todo = g_new(GAsyncQueue *, jobs);
	run->threads = g_ptr_array_new();
	run->args = wa;
	for (i = 0; i < jobs; i++) {
		run->todo[i] = g_async_queue_new();
		wa[i].run = run;
		wa[i].q = run->todo[i];
		g_ptr_array_add(run->threads, g_thread_new("qscan-worker", worker, &wa[i]));
	}
}

static void stop_workers(struct run *run)
{
	guint i;

	for (i = 0; i < run->nq; i++)
		g_async_queue_push(run->todo[i], run);	/* the run itself = "exit" */
	for (i = 0; i < run->threads->len; i++)
		g_thread_join(g_ptr_array_index(run->threads, i));
	g_ptr_array_free(run->threads, TRUE);
	for (i = 0; i < run->nq; i++)
		g_async_queue_unref(run->todo[i]);
	g_free(run->todo);
	g_free(run->args);
	run->todo = NULL;
}

static void walk_all(struct run *run, struct qs_walk *w, struct qs_judge_ctx *inline_ctx)
{
	struct qs_pipeline *p = run->p;

	while (!qs_stop_requested()) {
		struct qs_result *r = next_slot(run);
		GError *err = NULL;
		int n = p->parser->walk_next(w, &r->item, &err);

		if (n == 0)
			break;
		if (n < 0) {
			qs_warn("%s: %s", p->root, err ? err->message : "walk error");
			g_clear_error(&err);
			p->walk_errors++;
			continue;
		}
		r->state = ST_QUEUED;
		run->tail++;
		if (inline_ctx) {
			r->state = process(p, inline_ctx, r);
		} else if (run->tail % RUN_BATCH == 0) {	/* a whole chunk */
			hand_over(run);
		}
		advance(run, 0);
	}
	hand_over(run);
}

int qs_pipeline_run(struct qs_pipeline *p, GError **err)
{
	struct run run;
	struct qs_walk *w;
	struct qs_judge_ctx *inline_ctx = NULL;
	guint i;

	w = p->parser->walk_new(p->rootfd, p->root, err);
	if (w == NULL)
		return -1;
	memset(&run, 0, sizeof run);
	run.p = p;
	run.window = p->actor ? ACT_WINDOW : WINDOW;
	run.ring = g_new0(struct qs_result *, run.window);
	run.run_len = g_new0(guint8, run.window);
	g_mutex_init(&run.lock);
	g_cond_init(&run.judged);
	if (p->jobs <= 1)
		inline_ctx = qs_judge_ctx_new(p->cfg);
	else
		start_workers(&run, p->jobs);
	walk_all(&run, w, inline_ctx);
	advance(&run, run.tail);
	if (inline_ctx)
		qs_judge_ctx_free(&inline_ctx);
	else
		stop_workers(&run);
	p->parser->walk_free(w);
	for (i = 0; i < (guint)run.window; i++)
		if (run.ring[i])
			result_free(run.ring[i]);
	g_free(run.ring);
	g_free(run.run_len);
	g_mutex_clear(&run.lock);
	g_cond_clear(&run.judged);
	return 0;
}
