/*
 * stats.h - `qscan stats`: per-IP, per-AUTH-user and per-sender-domain
 * counts by verdict and day over the last N days (UTC), read from the
 * database (db/schema.sql) opened read-only.
 *
 * Origin IPs come from ip_counts (each message counted once, on the
 * first run that saw it; spellings of one address are merged into its
 * canonical form, as in the block list). AUTH users, sender domains and the per-day
 * totals come from messages, de-duplicated the same way: a message
 * (queue_root, queue_id, arrival) seen by several runs counts once,
 * with the verdict of its first sighting.
 *
 * Text output fits 80 columns; JSON output is one object per line, each
 * with "type": "day" lines (every day of the window, oldest first),
 * then "ip", "auth_user", "sender_domain" lines (best first, at most
 * QS_STATS_TOP each), then one "summary" line. doc/qscan.1 describes it.
 */
#ifndef QS_STATS_H
#define QS_STATS_H

#include <glib.h>
#include <stdbool.h>
#include <sqlite3.h>

#define QS_STATS_DAYS 7		/* default window */
#define QS_STATS_MAX_DAYS 3660	/* ten years */
#define QS_STATS_TOP 20		/* rows per ranking */

enum { QS_V_RELAY, QS_V_LEGIT, QS_V_UNSURE, QS_V_N };
extern const char *const qs_stats_verdicts[QS_V_N];

struct qs_stat_day {
	guint day;			/* index into qs_stats.days */
	guint64 v[QS_V_N];
};

struct qs_stat_row {
	char *key;			/* IP, AUTH user or sender domain as stored */
	guint64 v[QS_V_N];
	GArray *days;			/* struct qs_stat_day, oldest first, non-zero only */
};

struct qs_stats {
	guint ndays;
	char (*days)[11];		/* "YYYY-MM-DD", oldest first */
	guint64 (*day_tot)[QS_V_N];	/* per day, all messages */
	guint64 tot[QS_V_N];
	GPtrArray *ips, *users, *domains;	/* struct qs_stat_row *, ranked */
	guint64 runs;			/* runs started in the window */
	gint64 last_run;		/* started, or -1 */
};

/* read the window of days ending today (now, UTC) from an open database */
int qs_stats_collect(sqlite3 *db, const char *path, guint days, gint64 now,
		     struct qs_stats **out, GError **err);
void qs_stats_free(struct qs_stats **s);
guint64 qs_stat_total(const guint64 v[QS_V_N]);
/* render: text (80 columns) or JSON lines; at most top rows per ranking */
void qs_stats_format(const struct qs_stats *s, bool json, guint top, GString *out);

/* qscan stats: open db_path read-only, collect, render; days 0 = 7 */
int qs_stats_print(const char *db_path, guint days, bool json, GString *out, GError **err);
/* the same with an explicit "now" (unix seconds), for tests */
int qs_stats_print_at(const char *db_path, guint days, bool json, gint64 now,
		      GString *out, GError **err);

#endif
