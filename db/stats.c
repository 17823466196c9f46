/* stats.c - per-IP, per-user, per-domain counts by verdict and day; see stats.h. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "blocklist.h"
#include "dbread.h"
#include "stats.h"
#include "util.h"

const char *const qs_stats_verdicts[QS_V_N] = { "relay", "legit", "unsure" };

/* the first sighting of every message in the window (see stats.h) */
static const char sql_messages[] =
	"WITH f AS (SELECT min(m.id) AS id FROM messages m JOIN runs r ON r.id = m.run_id"
	" WHERE m.day BETWEEN ?1 AND ?2 GROUP BY r.queue_root, m.queue_id, m.arrival)"
	" SELECT m.day, m.verdict, m.auth_user, m.sender_domain"
	" FROM f JOIN messages m ON m.id = f.id ORDER BY m.day";
static const char sql_ips[] =
	"SELECT day, verdict, ip, count FROM ip_counts WHERE day BETWEEN ?1 AND ?2 ORDER BY day";
static const char sql_runs[] =
	"SELECT count(*), max(started) FROM runs WHERE started >= ?1";

struct agg {
	GHashTable *rows;	/* key -> struct qs_stat_row * (owned by the array) */
	GPtrArray *arr;
};

static int verdict_index(const char *v)
{
	int i;

	for (i = 0; v && i < QS_V_N; i++)
		if (strcmp(v, qs_stats_verdicts[i]) == 0)
			return i;
	return -1;
}

guint64 qs_stat_total(const guint64 v[QS_V_N])
{
	return v[QS_V_RELAY] + v[QS_V_LEGIT] + v[QS_V_UNSURE];
}

static void row_free(gpointer p)
{
	struct qs_stat_row *r = p;

	g_free(r->key);
	g_array_free(r->days, TRUE);
	g_free(r);
}

static void agg_init(struct agg *a)
{
	a->rows = g_hash_table_new(g_str_hash, g_str_equal);
	a->arr = g_ptr_array_new_with_free_func(row_free);
}

/* agg_add - count n for key on day index d; rows arrive in day order */
static void agg_add(struct agg *a, const char *key, guint d, int v, guint64 n)
{
	struct qs_stat_row *r;
	struct qs_stat_day *last;

	if (key == NULL || *key == '\0')
		return;
	r = g_hash_table_lookup(a->rows, key);
	if (r == NULL) {
		r = g_new0(struct qs_stat_row, 1);
		r->key = g_strdup(key);
		r->days = g_array_new(FALSE, TRUE, sizeof(struct qs_stat_day));
		g_ptr_array_add(a->arr, r);
		g_hash_table_insert(a->rows, r->key, r);
	}
	last = r->days->len ? &g_array_index(r->days, struct qs_stat_day, r->days->len - 1) : NULL;
	if (last == NULL || last->day != d) {
		struct qs_stat_day nd = { .day = d };
		g_array_append_val(r->days, nd);
		last = &g_array_index(r->days, struct qs_stat_day, r->days->len - 1);
	}
	last->v[v] += n;
	r->v[v] += n;
}

/* rank: most relay first, then most messages, then by key */
static gint row_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct qs_stat_row *a = *(struct qs_stat_row *const *)pa;
	const struct qs_stat_row *b = *(struct qs_stat_row *const *)pb;
	guint64 ta = qs_stat_total(a->v), tb = qs_stat_total(b->v);

	if (a->v[QS_V_RELAY] != b->v[QS_V_RELAY])
		return a->v[QS_V_RELAY] > b->v[QS_V_RELAY] ? -1 : 1;
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return strcmp(a->key, b->key);
}

static GPtrArray *agg_finish(struct agg *a)
{
	g_hash_table_destroy(a->rows);
	g_ptr_array_sort(a->arr, row_cmp);
	return a->arr;
}

static int day_index(const struct qs_stats *s, const char *day, guint *d)
{
	guint lo = 0, hi = s->ndays;

	/* days are sorted strings: binary search */
	while (day && lo < hi) {
		guint mid = (lo + hi) / 2;
		int c = strcmp(day, s->days[mid]);
		if (c == 0) {
			*d = mid;
			return 0;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* run_window - bind the window, step every row through fn */
static int run_window(sqlite3 *db, const char *path, const char *sql, struct qs_stats *s,
		      void (*fn)(struct qs_stats *, sqlite3_stmt *, void *), void *ctx, GError **err)
{
	sqlite3_stmt *st = qs_dbr_prepare(db, path, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, s->days[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->days[s->ndays - 1], -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(s, st, ctx);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		qs_dbr_step_error(db, path, rc, err);
		return -1;
	}
	return 0;
}

static void on_message(struct qs_stats *s, sqlite3_stmt *st, void *ctx)
{
	struct agg *a = ctx;	/* [0] users, [1] domains */
	guint d;
	int v = verdict_index((const char *)sqlite3_column_text(st, 1));

	if (v < 0 || day_index(s, (const char *)sqlite3_column_text(st, 0), &d) < 0)
		return;
	s->day_tot[d][v]++;
	s->tot[v]++;
	agg_add(&a[0], (const char *)sqlite3_column_text(st, 2), d, v, 1);
	agg_add(&a[1], (const char *)sqlite3_column_text(st, 3), d, v, 1);
}

static void on_ip(struct qs_stats *s, sqlite3_stmt *st, void *ctx)
{
	guint d;
	int v = verdict_index((const char *)sqlite3_column_text(st, 1));
	sqlite3_int64 n = sqlite3_column_int64(st, 3);
	struct qs_block b;
	const char *ip;

	if (v < 0 || n <= 0 || day_index(s, (const char *)sqlite3_column_text(st, 0), &d) < 0)
		return;
	/* one address, one row: 2001:DB8::1 and 2001:db8::1 are merged */
	ip = (const char *)sqlite3_column_text(st, 2);
	agg_add(ctx, qs_block_parse(ip, &b) ? b.text : ip, d, v, (guint64)n);
}

static int read_runs(sqlite3 *db, const char *path, struct qs_stats *s, gint64 from, GError **err)
{
	sqlite3_stmt *st = qs_dbr_prepare(db, path, sql_runs, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->runs = (guint64)sqlite3_column_int64(st, 0);
		s->last_run = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		qs_dbr_step_error(db, path, rc, err);
		return -1;
	}
	return 0;
}

static struct qs_stats *stats_new(guint days, gint64 now)
{
	struct qs_stats *s = g_new0(struct qs_stats, 1);
	guint i;

	s->ndays = days;
	s->days = g_malloc0_n(days, sizeof *s->days);
	s->day_tot = g_malloc0_n(days, sizeof *s->day_tot);
	for (i = 0; i < days; i++)
		qs_dbr_day(now, days - 1 - i, s->days[i]);
	s->last_run = -1;
	return s;
}

int qs_stats_collect(sqlite3 *db, const char *path, guint days, gint64 now,
		     struct qs_stats **out, GError **err)
{
	struct qs_stats *s;
	struct agg msg[2], ips;
	GDateTime *t;
	int rc;

	if (days == 0 || days > QS_STATS_MAX_DAYS) {
		g_set_error(err, QS_ERROR, 0, "days must be 1 to %d, not %u", QS_STATS_MAX_DAYS, days);
		return -1;
	}
	s = stats_new(days, now);
	agg_init(&msg[0]);
	agg_init(&msg[1]);
	agg_init(&ips);
	rc = run_window(db, path, sql_messages, s, on_message, msg, err);
	if (rc == 0)
		rc = run_window(db, path, sql_ips, s, on_ip, &ips, err);
	s->users = agg_finish(&msg[0]);
	s->domains = agg_finish(&msg[1]);
	s->ips = agg_finish(&ips);
	if (rc == 0) {
		t = g_date_time_new_utc(atoi(s->days[0]), atoi(s->days[0] + 5), atoi(s->days[0] + 8), 0, 0, 0);
		rc = read_runs(db, path, s, g_date_time_to_unix(t), err);
		g_date_time_unref(t);
	}
	if (rc < 0)
		qs_stats_free(&s);
	*out = s;
	return rc;
}

void qs_stats_free(struct qs_stats **sp)
{
	struct qs_stats *s = *sp;

	if (s == NULL)
		return;
	g_free(s->days);
	g_free(s->day_tot);
	if (s->ips)
		g_ptr_array_free(s->ips, TRUE);
	if (s->users)
		g_ptr_array_free(s->users, TRUE);
	if (s->domains)
		g_ptr_array_free(s->domains, TRUE);
	g_free(s);
	*sp = NULL;
}

int qs_stats_print_at(const char *db_path, guint days, bool json, gint64 now,
		      GString *out, GError **err)
{
	sqlite3 *db = qs_dbr_open(db_path, err);
	struct qs_stats *s = NULL;
	int rc;

	if (db == NULL)
		return -1;
	rc = qs_stats_collect(db, db_path, days ? days : QS_STATS_DAYS, now, &s, err);
	qs_dbr_close(&db);
	if (rc < 0)
		return -1;
	qs_stats_format(s, json, QS_STATS_TOP, out);
	qs_stats_free(&s);
	return 0;
}

int qs_stats_print(const char *db_path, guint days, bool json, GString *out, GError **err)
{
	return qs_stats_print_at(db_path, days, json, g_get_real_time() / G_USEC_PER_SEC, out, err);
}
