/* stats_fmt.c - render struct qs_stats as 80-column text or JSON lines; see stats.h. */
#include "config.h"
#include <string.h>
#include "stats.h"
#include "util.h"

#define KEY_COLS 39	/* an IPv6 address is at most 39 characters */

static const char *const kinds[3][2] = {	/* JSON type, text title */
	{ "ip", "Top origin IPs" },
	{ "auth_user", "Top AUTH users" },
	{ "sender_domain", "Top sender domains" },
};

static void json_counts(GString *out, const guint64 v[QS_V_N])
{
	int i;

	for (i = 0; i < QS_V_N; i++)
		g_string_append_printf(out, "\"%s\":%" G_GUINT64_FORMAT ",", qs_stats_verdicts[i], v[i]);
	g_string_append_printf(out, "\"total\":%" G_GUINT64_FORMAT, qs_stat_total(v));
}

static void json_row(GString *out, const struct qs_stats *s, const char *type, guint rank,
		     const struct qs_stat_row *r)
{
	guint i;

	g_string_append_printf(out, "{\"type\":\"%s\",\"rank\":%u,\"%s\":", type, rank, type);
	qs_json_str(out, r->key);
	g_string_append_c(out, ',');
	json_counts(out, r->v);
	g_string_append_printf(out, ",\"first_day\":\"%s\",\"last_day\":\"%s\",\"days\":{",
			       s->days[g_array_index(r->days, struct qs_stat_day, 0).day],
			       s->days[g_array_index(r->days, struct qs_stat_day, r->days->len - 1).day]);
	for (i = 0; i < r->days->len; i++) {
		const struct qs_stat_day *d = &g_array_index(r->days, struct qs_stat_day, i);
		g_string_append_printf(out, "%s\"%s\":{", i ? "," : "", s->days[d->day]);
		json_counts(out, d->v);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "}}\n");
}

static void format_json(const struct qs_stats *s, guint top, GString *out)
{
	GPtrArray *lists[3] = { s->ips, s->users, s->domains };
	char *last = qs_iso_time(s->last_run);
	guint i, k;

	for (i = 0; i < s->ndays; i++) {
		g_string_append_printf(out, "{\"type\":\"day\",\"day\":\"%s\",", s->days[i]);
		json_counts(out, s->day_tot[i]);
		g_string_append(out, "}\n");
	}
	for (k = 0; k < 3; k++)
		for (i = 0; i < lists[k]->len && i < top; i++)
			json_row(out, s, kinds[k][0], i + 1, lists[k]->pdata[i]);
	g_string_append_printf(out, "{\"type\":\"summary\",\"days\":%u,\"from\":\"%s\",\"to\":\"%s\",",
			       s->ndays, s->days[0], s->days[s->ndays - 1]);
	json_counts(out, s->tot);
	g_string_append_printf(out, ",\"ips\":%u,\"auth_users\":%u,\"sender_domains\":%u,\"top\":%u,"
			       "\"runs\":%" G_GUINT64_FORMAT ",\"last_run\":",
			       s->ips->len, s->users->len, s->domains->len, top, s->runs);
	qs_json_str(out, last);
	g_string_append(out, "}\n");
	g_free(last);
}

/* text_key - printable key padded (or cut with '~') to KEY_COLS characters */
static void text_key(GString *out, const char *key)
{
	char *p = qs_printable(key);
	glong n = g_utf8_strlen(p, -1);

	if (n > KEY_COLS) {
		char *end = g_utf8_offset_to_pointer(p, KEY_COLS - 1);
		g_string_append_len(out, p, end - p);
		g_string_append_c(out, '~');
	} else {
		g_string_append(out, p);
		for (; n < KEY_COLS; n++)
			g_string_append_c(out, ' ');
	}
	g_free(p);
}

static void text_counts(GString *out, const guint64 v[QS_V_N], bool total)
{
	int i;

	for (i = 0; i < QS_V_N; i++)
		g_string_append_printf(out, " %8" G_GUINT64_FORMAT, v[i]);
	if (total)
		g_string_append_printf(out, " %8" G_GUINT64_FORMAT, qs_stat_total(v));
}

static void text_list(GString *out, const struct qs_stats *s, guint k, GPtrArray *l, guint top)
{
	guint i;
	char title[64];

	g_snprintf(title, sizeof title, "%s (%u of %u)", kinds[k][1], MIN(top, l->len), l->len);
	g_string_append_printf(out, "\n%-*s %8s %8s %8s  %s\n", KEY_COLS, title,
			       "relay", "legit", "unsure", "days");
	for (i = 0; i < l->len && i < top; i++) {
		const struct qs_stat_row *r = l->pdata[i];
		guint a = g_array_index(r->days, struct qs_stat_day, 0).day;
		guint b = g_array_index(r->days, struct qs_stat_day, r->days->len - 1).day;
		text_key(out, r->key);
		text_counts(out, r->v, false);
		/* MM-DD..MM-DD: the first and last day with a message */
		g_string_append_printf(out, "  %s", s->days[a] + 5);
		if (a != b)
			g_string_append_printf(out, "..%s", s->days[b] + 5);
		g_string_append_c(out, '\n');
	}
	if (l->len == 0)
		g_string_append(out, "(none)\n");
}

static void format_text(const struct qs_stats *s, guint top, GString *out)
{
	GPtrArray *lists[3] = { s->ips, s->users, s->domains };
	char *last = qs_iso_time(s->last_run);
	guint i;

	g_string_append_printf(out, "qscan stats %s to %s (%u day%s, UTC)\n%" G_GUINT64_FORMAT
			       " run%s, last %s\n\n", s->days[0], s->days[s->ndays - 1], s->ndays,
			       s->ndays == 1 ? "" : "s", s->runs, s->runs == 1 ? "" : "s",
			       last ? last : "never");
	g_string_append_printf(out, "%-12s %8s %8s %8s %8s\n", "day", "relay", "legit", "unsure", "total");
	for (i = 0; i < s->ndays; i++) {
		g_string_append_printf(out, "%-12s", s->days[i]);
		text_counts(out, s->day_tot[i], true);
		g_string_append_c(out, '\n');
	}
	g_string_append_printf(out, "%-12s", "all");
	text_counts(out, s->tot, true);
	g_string_append_c(out, '\n');
	for (i = 0; i < 3; i++)
		text_list(out, s, i, lists[i], top);
	g_free(last);
}

void qs_stats_format(const struct qs_stats *s, bool json, guint top, GString *out)
{
	if (json)
		format_json(s, top, out);
	else
		format_text(s, top, out);
}
