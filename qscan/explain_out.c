/* explain_out.c - `qscan explain` output; see explain_out.h. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "explain_out.h"
#include "report.h"
#include "util.h"

static void key(GString *o, const char *k, const char *v, bool first)
{
	g_string_append_printf(o, "%s\"%s\":", first ? "" : ",", k);
	qs_json_str(o, v);
}

static void hop_json(GString *o, const struct qs_hop *h)
{
	key(o, "from", h->from, true);
	key(o, "rdns", h->rdns, false);
	key(o, "ip", h->ip, false);
	key(o, "by", h->by, false);
	key(o, "with", h->with, false);
	key(o, "id", h->id, false);
	key(o, "for", h->for_addr, false);
	key(o, "auth_user", h->auth_user, false);
	key(o, "date", h->date, false);
	key(o, "mta", h->mta, false);
	g_string_append_printf(o, ",\"authenticated\":%s,\"local\":%s,\"parsed\":%s,\"ours\":%s,\"trusted\":%s",
			       h->authenticated ? "true" : "false", h->local ? "true" : "false",
			       h->parsed ? "true" : "false", h->ours ? "true" : "false",
			       h->trusted ? "true" : "false");
}

void explain_json_judgement(GString *o, const struct qs_judgement *j)
{
	guint i;

	g_string_append(o, "\"hops\":[");
	for (i = 0; i < j->hops->len; i++) {
		g_string_append(o, i ? ",{" : "{");
		hop_json(o, g_ptr_array_index(j->hops, i));
		g_string_append_c(o, '}');
	}
	g_string_append_c(o, ']');
	key(o, "client_ip", j->client_ip, false);
	key(o, "client_helo", j->client_helo, false);
	key(o, "origin_ip", j->origin_ip, false);
	key(o, "auth_user", j->auth_user, false);
	key(o, "subject", j->subject, false);
	g_string_append(o, ",\"recipients\":[");
	for (i = 0; i < j->dests->len; i++) {
		const struct qs_dest *d = g_ptr_array_index(j->dests, i);
		g_string_append(o, i ? ",{" : "{");
		key(o, "address", d->addr, true);
		key(o, "destination", d->dest, false);
		g_string_append_printf(o, ",\"local\":%s}", d->local ? "true" : "false");
	}
	g_string_append(o, "],\"rules\":[");
	for (i = 0; i < j->trace->len; i++) {
		const struct qs_trace *t = g_ptr_array_index(j->trace, i);
		g_string_append(o, i ? ",{" : "{");
		key(o, "rule", t->rule, true);
		g_string_append_printf(o, ",\"matched\":%s", t->matched ? "true" : "false");
		key(o, "detail", t->detail, false);
		g_string_append_c(o, '}');
	}
	g_string_append_c(o, ']');
	key(o, "verdict", qs_verdict_name(j->verdict), false);
	g_string_append(o, ",\"reasons\":[");
	for (i = 0; i < j->reasons->len; i++) {
		if (i)
			g_string_append_c(o, ',');
		qs_json_str(o, g_ptr_array_index(j->reasons, i));
	}
	g_string_append_c(o, ']');
	key(o, "explanation", j->explanation, false);
	if (j->original) {
		g_string_append(o, ",\"original\":{");
		explain_json_judgement(o, j->original);
		g_string_append_c(o, '}');
	}
}

void explain_json(const struct qs_msg *m, const struct qs_judgement *j)
{
	GString *o = g_string_new("{\"type\":\"explain\"");
	guint i, n = 0;

	key(o, "format", m->format, false);
	key(o, "id", m->id, false);
	key(o, "path", m->path, false);
	g_string_append(o, ",\"envelope\":{");
	key(o, "sender", m->sender, true);
	g_string_append(o, ",\"recipients\":");
	if (!m->rcpts_known)
		g_string_append(o, "null");
	else
		qs_report_json_pending(o, m);
	g_string_append(o, ",\"done\":[");
	for (i = 0, n = 0; i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		if (!r->done)
			continue;
		if (n++)
			g_string_append_c(o, ',');
		qs_json_str(o, r->addr);
	}
	g_string_append(o, "]},");
	explain_json_judgement(o, j);
	key(o, "error", m->error, false);
	g_string_append(o, "}\n");
	fputs(o->str, stdout);
	g_string_free(o, TRUE);
}

static void line(int indent, const char *label, const char *value)
{
	char *v = qs_printable(value);

	printf("%*s%-13s %s\n", indent, "", label, v);
	g_free(v);
}

static void hops_text(int in, const struct qs_judgement *j)
{
	guint i;

	printf("%*sReceived chain (newest first):\n", in, "");
	if (j->hops->len == 0)
		printf("%*s  (none)\n", in, "");
	for (i = 0; i < j->hops->len; i++) {
		const struct qs_hop *h = g_ptr_array_index(j->hops, i);
		char *s = g_strdup_printf("from=%s rdns=%s ip=%s by=%s with=%s id=%s for=%s auth=%s%s%s%s%s",
					  h->from ? h->from : "-", h->rdns ? h->rdns : "-", h->ip ? h->ip : "-",
					  h->by ? h->by : "-", h->with ? h->with : "-", h->id ? h->id : "-",
					  h->for_addr ? h->for_addr : "-", h->auth_user ? h->auth_user :
					  h->authenticated ? "(yes)" : "-", h->local ? " local" : "",
					  h->ours ? " OURS" : "", h->trusted ? " TRUSTED" : "",
					  h->parsed ? "" : " UNPARSED");
		char *label = g_strdup_printf("#%u", i + 1);
		line(in + 2, label, s);
		g_free(label);
		g_free(s);
	}
}

static void judgement_text(int in, const struct qs_judgement *j)
{
	guint i;

	line(in, "subject", j->subject);
	hops_text(in, j);
	line(in, "client", j->client_ip);
	line(in, "client HELO", j->client_helo);
	line(in, "AUTH user", j->auth_user);
	line(in, "origin IP", j->origin_ip);
	printf("%*sRecipients:\n", in, "");
	for (i = 0; i < j->dests->len; i++) {
		const struct qs_dest *d = g_ptr_array_index(j->dests, i);
		char *s = g_strdup_printf("%s -> %s (%s)", d->addr, d->dest ? d->dest : "(local part only)",
					  d->local ? "local" : "external");
		line(in + 2, "", s);
		g_free(s);
	}
	if (j->original) {
		printf("%*sCarried original message:\n", in, "");
		judgement_text(in + 4, j->original);
	}
	printf("%*sRules tried, in order:\n", in, "");
	for (i = 0; i < j->trace->len; i++) {
		const struct qs_trace *t = g_ptr_array_index(j->trace, i);
		char *s = g_strdup_printf("%s%s%s", t->matched ? "MATCH" : "no", t->detail ? ": " : "",
					  t->detail ? t->detail : "");
		line(in + 2, t->rule, s);
		g_free(s);
	}
	line(in, "verdict", qs_verdict_name(j->verdict));
	line(in, "why", j->explanation);
}

void explain_text(const struct qs_msg *m, const struct qs_judgement *j)
{
	guint i;

	line(0, "message", m->path);
	line(0, "format", m->format);
	line(0, "id", m->id);
	if (m->error)
		line(0, "ERROR", m->error);
	line(0, "sender", m->sender ? (*m->sender ? m->sender : "<> (null sender)") : "(unknown)");
	if (!m->rcpts_known)
		line(0, "recipients", "(unknown: the format does not record them)");
	for (i = 0; i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		line(0, r->done ? "done rcpt" : "recipient", r->addr);
	}
	line(0, "metadata", NULL);
	line(2, "client IP", m->client_ip);
	line(2, "HELO", m->client_helo);
	line(2, "AUTH user", m->auth_user);
	line(2, "local", m->local_submission ? "yes (no network client)" : "no");
	for (i = 0; i < m->notes->len; i++)
		line(0, "note", g_ptr_array_index(m->notes, i));
	judgement_text(0, j);
}
