/*
 * act_flight.c - a batch in flight: its files move on FILE_THREADS
 * threads, one message per thread at a time, each message's files in
 * their MTA-safe order exactly as a single thread would, while the main
 * thread goes on reading, judging and journalling the next batch.
 * Landing it waits for the threads (qs_flight_join), then makes the
 * moves durable (syncfs) and only then marks the journal rows, on the
 * main thread (SQLite is touched by the main thread only), while the
 * next batch's files already move (qs_flight_mark); the marks are
 * committed with the next journal, one disk sync for both.
 * Waiting for the disk (rename, unlink with online discard, fsync of
 * copies) overlaps across messages and with the reading.
 */
#include "config.h"
#include <string.h>
#include <unistd.h>
#include "act-actor.h"
#include "log.h"
#include "util.h"

#define FILE_THREADS 8

struct settled {
	const char *st;		/* NULL: not started (SIGTERM) */
	GString *notes;
	bool content_left;	/* a deletion: the content file still there */
};

struct flight {
	struct qs_actor *a;
	GPtrArray *all;		/* the batch: handed back when it lands */
	GPtrArray *v;		/* its items being moved */
	struct settled *out;	/* one per item of v */
	gint next;		/* the next item of v to take (atomic) */
	GThread *t[FILE_THREADS];
	guint threads;
	int mutex;		/* qmail lock/sendmutex held while files move */
};

static void settle_one(struct flight *f, guint i)
{
	struct item *it = g_ptr_array_index(f->v, i);
	struct settled *o = &f->out[i];

	o->notes = g_string_new(NULL);
	/* SIGTERM: the messages of the batch not started yet stay where
	 * they are; their journal rows are closed on landing, not left `moving` */
	if (it->error || qs_stop_requested())
		return;
	o->st = qs_move_settle_files(&f->a->s, it->e, o->notes);
	if (strcmp(o->st, "deleted") == 0 && g_strcmp0(it->e->method, "qmail-live") != 0 &&
	    qs_act_content_jfile(it) != NULL)
		o->content_left = qs_act_has_file(f->a, it->content, qs_act_content_jfile(it));
}

static gpointer settle_thread(gpointer data)
{
	struct flight *f = data;
	gint i;

	while ((i = g_atomic_int_add(&f->next, 1)) < (gint)f->v->len)
		settle_one(f, (guint)i);
	return NULL;
}

void qs_flight_start(struct qs_actor *a, GPtrArray *all, GPtrArray *v, int mutex)
{
	struct flight *f = g_new0(struct flight, 1);
	guint n = MIN(FILE_THREADS, v->len);

	f->a = a;
	f->all = all;
	f->v = v;
	f->out = g_new0(struct settled, v->len);
	f->mutex = mutex;
	for (f->threads = 0; f->threads < n; f->threads++) {
		GError *err = NULL;
		f->t[f->threads] = g_thread_try_new("qscan-files", settle_thread, f, &err);
		if (f->t[f->threads] == NULL) {
			g_error_free(err);
			break;
		}
	}
	if (f->threads == 0)
		settle_thread(f);	/* no thread to be had: this one does it */
	a->flight = f;
}

/* the journal row of one item, and its result */
static void mark(struct qs_actor *a, struct item *it, struct settled *o)
{
	GString *notes = o->notes;
	const char *st = o->st;
	GError *err = NULL;

	if (it->error == NULL && st == NULL) {
		if (qs_journal_set_state(a->s.db, it->e->deletion, it->e->uuid, "failed",
					 "stopped (SIGTERM) before this message was moved", &err) < 0)
			g_clear_error(&err);
		qs_act_fail(it, "stopped (SIGTERM) before acting; left in the queue");
	}
	if (it->error == NULL &&
	    qs_journal_set_state(a->s.db, it->e->deletion, it->e->uuid, st,
				 notes->len ? notes->str : NULL, &err) < 0) {
		qs_act_fail(it, "%s", err->message);
		g_error_free(err);
	}
	g_strchomp(notes->str);
	if (it->error)
		;
	else if (strcmp(st, "quarantined") == 0)
		it->result = "quarantined";
	else if (strcmp(st, "deleted") == 0 && !o->content_left)
		it->result = "deleted";
	else
		qs_act_fail(it, "%s: %s", st, notes->len ? notes->str : "nothing was moved");
	g_string_free(notes, TRUE);
}

struct flight *qs_flight_join(struct qs_actor *a)
{
	struct flight *f = a->flight;
	guint i;

	if (f == NULL)
		return NULL;
	for (i = 0; i < f->threads; i++)
		g_thread_join(f->t[i]);
	if (f->mutex >= 0)
		close(f->mutex);
	a->flight = NULL;
	return f;
}

GPtrArray *qs_flight_mark(struct qs_actor *a, struct flight *f)
{
	GPtrArray *all;
	guint i;

	if (f == NULL)
		return NULL;
	/* the moves are on disk before any row says they happened */
	if (f->v->len)
		qs_move_sync(&a->s);
	for (i = 0; i < f->v->len; i++)
		mark(a, g_ptr_array_index(f->v, i), &f->out[i]);
	all = f->all;
	g_ptr_array_free(f->v, TRUE);
	g_free(f->out);
	g_free(f);
	return all;
}
