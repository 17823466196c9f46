/*
 * reconcile.c - finishing journalled operations: the forward path of a
 * run and the recovery after a crash share qs_move_settle(), so a
 * message interrupted at any point ends up exactly where an
 * uninterrupted run would have put it (or back in the queue).
 */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "act-int.h"
#include "util.h"

/* the content file: last in move order for Postfix and qmail (queue
 * file, mess), first for MDaemon and IceWarp */
static const struct qs_jfile *content_file(const struct qs_jentry *e)
{
	bool last = g_strcmp0(e->format, "postfix") == 0 || g_strcmp0(e->format, "qmail") == 0;

	if (e->jfiles->len == 0)
		return NULL;
	return g_ptr_array_index(e->jfiles, last ? e->jfiles->len - 1 : 0);
}

static bool in_store(struct qs_store *s, const char *uuid, const struct qs_jfile *f)
{
	char *p = qs_store_find(s->qfd, uuid, f->path, NULL);

	g_free(p);
	return p != NULL;
}

/* put back whatever of e already reached the store */
static void roll_back(struct qs_store *s, struct qs_jentry *e, GString *notes)
{
	char *state = e->state;
	guint n;

	e->state = (char *)"restoring";
	qs_move_finish(s, e, &n, notes);
	e->state = state;
	if (n == e->jfiles->len)
		qs_store_remove(s->qfd, e, NULL);
}

static const char *settle_out(struct qs_store *s, struct qs_jentry *e, GString *notes)
{
	const struct qs_jfile *c = content_file(e);
	guint n = 0;
	int rc;

	if (g_strcmp0(e->method, "qmail-live") == 0)
		return qs_qmail_live_finish(s, e, notes) == 0 ? "quarantined" : "failed";
	rc = qs_move_finish(s, e, &n, notes);
	/* every file reached the store (the common case): no need to look */
	if (c && ((rc == 0 && n == e->jfiles->len) || in_store(s, e->uuid, c)))
		return "quarantined";
	if (n > 0)
		roll_back(s, e, notes);
	else
		qs_store_remove(s->qfd, e, NULL);
	return rc < 0 ? "failed" : "vanished";
}

const char *qs_move_settle_files(struct qs_store *s, struct qs_jentry *e, GString *notes)
{
	guint n;

	if (e->deletion && g_strcmp0(e->method, "qmail-live") == 0) {
		qs_qmail_live_delete(s, e, notes);
		return "deleted";
	}
	if (e->deletion) {
		qs_move_finish(s, e, &n, notes);
		return "deleted";
	}
	if (g_strcmp0(e->state, "restoring") == 0) {
		if (qs_move_finish(s, e, &n, notes) < 0)
			return "restoring";
		qs_store_remove(s->qfd, e, NULL);
		return "restored";
	}
	return settle_out(s, e, notes);
}

int qs_move_settle(struct qs_store *s, struct qs_jentry *e, const char **state_r,
		   GString *notes, GError **err)
{
	gsize len0 = notes->len;
	const char *st = qs_move_settle_files(s, e, notes);

	*state_r = st;
	return qs_journal_set_state(s->db, e->deletion, e->uuid, st,
				    notes->len > len0 ? notes->str + len0 : NULL, err);
}

void qs_move_sync(struct qs_store *s)
{
	struct stat r, q;

	syncfs(s->rootfd);
	/* one file system (the usual case): the first syncfs did it all */
	if (s->qfd >= 0 && (fstat(s->rootfd, &r) < 0 || fstat(s->qfd, &q) < 0 ||
			    r.st_dev != q.st_dev))
		syncfs(s->qfd);
}

int qs_move_commit(struct qs_store *s, GError **err)
{
	qs_move_sync(s);
	return qs_db_commit(s->db, err);
}

/* a native qmail move must not go on under a running qmail-send
 * (postfix-qmail.md 2.6); otherwise *mutex holds lock/sendmutex */
static bool qmail_busy(struct qs_store *s, const struct qs_jentry *e, int *mutex)
{
	*mutex = -1;
	if (g_strcmp0(e->format, "qmail") != 0 || g_strcmp0(e->method, "qmail-live") == 0 ||
	    g_strcmp0(e->state, "restoring") == 0)
		return false;
	return qs_qmail_sendmutex(s->rootfd, mutex) == 1;
}

int qs_move_reconcile(struct qs_store *s, GString *log, GError **err)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)qs_jentry_free);
	guint i;
	int rc = 0;

	if (qs_journal_pending(s->db, rows, err) < 0) {
		g_ptr_array_free(rows, TRUE);
		return -1;
	}
	for (i = 0; i < rows->len && rc == 0; i++) {
		struct qs_jentry *e = g_ptr_array_index(rows, i);
		GString *notes = g_string_new(NULL);
		const char *was = e->state, *st;
		int mutex = -1;

		/* other queues' rows belong to whoever holds their lock */
		if (g_strcmp0(e->queue_root, s->root) != 0) {
			g_string_free(notes, TRUE);
			continue;
		}
		if (e->deletion)
			was = "deleting";
		if (qmail_busy(s, e, &mutex)) {
			if (log)
				g_string_append_printf(log, "not finished now: %s %s (qmail %s): qmail-send "
						       "is running; stop it, then run qscan again\n",
						       e->deletion ? "deletion" : "quarantine", e->uuid,
						       e->queue_id);
			g_string_free(notes, TRUE);
			continue;
		}
		rc = qs_move_settle(s, e, &st, notes, err);
		if (mutex >= 0)
			close(mutex);
		if (log)
			g_string_append_printf(log, "reconciled %s %s (%s %s): %s -> %s%s%s",
					       e->deletion ? "deletion" : "quarantine", e->uuid,
					       e->format, e->queue_id, was, st,
					       notes->len ? "; " : "", notes->str);
		if (log && (notes->len == 0 || notes->str[notes->len - 1] != '\n'))
			g_string_append_c(log, '\n');
		g_string_free(notes, TRUE);
	}
	if (rc == 0)
		rc = qs_move_commit(s, err);
	g_ptr_array_free(rows, TRUE);
	return rc;
}
