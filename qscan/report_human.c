/* report_human.c - the human triage report printed at the end of a scan. */
#include "config.h"
#include <string.h>
#include "report_priv.h"
#include "util.h"

struct kv {
	const char *key;
	const struct row *row;
	guint64 total;
};

static gint kv_cmp(gconstpointer a, gconstpointer b)
{
	const struct kv *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* reasons_line - "open-relay 50000, auth-abuse 4980" sorted by count */
static char *reasons_line(GHashTable *t)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct kv));
	GHashTableIter it;
	gpointer k, v;
	GString *s = g_string_new(NULL);
	guint i;

	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct kv e = { k, NULL, *(guint64 *)v };
		g_array_append_val(a, e);
	}
	g_array_sort(a, kv_cmp);
	for (i = 0; i < a->len; i++) {
		const struct kv *e = &g_array_index(a, struct kv, i);
		g_string_append_printf(s, "%s%s %" G_GUINT64_FORMAT, i ? ", " : "", e->key, e->total);
	}
	g_array_free(a, TRUE);
	return g_string_free(s, FALSE);
}

static void print_totals(struct qs_report *r, double elapsed)
{
	static const enum qs_verdict order[] = { QS_VERDICT_RELAY, QS_VERDICT_LEGIT, QS_VERDICT_UNSURE };
	const guint64 n[3] = { r->t.unsure, r->t.legit, r->t.relay };
	int i;

	fprintf(r->out, "%" G_GUINT64_FORMAT " messages scanned in %.2f s\n", r->t.scanned, elapsed);
	for (i = 0; i < 3; i++) {
		enum qs_verdict v = order[i];
		char *why = reasons_line(r->reasons[v]);
		double pct = r->t.scanned ? 100.0 * (double)n[v] / (double)r->t.scanned : 0;
		fprintf(r->out, "  %s%-6s%s %8" G_GUINT64_FORMAT " %5.1f%%  %s\n", r->o.color ?
			(v == QS_VERDICT_RELAY ? "\033[31m" : v == QS_VERDICT_LEGIT ? "\033[32m" : "\033[33m") : "",
			qs_verdict_name(v), r->o.color ? "\033[0m" : "", n[v], pct, why);
		g_free(why);
	}
	if (r->t.errors)
		fprintf(r->out, "  errors %8" G_GUINT64_FORMAT "         messages that could not be read (unsure)\n",
			r->t.errors);
}

/* print_agg - the top rows of one grouped view, 80 columns */
static void print_agg(struct qs_report *r, struct agg *a)
{
	GArray *rows = g_array_new(FALSE, FALSE, sizeof(struct kv));
	GHashTableIter it;
	gpointer k, v;
	guint i;

	if (g_hash_table_size(a->rows) == 0) {
		fprintf(r->out, "\nTop %s: none known\n", a->title);
		g_array_free(rows, TRUE);
		return;
	}
	g_hash_table_iter_init(&it, a->rows);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct row *row = v;
		struct kv e = { k, row, row->n[0] + row->n[1] + row->n[2] };
		g_array_append_val(rows, e);
	}
	g_array_sort(rows, kv_cmp);
	fprintf(r->out, "\nTop %-29s %7s %6s %6s  %s\n", a->title, "relay", "legit", "unsure",
		"sample subject");
	for (i = 0; i < rows->len && i < TOP_ROWS; i++) {
		const struct kv *e = &g_array_index(rows, struct kv, i);
		char *key = qs_printable(e->key);
		char *subj = qs_printable(e->row->sample ? e->row->sample : "");
		if (g_utf8_strlen(subj, -1) > 22)
			*g_utf8_offset_to_pointer(subj, 21) = '\0';
		fprintf(r->out, "  %-31.31s %7" G_GUINT64_FORMAT " %6" G_GUINT64_FORMAT " %6" G_GUINT64_FORMAT
			"  %s\n", key, e->row->n[QS_VERDICT_RELAY], e->row->n[QS_VERDICT_LEGIT],
			e->row->n[QS_VERDICT_UNSURE], subj);
		g_free(key);
		g_free(subj);
	}
	if (rows->len > TOP_ROWS)
		fprintf(r->out, "  ... %u more\n", rows->len - TOP_ROWS);
	g_array_free(rows, TRUE);
}

static gint hour_cmp(gconstpointer a, gconstpointer b)
{
	gint64 x = **(gint64 *const *)a, y = **(gint64 *const *)b;

	return x < y ? -1 : x > y;
}

/* print_arrival - messages per hour, newest 24 hours with traffic: the
 * 3-4 per minute pacing of a slow spam run shows as a flat line */
static void print_arrival(struct qs_report *r)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;
	guint i, start;
	guint64 max = 1;

	if (g_hash_table_size(r->arrival) == 0)
		return;
	g_hash_table_iter_init(&it, r->arrival);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct row *row = v;
		g_ptr_array_add(keys, k);
		max = MAX(max, row->n[0] + row->n[1] + row->n[2]);
	}
	g_ptr_array_sort(keys, hour_cmp);
	start = keys->len > 24 ? keys->len - 24 : 0;
	fprintf(r->out, "\nArrival rate (UTC hour, all messages; relay share)%s\n",
		start ? " - newest 24 hours with mail" : "");
	for (i = start; i < keys->len; i++) {
		const gint64 *hour = g_ptr_array_index(keys, i);
		const struct row *row = g_hash_table_lookup(r->arrival, hour);
		guint64 n = row->n[0] + row->n[1] + row->n[2];
		char *when = qs_iso_time(*hour);
		int bar = (int)(24 * n / max);
		when[13] = '\0';
		fprintf(r->out, "  %s:00 %7" G_GUINT64_FORMAT " %5.1f/min relay %5.1f%%  %.*s\n", when, n,
			(double)n / 60.0, 100.0 * (double)row->n[QS_VERDICT_RELAY] / (double)n, bar,
			"########################");
		g_free(when);
	}
	g_ptr_array_free(keys, TRUE);
}

void qs_report_finish(struct qs_report *r, double elapsed_s, guint64 walk_errors)
{
	guint i;

	if (r->o.json) {
		fprintf(r->out, "{\"type\":\"summary\",\"scanned\":%" G_GUINT64_FORMAT ",\"relay\":%"
			G_GUINT64_FORMAT ",\"legit\":%" G_GUINT64_FORMAT ",\"unsure\":%" G_GUINT64_FORMAT
			",\"errors\":%" G_GUINT64_FORMAT ",\"acted\":%" G_GUINT64_FORMAT ",\"elapsed_s\":%.3f}\n",
			r->t.scanned, r->t.relay, r->t.legit, r->t.unsure,
			r->t.errors + r->t.act_failed + walk_errors, r->t.acted, elapsed_s);
		fflush(r->out);
		return;
	}
	print_totals(r, elapsed_s);
	if (walk_errors)
		fprintf(r->out, "  %" G_GUINT64_FORMAT " queue entries could not be walked (see the warnings)\n",
			walk_errors);
	for (i = 0; i < AGG_N; i++)
		print_agg(r, &r->agg[i]);
	print_arrival(r);
	if (r->listed->len) {
		GString *which = g_string_new(NULL);
		static const enum qs_verdict order[] = { QS_VERDICT_UNSURE, QS_VERDICT_LEGIT, QS_VERDICT_RELAY };
		for (i = 0; i < 3; i++)
			if (r->o.show[order[i]])
				g_string_append_printf(which, "%s%s", which->len ? ", " : "",
						       qs_verdict_name(order[i]));
		fprintf(r->out, "\nMessages (%s%sand any that could not be read):\n", which->str,
			which->len ? ", " : "");
		g_string_free(which, TRUE);
		for (i = 0; i < r->listed->len; i++)
			fprintf(r->out, "%s\n", (char *)g_ptr_array_index(r->listed, i));
	}
	if (r->unlisted)
		fprintf(r->out, "... and %" G_GUINT64_FORMAT " more (use --json for all)\n", r->unlisted);
	fflush(r->out);
}
