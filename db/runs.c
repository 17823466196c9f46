/*
 * runs.c - one row per run, one row per message seen, and the per-IP
 * per-day counts (each message counted once, the first time it is
 * seen: table `counted`, key queue_root, queue_id, arrival).
 */
#include "config.h"
#include <string.h>
#include <time.h>
#include "db-int.h"
#include "util.h"

static char *utc_day(gint64 t)
{
	GDateTime *d = g_date_time_new_from_unix_utc(t);
	char *s;

	if (d == NULL)
		return NULL;
	s = g_date_time_format(d, "%Y-%m-%d");
	g_date_time_unref(d);
	return s;
}

static const char *guess_action(const char *options)
{
	if (options && strstr(options, "--delete"))
		return "delete";
	if (options && strstr(options, "--hold"))
		return "hold";
	return "quarantine";
}

int qs_db_run_begin(struct qs_db *db, const char *queue_root, const char *format,
		    const char *options, gint64 *run_id, GError **err)
{
	return qs_db_run_begin_action(db, queue_root, format, guess_action(options), options,
				      run_id, err);
}

int qs_db_run_begin_action(struct qs_db *db, const char *queue_root, const char *format,
			   const char *action, const char *options, gint64 *run_id, GError **err)
{
	gint64 now = (gint64)time(NULL);
	sqlite3_stmt *s;

	if (qs_db_write_begin(db, err) < 0 || (s = qs_db_stmt(db, ST_RUN_BEGIN, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	qs_db_bind_text(s, 2, queue_root);
	qs_db_bind_text(s, 3, format ? format : "unknown");
	qs_db_bind_text(s, 4, action ? action : "quarantine");
	qs_db_bind_text(s, 5, options);
	if (qs_db_step_done(db, s, "recording the run", err) < 0)
		return -1;
	*run_id = sqlite3_last_insert_rowid(db->h);
	db->run_id = *run_id;
	g_free(db->run_root);
	db->run_root = g_strdup(queue_root);
	g_free(db->scan_day);
	db->scan_day = utc_day(now);
	/* the run row is visible to `qscan stats` at once */
	return qs_db_commit(db, err);
}

static char *join_reasons(const GPtrArray *r)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; r && i < r->len; i++) {
		if (i)
			g_string_append_c(s, ',');
		g_string_append(s, g_ptr_array_index(r, i));
	}
	return g_string_free(s, FALSE);
}

static const char *domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at && at[1] ? at + 1 : NULL;
}

static const char *first_pending(const struct qs_msg *m, guint *count)
{
	const char *first = NULL;
	guint i;

	*count = 0;
	for (i = 0; m->rcpts && i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		if (r->done)
			continue;
		if (first == NULL)
			first = r->addr;
		(*count)++;
	}
	return first;
}

static const char *rcpt_domain(const struct qs_msg *m, const struct qs_judgement *j,
			       guint *count)
{
	const char *first = first_pending(m, count);

	if (j->dests && j->dests->len) {
		const struct qs_dest *d = g_ptr_array_index(j->dests, 0);
		if (d->dest)
			return d->dest;
	}
	return domain_of(first);
}

/* count the message once for its origin IP, day and verdict */
static int count_once(struct qs_db *db, const struct qs_msg *m, const struct qs_judgement *j,
		      const char *day, GError **err)
{
	gint64 key = m->arrival >= 0 ? m->arrival : m->mtime;
	sqlite3_stmt *s;

	if (j->origin_ip == NULL || *j->origin_ip == '\0' || m->id == NULL)
		return 0;
	if ((s = qs_db_stmt(db, ST_COUNTED, err)) == NULL)
		return -1;
	qs_db_bind_text(s, 1, db->run_root ? db->run_root : "");
	qs_db_bind_text(s, 2, m->id);
	sqlite3_bind_int64(s, 3, key);
	if (qs_db_step_done(db, s, "recording a counted message", err) < 0)
		return -1;
	if (sqlite3_changes(db->h) == 0)
		return 0;	/* seen by an earlier run */
	if ((s = qs_db_stmt(db, ST_IPCOUNT, err)) == NULL)
		return -1;
	qs_db_bind_text(s, 1, day);
	qs_db_bind_text(s, 2, j->origin_ip);
	qs_db_bind_text(s, 3, qs_verdict_name(j->verdict));
	return qs_db_step_done(db, s, "counting the origin IP", err);
}

static void bind_msg(sqlite3_stmt *s, gint64 run_id, const struct qs_msg *m,
		     const struct qs_judgement *j, const char *day, const char *reasons,
		     const char *action)
{
	guint n;
	const char *rd = rcpt_domain(m, j, &n);

	sqlite3_bind_int64(s, 1, run_id);
	qs_db_bind_text(s, 2, m->id ? m->id : "");
	qs_db_bind_text(s, 3, m->queue);
	if (m->arrival >= 0)
		sqlite3_bind_int64(s, 4, m->arrival);
	qs_db_bind_text(s, 5, day);
	qs_db_bind_text(s, 6, qs_verdict_name(j->verdict));
	qs_db_bind_text(s, 7, reasons);
	qs_db_bind_text(s, 8, j->origin_ip);
	qs_db_bind_text(s, 9, j->client_ip ? j->client_ip : m->client_ip);
	qs_db_bind_text(s, 10, j->auth_user ? j->auth_user : m->auth_user);
	qs_db_bind_text(s, 11, m->sender);
	qs_db_bind_text(s, 12, domain_of(m->sender));
	sqlite3_bind_int(s, 13, (int)n);
	qs_db_bind_text(s, 14, rd);
	qs_db_bind_text(s, 15, j->subject);
	qs_db_bind_text(s, 16, action ? action : "none");
}

int qs_db_record(struct qs_db *db, gint64 run_id, const struct qs_msg *m,
		 const struct qs_judgement *j, const char *action, GError **err)
{
	return qs_db_record_quarantine(db, run_id, m, j, action, NULL, err);
}

int qs_db_record_quarantine(struct qs_db *db, gint64 run_id, const struct qs_msg *m,
			    const struct qs_judgement *j, const char *action,
			    const char *quarantine_uuid, GError **err)
{
	char *day = m->arrival >= 0 ? utc_day(m->arrival) : NULL;
	char *reasons = join_reasons(j->reasons);
	sqlite3_stmt *s;
	int rc = -1;

	if (day == NULL)
		day = g_strdup(db->scan_day ? db->scan_day : "1970-01-01");
	if (qs_db_write_begin(db, err) < 0 || (s = qs_db_stmt(db, ST_MSG_INSERT, err)) == NULL)
		goto out;
	bind_msg(s, run_id, m, j, day, reasons, action);
	qs_db_bind_text(s, 17, quarantine_uuid);
	if (qs_db_step_done(db, s, "recording a message", err) < 0 ||
	    count_once(db, m, j, day, err) < 0)
		goto out;
	rc = qs_db_write_done(db, err);
out:
	g_free(day);
	g_free(reasons);
	return rc;
}

int qs_db_run_end(struct qs_db *db, gint64 run_id, const struct qs_run_totals *t, GError **err)
{
	sqlite3_stmt *s;

	if (qs_db_write_begin(db, err) < 0 || (s = qs_db_stmt(db, ST_RUN_END, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, (gint64)time(NULL));
	sqlite3_bind_int64(s, 3, (gint64)t->scanned);
	sqlite3_bind_int64(s, 4, (gint64)t->relay);
	sqlite3_bind_int64(s, 5, (gint64)t->legit);
	sqlite3_bind_int64(s, 6, (gint64)t->unsure);
	sqlite3_bind_int64(s, 7, (gint64)t->errors);
	sqlite3_bind_int64(s, 8, (gint64)t->acted);
	sqlite3_bind_double(s, 9, t->elapsed_s);
	if (qs_db_step_done(db, s, "finishing the run", err) < 0)
		return -1;
	return qs_db_commit(db, err);
}
