/* report.c - JSON lines and the human triage report; see report.h. */
#include "config.h"
#include <string.h>
#include "addr.h"
#include "report.h"
#include "util.h"

#include "report_priv.h"

static void row_free(gpointer p)
{
	struct row *r = p;

	g_free(r->sample);
	g_free(r);
}

struct qs_report *qs_report_new(const struct qs_report_opts *o, FILE *out)
{
	static const char *titles[AGG_N] = {
		"origin IP", "AUTH user", "sender domain", "recipient domain",
	};
	struct qs_report *r = g_new0(struct qs_report, 1);
	int i;

	r->o = *o;
	r->out = out;
	r->line = g_string_sized_new(1024);
	for (i = 0; i < 3; i++)
		r->reasons[i] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (i = 0; i < AGG_N; i++) {
		r->agg[i].title = titles[i];
		r->agg[i].rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, row_free);
	}
	r->arrival = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, row_free);
	r->listed = g_ptr_array_new_with_free_func(g_free);
	r->first = G_MAXINT64;
	r->last = -1;
	return r;
}

void qs_report_free(struct qs_report **rp)
{
	struct qs_report *r = *rp;
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < 3; i++)
		g_hash_table_destroy(r->reasons[i]);
	for (i = 0; i < AGG_N; i++) {
		g_hash_table_destroy(r->agg[i].rows);
		g_free(r->agg[i].other.sample);
	}
	g_hash_table_destroy(r->arrival);
	g_ptr_array_free(r->listed, TRUE);
	g_string_free(r->line, TRUE);
	g_free(r);
	*rp = NULL;
}

const struct qs_report_totals *qs_report_totals(const struct qs_report *r)
{
	return &r->t;
}

#define PUT(out, lit) qs_gs_put((out), (lit), sizeof(lit) - 1)

static void json_strv(GString *out, GPtrArray *v)
{
	guint i;

	PUT(out, "[");
	for (i = 0; v && i < v->len; i++) {
		if (i)
			PUT(out, ",");
		qs_json_str(out, g_ptr_array_index(v, i));
	}
	PUT(out, "]");
}

/* json_key - `,"key":"value"` (no printf: this runs 20 times a message);
 * key is a string literal, so `,"key":` is one constant-length copy */
#define json_key(out, key, value) (PUT((out), ",\"" key "\":"), qs_json_str((out), (value)))

/* the recipients still to be delivered, as a JSON array (report.h) */
void qs_report_json_pending(GString *out, const struct qs_msg *m)
{
	guint i, n = 0;

	PUT(out, "[");
	for (i = 0; i < m->rcpts->len; i++) {
		const struct qs_rcpt *rc = g_ptr_array_index(m->rcpts, i);
		if (rc->done)
			continue;
		if (n++)
			PUT(out, ",");
		qs_json_str(out, rc->addr);
	}
	PUT(out, "]");
}

void qs_report_json_message(GString *out, const struct qs_result *res)
{
	const struct qs_msg *m = &res->msg;
	const struct qs_judgement *j = &res->j;
	char abuf[QS_ISO_TIME_LEN], *aheap = NULL;
	const char *arrival = qs_iso_time_into(m->arrival, abuf) ? abuf : (aheap = qs_iso_time(m->arrival));

	PUT(out, "{\"type\":\"message\"");
	json_key(out, "format", m->format);
	json_key(out, "queue", m->queue);
	json_key(out, "id", m->id);
	json_key(out, "path", m->path);
	PUT(out, ",\"files\":");
	json_strv(out, m->files);
	json_key(out, "verdict", qs_verdict_name(j->verdict));
	PUT(out, ",\"reasons\":");
	json_strv(out, j->reasons);
	json_key(out, "action", res->action ? res->action : "none");
	json_key(out, "sender", m->sender);
	PUT(out, ",\"recipients\":");
	qs_report_json_pending(out, m);
	json_key(out, "client_ip", j->client_ip ? j->client_ip : m->client_ip);
	json_key(out, "client_helo", j->client_helo ? j->client_helo : m->client_helo);
	json_key(out, "auth_user", j->auth_user ? j->auth_user : m->auth_user);
	json_key(out, "origin_ip", j->origin_ip);
	json_key(out, "subject", j->subject);
	if (m->size >= 0) {
		char num[24], *p = num + sizeof num;
		guint64 v = (guint64)m->size;
		do
			*--p = (char)('0' + v % 10);
		while ((v /= 10) > 0);
		PUT(out, ",\"size\":");
		qs_gs_put(out, p, (size_t)(num + sizeof num - p));
	} else
		PUT(out, ",\"size\":null");
	json_key(out, "arrival", arrival);
	json_key(out, "error", res->action_error ? res->action_error : m->error);
	json_key(out, "explanation", j->explanation);
	if (m->notes->len) {
		PUT(out, ",\"notes\":");
		json_strv(out, m->notes);
	}
	PUT(out, "}");
	g_free(aheap);
}

static void count(GHashTable *t, const char *key)
{
	guint64 *n = g_hash_table_lookup(t, key);

	if (n == NULL) {
		n = g_new0(guint64, 1);
		g_hash_table_insert(t, g_strdup(key), n);
	}
	(*n)++;
}

static void agg_add(struct agg *a, const char *key, enum qs_verdict v, const char *subject)
{
	struct row *row;

	if (key == NULL || *key == '\0')
		return;
	row = g_hash_table_lookup(a->rows, key);
	if (row == NULL && g_hash_table_size(a->rows) >= AGG_CAP)
		row = &a->other;
	if (row == NULL) {
		row = g_new0(struct row, 1);
		g_hash_table_insert(a->rows, g_strdup(key), row);
	}
	row->n[v]++;
	if (row->sample == NULL && subject)
		row->sample = g_strdup(subject);
}

static void arrival_add(struct qs_report *r, gint64 t, enum qs_verdict v)
{
	gint64 hour = t - t % 3600;
	struct row *row;

	if (t < 0)
		return;
	r->first = MIN(r->first, t);
	r->last = MAX(r->last, t);
	row = g_hash_table_lookup(r->arrival, &hour);
	if (row == NULL) {
		gint64 *k;
		if (g_hash_table_size(r->arrival) >= AGG_CAP)
			return;
		k = g_new(gint64, 1);
		*k = hour;
		row = g_new0(struct row, 1);
		g_hash_table_insert(r->arrival, k, row);
	}
	row->n[v]++;
}

static const char *vcolor(const struct qs_report *r, enum qs_verdict v)
{
	if (!r->o.color)
		return "";
	return v == QS_VERDICT_RELAY ? "\033[31m" : v == QS_VERDICT_LEGIT ? "\033[32m" : "\033[33m";
}

/* wrap - append text word-wrapped at `width` columns, continuation
 * lines indented by `indent` (counted in characters, not bytes) */
static void wrap(GString *out, const char *text, int indent, int width)
{
	char **words = g_strsplit(text, " ", -1);
	long col = indent;
	int i;

	for (i = 0; words[i]; i++) {
		long n = g_utf8_strlen(words[i], -1);
		if (*words[i] == '\0')
			continue;
		if (col > indent && col + 1 + n > width) {
			g_string_append_printf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			g_string_append_c(out, ' ');
			col++;
		}
		g_string_append(out, words[i]);
		col += n;
	}
	g_strfreev(words);
}

/* list_line - "verdict  path" then the explanation, error and action,
 * wrapped to the terminal width below it */
static void list_line(struct qs_report *r, const struct qs_result *res)
{
	const struct qs_msg *m = &res->msg;
	const char *expl = res->j.explanation ? res->j.explanation : "";
	const char *vname = qs_verdict_name(res->j.verdict);
	char *where = qs_printable(m->path ? m->path : m->id);
	GString *text = g_string_new(NULL), *l = g_string_new(NULL);
	char *why;

	/* the explanation starts "relay: ..."; the verdict column says that */
	if (g_str_has_prefix(expl, vname) && expl[strlen(vname)] == ':')
		expl += strlen(vname) + 1 + (expl[strlen(vname) + 1] == ' ');
	g_string_append(text, expl);
	if (m->error)
		g_string_append_printf(text, " [%s]", m->error);
	if (strcmp(res->action ? res->action : "none", "none") != 0)
		g_string_append_printf(text, " -> %s", res->action);
	if (res->action_error)
		g_string_append_printf(text, " (%s)", res->action_error);
	why = qs_printable(text->str);
	g_string_append_printf(l, "%s%-6s%s %s\n       ", vcolor(r, res->j.verdict), vname,
			       r->o.color ? "\033[0m" : "", where);
	wrap(l, why, 7, r->o.width > 20 ? r->o.width : 80);
	g_ptr_array_add(r->listed, g_string_free(l, FALSE));
	g_string_free(text, TRUE);
	g_free(where);
	g_free(why);
}

static void tally(struct qs_report *r, const struct qs_result *res)
{
	const struct qs_msg *m = &res->msg;
	const struct qs_judgement *j = &res->j;
	enum qs_verdict v = j->verdict;
	char *sdom;
	guint i;

	r->t.scanned++;
	if (v == QS_VERDICT_RELAY)
		r->t.relay++;
	else if (v == QS_VERDICT_LEGIT)
		r->t.legit++;
	else
		r->t.unsure++;
	if (m->err != QS_ERR_NONE)
		r->t.errors++;
	if (res->action && strcmp(res->action, "failed") == 0)
		r->t.act_failed++;
	else if (res->action && strcmp(res->action, "none") != 0)
		r->t.acted++;
	/* the tables below only feed the human report: JSON lines end
	 * with the totals (qs_report_finish) */
	if (r->o.json)
		return;
	sdom = m->sender ? qs_addr_domain(m->sender) : NULL;
	for (i = 0; i < j->reasons->len; i++)
		count(r->reasons[v], g_ptr_array_index(j->reasons, i));
	agg_add(&r->agg[AGG_IP], j->origin_ip, v, j->subject);
	agg_add(&r->agg[AGG_AUTH], j->auth_user, v, j->subject);
	agg_add(&r->agg[AGG_SENDER], m->sender ? (*m->sender ? (sdom ? sdom : "(none)") : "<>") : NULL,
		v, j->subject);
	for (i = 0; i < j->dests->len; i++) {
		const struct qs_dest *d = g_ptr_array_index(j->dests, i);
		agg_add(&r->agg[AGG_RCPT], d->dest ? d->dest : "(local part)", v, j->subject);
	}
	arrival_add(r, m->arrival, v);
	g_free(sdom);
}

void qs_report_prerender_json(struct qs_result *res)
{
	if (res->line == NULL)
		res->line = g_string_sized_new(1024);
	g_string_truncate(res->line, 0);
	qs_report_json_message(res->line, res);
	g_string_append_c(res->line, '\n');
	res->line_ready = true;
}

void qs_report_add(struct qs_report *r, const char *root, const struct qs_result *res)
{
	tally(r, res);
	if (r->o.json && res->line_ready) {
		fwrite(res->line->str, 1, res->line->len, r->out);
		return;
	}
	if (r->o.json) {
		g_string_truncate(r->line, 0);
		qs_report_json_message(r->line, res);
		g_string_append_c(r->line, '\n');
		fwrite(r->line->str, 1, r->line->len, r->out);
		return;
	}
	if (!r->o.show[res->j.verdict] && res->msg.err == QS_ERR_NONE)
		return;
	if (r->listed->len >= LIST_CAP) {
		r->unlisted++;
		return;
	}
	list_line(r, res);
}

