/* classify.c - STUB: every message is `unsure` / `no-rule` until the
 * judgement engine (POLICY.md) lands; unreadable ones say so. */
#include "config.h"
#include <string.h>
#include "classify.h"

struct qs_judge_ctx {
	const struct qs_config *cfg;
};

struct qs_judge_ctx *qs_judge_ctx_new(const struct qs_config *c)
{
	struct qs_judge_ctx *ctx = g_new0(struct qs_judge_ctx, 1);

	ctx->cfg = c;
	return ctx;
}

void qs_judge_ctx_free(struct qs_judge_ctx **ctx)
{
	g_free(*ctx);
	*ctx = NULL;
}

static void hop_free(gpointer p)
{
	qs_hop_clear(p);
	g_free(p);
}

static void dest_free(gpointer p)
{
	struct qs_dest *d = p;

	g_free(d->addr);
	g_free(d->dest);
	g_free(d);
}

static void trace_free(gpointer p)
{
	struct qs_trace *t = p;

	g_free(t->rule);
	g_free(t->detail);
	g_free(t);
}

void qs_judgement_init(struct qs_judgement *j)
{
	memset(j, 0, sizeof *j);
	j->reasons = g_ptr_array_new_with_free_func(g_free);
	j->hops = g_ptr_array_new_with_free_func(hop_free);
	j->dests = g_ptr_array_new_with_free_func(dest_free);
	j->trace = g_ptr_array_new_with_free_func(trace_free);
	qs_headers_init(&j->headers);
}

void qs_judgement_clear(struct qs_judgement *j)
{
	if (j->original) {
		qs_judgement_clear(j->original);
		g_ptr_array_free(j->original->reasons, TRUE);
		g_ptr_array_free(j->original->hops, TRUE);
		g_ptr_array_free(j->original->dests, TRUE);
		g_ptr_array_free(j->original->trace, TRUE);
		qs_headers_free(&j->original->headers);
		g_free(j->original);
		j->original = NULL;
	}
	g_ptr_array_set_size(j->reasons, 0);
	g_ptr_array_set_size(j->hops, 0);
	g_ptr_array_set_size(j->dests, 0);
	g_ptr_array_set_size(j->trace, 0);
	qs_headers_clear(&j->headers);
	g_free(j->client_ip);
	g_free(j->client_helo);
	g_free(j->auth_user);
	g_free(j->origin_ip);
	g_free(j->subject);
	g_free(j->explanation);
	j->client_ip = j->client_helo = j->auth_user = j->origin_ip = NULL;
	j->subject = j->explanation = NULL;
	j->verdict = QS_VERDICT_UNSURE;
}

const char *qs_verdict_name(enum qs_verdict v)
{
	switch (v) {
	case QS_VERDICT_RELAY: return "relay";
	case QS_VERDICT_LEGIT: return "legit";
	default: return "unsure";
	}
}

void qs_judge(struct qs_judge_ctx *ctx, const struct qs_msg *m, struct qs_judgement *j)
{
	const char *subj;

	j->verdict = QS_VERDICT_UNSURE;
	qs_hdr_parse(m->hdr->data, m->hdr->len, &j->headers);
	subj = qs_headers_get(&j->headers, "Subject", 0);
	j->subject = subj ? qs_hdr_decode(subj) : NULL;
	j->client_ip = g_strdup(m->client_ip);
	j->client_helo = g_strdup(m->client_helo);
	j->auth_user = g_strdup(m->auth_user);
	if (m->err == QS_ERR_UNREADABLE)
		g_ptr_array_add(j->reasons, g_strdup("unreadable"));
	else if (m->err == QS_ERR_MALFORMED)
		g_ptr_array_add(j->reasons, g_strdup("malformed"));
	else
		g_ptr_array_add(j->reasons, g_strdup("no-rule"));
	j->explanation = g_strdup_printf("unsure: %s", (char *)g_ptr_array_index(j->reasons, 0));
}
