/* report_html.c - the self-contained HTML report; see report_html.h. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "blocklist.h"
#include "dbread.h"
#include "report_html.h"
#include "stats.h"
#include "util.h"

#define CHART_W 960
#define CHART_H 240
#define CHART_TOP 20
#define CHART_BOTTOM 30
#define CHART_LEFT 60

static const char css[] =
	"body{font:14px/1.4 sans-serif;margin:24px;color:#1d2330;background:#fff}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}"
	".meta{color:#5a6270}table{border-collapse:collapse;min-width:560px}"
	"th,td{padding:3px 10px;border-bottom:1px solid #dde1e7;text-align:left}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"td.k{font-family:monospace;word-break:break-all}"
	".cards{display:flex;gap:14px;margin:16px 0}"
	".card{padding:10px 18px;border-radius:6px;color:#fff;min-width:110px}"
	".card b{display:block;font-size:24px}"
	".relay{background:#c62828}.legit{background:#2e7d32}.unsure{background:#ef8f00}"
	".total{background:#37474f}.empty{color:#5a6270;font-style:italic}"
	".bar{display:inline-block;height:10px;background:#c62828;vertical-align:middle}";

void qs_html_esc(GString *out, const char *s)
{
	char *v;
	const char *p;

	if (s == NULL)
		return;
	v = g_utf8_make_valid(s, -1);
	for (p = v; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		switch (c) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		case '\'': g_string_append(out, "&#39;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c < 0xa0))
				g_string_append(out, "\xef\xbf\xbd");
			else
				g_string_append_unichar(out, c);
		}
	}
	g_free(v);
}

static void counts_attrs(GString *out, const guint64 v[QS_V_N])
{
	int i;

	for (i = 0; i < QS_V_N; i++)
		g_string_append_printf(out, " data-%s=\"%" G_GUINT64_FORMAT "\"", qs_stats_verdicts[i], v[i]);
	g_string_append_printf(out, " data-total=\"%" G_GUINT64_FORMAT "\"", qs_stat_total(v));
}

static void cards(GString *out, const struct qs_stats *s)
{
	static const char *const label[QS_V_N] = { "relay", "legit", "unsure" };
	int i;

	g_string_append(out, "<div class=\"cards\" id=\"totals\"");
	counts_attrs(out, s->tot);
	g_string_append(out, ">\n");
	for (i = 0; i < QS_V_N; i++)
		g_string_append_printf(out, "<div class=\"card %s\"><b id=\"total-%s\">%" G_GUINT64_FORMAT
				       "</b>%s</div>\n", label[i], label[i], s->tot[i], label[i]);
	g_string_append_printf(out, "<div class=\"card total\"><b id=\"total-all\">%" G_GUINT64_FORMAT
			       "</b>messages</div>\n</div>\n", qs_stat_total(s->tot));
}

/* chart_bar - one day: relay at the bottom, then unsure, then legit */
static void chart_bar(GString *out, const struct qs_stats *s, guint i, double bw, double scale)
{
	static const char *const fill[QS_V_N] = { "#c62828", "#2e7d32", "#ef8f00" };
	static const int order[QS_V_N] = { QS_V_RELAY, QS_V_UNSURE, QS_V_LEGIT };
	double x = CHART_LEFT + i * bw + bw * 0.1, y = CHART_H - CHART_BOTTOM;
	guint step = s->ndays / 15 + 1;
	int k;

	g_string_append_printf(out, "<g class=\"day\" data-day=\"%s\"", s->days[i]);
	counts_attrs(out, s->day_tot[i]);
	g_string_append_printf(out, "><title>%s: %" G_GUINT64_FORMAT " relay, %" G_GUINT64_FORMAT
			       " legit, %" G_GUINT64_FORMAT " unsure</title>", s->days[i],
			       s->day_tot[i][0], s->day_tot[i][1], s->day_tot[i][2]);
	for (k = 0; k < QS_V_N; k++) {
		double h = s->day_tot[i][order[k]] * scale;
		if (h <= 0)
			continue;
		y -= h;
		g_string_append_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				       "fill=\"%s\"/>", x, y, bw * 0.8, h, fill[order[k]]);
	}
	if (i % step == 0 || i == s->ndays - 1)
		g_string_append_printf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
				       x + bw * 0.4, CHART_H - 10, s->days[i] + 5);
	g_string_append(out, "</g>\n");
}

static void chart(GString *out, const struct qs_stats *s)
{
	guint64 max = 1;
	double bw = (double)(CHART_W - CHART_LEFT - 10) / s->ndays, scale;
	guint i;

	for (i = 0; i < s->ndays; i++)
		max = MAX(max, qs_stat_total(s->day_tot[i]));
	scale = (double)(CHART_H - CHART_TOP - CHART_BOTTOM) / (double)max;
	g_string_append_printf(out, "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
			       "height=\"%d\" viewBox=\"0 0 %d %d\" font-size=\"12\" fill=\"#1d2330\">\n",
			       CHART_W, CHART_H, CHART_W, CHART_H);
	g_string_append_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#5a6270\"/>\n"
			       "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#dde1e7\"/>\n"
			       "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" G_GUINT64_FORMAT "</text>\n"
			       "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
			       CHART_LEFT, CHART_H - CHART_BOTTOM, CHART_W - 10, CHART_H - CHART_BOTTOM,
			       CHART_LEFT, CHART_TOP, CHART_W - 10, CHART_TOP,
			       CHART_LEFT - 6, CHART_TOP + 4, max, CHART_LEFT - 6, CHART_H - CHART_BOTTOM);
	for (i = 0; i < s->ndays; i++)
		chart_bar(out, s, i, bw, scale);
	g_string_append(out, "</svg>\n<p class=\"meta\">Messages per arrival day (UTC): "
			"<span style=\"color:#c62828\">&#9632; relay</span> "
			"<span style=\"color:#ef8f00\">&#9632; unsure</span> "
			"<span style=\"color:#2e7d32\">&#9632; legit</span></p>\n");
}

static void ranking(GString *out, const char *kind, const char *title, GPtrArray *l)
{
	guint64 max = 1;
	guint i;

	g_string_append_printf(out, "<h2>%s</h2>\n", title);
	if (l->len == 0) {
		g_string_append(out, "<p class=\"empty\">none in this period</p>\n");
		return;
	}
	for (i = 0; i < l->len && i < QS_STATS_TOP; i++)
		max = MAX(max, ((struct qs_stat_row *)l->pdata[i])->v[QS_V_RELAY]);
	g_string_append_printf(out, "<table id=\"top-%s\"><tr><th></th><th class=\"n\">relay</th>"
			       "<th class=\"n\">legit</th><th class=\"n\">unsure</th><th></th></tr>\n", kind);
	for (i = 0; i < l->len && i < QS_STATS_TOP; i++) {
		const struct qs_stat_row *r = l->pdata[i];
		g_string_append_printf(out, "<tr class=\"row\" data-kind=\"%s\" data-key=\"", kind);
		qs_html_esc(out, r->key);
		g_string_append_c(out, '"');
		counts_attrs(out, r->v);
		g_string_append(out, "><td class=\"k\">");
		qs_html_esc(out, r->key);
		g_string_append_printf(out, "</td><td class=\"n\">%" G_GUINT64_FORMAT "</td><td class=\"n\">%"
				       G_GUINT64_FORMAT "</td><td class=\"n\">%" G_GUINT64_FORMAT "</td>"
				       "<td><span class=\"bar\" style=\"width:%upx\"></span></td></tr>\n",
				       r->v[0], r->v[1], r->v[2], (guint)(r->v[QS_V_RELAY] * 160 / max));
	}
	g_string_append(out, "</table>\n");
}

static void blocks(GString *out, const struct qs_blocklist *bl)
{
	guint i;

	g_string_append_printf(out, "<h2>Block candidates</h2>\n<p class=\"meta\" id=\"block-rule\" "
			       "data-threshold=\"%u\" data-window=\"%u\">At least %u relay messages in %u "
			       "days (%s to %s); trusted, whitelisted and local addresses are never "
			       "listed (%u left out). Export: <code>qscan blocklist --format "
			       "tcprules|postfix|nft|ipset|plain</code></p>\n", bl->threshold, bl->window,
			       bl->threshold, bl->window, bl->from, bl->to, bl->excluded);
	if (bl->c->len == 0) {
		g_string_append(out, "<p class=\"empty\">none</p>\n");
		return;
	}
	g_string_append(out, "<table id=\"blocks\"><tr><th>address</th><th class=\"n\">relay</th></tr>\n");
	for (i = 0; i < bl->c->len; i++) {
		const struct qs_block *b = &g_array_index(bl->c, struct qs_block, i);
		g_string_append_printf(out, "<tr class=\"block\" data-ip=\"%s\" data-relay=\"%" G_GUINT64_FORMAT
				       "\"><td class=\"k\">%s</td><td class=\"n\">%" G_GUINT64_FORMAT "</td></tr>\n",
				       b->text, b->relay, b->text, b->relay);
	}
	g_string_append(out, "</table>\n");
}

static const char sql_runs[] =
	"SELECT id, started, finished, queue_root, format, action, scanned, relay, legit, unsure,"
	" errors, acted, elapsed_s FROM runs ORDER BY started DESC, id DESC LIMIT ?1";

static void run_time(GString *out, sqlite3_stmt *st, int col)
{
	char *t = sqlite3_column_type(st, col) == SQLITE_NULL ? NULL :
		  qs_iso_time(sqlite3_column_int64(st, col));

	g_string_append(out, "<td>");
	qs_html_esc(out, t ? t : (col == 2 ? "unfinished" : "?"));
	g_string_append(out, "</td>");
	g_free(t);
}

static void run_row(GString *out, sqlite3_stmt *st)
{
	int c;

	g_string_append_printf(out, "<tr class=\"run\" data-id=\"%lld\">", (long long)sqlite3_column_int64(st, 0));
	run_time(out, st, 1);
	run_time(out, st, 2);
	for (c = 3; c <= 5; c++) {
		g_string_append(out, c == 3 ? "<td class=\"k\">" : "<td>");
		qs_html_esc(out, (const char *)sqlite3_column_text(st, c));
		g_string_append(out, "</td>");
	}
	for (c = 6; c <= 11; c++)
		g_string_append_printf(out, "<td class=\"n\">%lld</td>", (long long)sqlite3_column_int64(st, c));
	if (sqlite3_column_type(st, 12) == SQLITE_NULL)
		g_string_append(out, "<td class=\"n\"></td></tr>\n");
	else
		g_string_append_printf(out, "<td class=\"n\">%.2f</td></tr>\n", sqlite3_column_double(st, 12));
}

static int runs(GString *out, sqlite3 *db, const char *path, GError **err)
{
	sqlite3_stmt *st = qs_dbr_prepare(db, path, sql_runs, err);
	int rc, n = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, QS_REPORT_RUNS);
	g_string_append(out, "<h2>Recent runs</h2>\n<table id=\"runs\"><tr><th>started (UTC)</th>"
			"<th>finished</th><th>queue</th><th>format</th><th>action</th><th class=\"n\">"
			"scanned</th><th class=\"n\">relay</th><th class=\"n\">legit</th><th class=\"n\">"
			"unsure</th><th class=\"n\">errors</th><th class=\"n\">acted</th>"
			"<th class=\"n\">seconds</th></tr>\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		run_row(out, st);
		n++;
	}
	sqlite3_finalize(st);
	g_string_append(out, "</table>\n");
	if (n == 0)
		g_string_append(out, "<p class=\"empty\">no run recorded</p>\n");
	if (rc != SQLITE_DONE) {
		qs_dbr_step_error(db, path, rc, err);
		return -1;
	}
	return 0;
}

static void page_head(GString *out, const struct qs_stats *s, const char *db_path, gint64 now)
{
	char *gen = qs_iso_time(now);

	g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
			"style-src 'unsafe-inline'; img-src data:\">\n<title>qscan report ");
	g_string_append_printf(out, "%s to %s</title>\n<style>%s</style>\n</head><body>\n"
			       "<h1>qscan report</h1>\n<p class=\"meta\" id=\"period\" data-from=\"%s\" "
			       "data-to=\"%s\" data-days=\"%u\">%s to %s (%u days, UTC), database <code>",
			       s->days[0], s->days[s->ndays - 1], css, s->days[0], s->days[s->ndays - 1],
			       s->ndays, s->days[0], s->days[s->ndays - 1], s->ndays);
	qs_html_esc(out, db_path);
	g_string_append_printf(out, "</code>, generated %s</p>\n", gen);
	g_free(gen);
}

static int build_page(GString *out, sqlite3 *db, const char *db_path, guint days,
		      const struct qs_config *cfg, gint64 now, GError **err)
{
	struct qs_stats *s = NULL;
	struct qs_blocklist bl;
	int rc;

	if (qs_stats_collect(db, db_path, days, now, &s, err) < 0)
		return -1;
	if (qs_blocklist_collect(db, db_path, cfg, 0, 0, now, &bl, err) < 0) {
		qs_stats_free(&s);
		return -1;
	}
	page_head(out, s, db_path, now);
	cards(out, s);
	chart(out, s);
	ranking(out, "ip", "Top origin IPs", s->ips);
	ranking(out, "auth_user", "Top AUTH users", s->users);
	ranking(out, "sender_domain", "Top sender domains", s->domains);
	blocks(out, &bl);
	rc = runs(out, db, db_path, err);
	g_string_append(out, "</body></html>\n");
	qs_blocklist_clear(&bl);
	qs_stats_free(&s);
	return rc;
}

/* write_atomic - temp file beside the target, then rename: never a half page */
static int write_atomic(const char *path, const GString *page, GError **err)
{
	char *tmp;
	int rc = 0;

	if (strcmp(path, "-") == 0) {
		if (fwrite(page->str, 1, page->len, stdout) != page->len || fflush(stdout) != 0) {
			g_set_error(err, QS_ERROR, errno, "stdout: write error: %s", g_strerror(errno));
			return -1;
		}
		return 0;
	}
	tmp = g_strdup_printf("%s.tmp.%ld", path, (long)getpid());
	if (!g_file_set_contents(tmp, page->str, (gssize)page->len, err) || chmod(tmp, 0644) < 0 ||
	    rename(tmp, path) < 0) {
		if (err && *err == NULL)
			g_set_error(err, QS_ERROR, errno, "%s: cannot write the report: %s", path,
				    g_strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	g_free(tmp);
	return rc;
}

int qs_report_html_cfg(const char *db_path, const char *out_path, guint days,
		       const struct qs_config *cfg, gint64 now, GError **err)
{
	GString *page = g_string_sized_new(64 * 1024);
	sqlite3 *db = qs_dbr_open(db_path, err);
	int rc = -1;

	if (db != NULL) {
		rc = build_page(page, db, db_path, days ? days : QS_STATS_DAYS, cfg, now, err);
		qs_dbr_close(&db);
	}
	if (rc == 0)
		rc = write_atomic(out_path, page, err);
	g_string_free(page, TRUE);
	return rc;
}

int qs_report_html(const char *db_path, const char *out_path, guint days, GError **err)
{
	struct qs_config *cfg = qs_config_new();	/* the embedded defaults */
	int rc = qs_report_html_cfg(db_path, out_path, days, cfg, g_get_real_time() / G_USEC_PER_SEC, err);

	qs_config_free(&cfg);
	return rc;
}
