/* judgement.c - the judgement record: life cycle and the one-line
 * explanation; the rules that fill it are in classify.c. */
#include "config.h"
#include <string.h>
#include "classify.h"
#include "policy_int.h"
#include "util.h"

static void hop_free(gpointer p)
{
	qs_hop_clear(p);
	g_free(p);
}

static void dest_free(gpointer p)
{
	struct qs_dest *d = p;

	if (d->addr != (char *)(d + 1))	/* else it lives in the same block */
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

void qs_judgement_destroy(struct qs_judgement *j)
{
	if (j->reasons == NULL)
		return;
	qs_judgement_clear(j);
	g_ptr_array_free(j->reasons, TRUE);
	g_ptr_array_free(j->hops, TRUE);
	g_ptr_array_free(j->dests, TRUE);
	g_ptr_array_free(j->trace, TRUE);
	qs_headers_free(&j->headers);
	memset(j, 0, sizeof *j);
}

static void judgement_free(struct qs_judgement *j)
{
	qs_judgement_destroy(j);
	g_free(j);
}

void qs_judgement_clear(struct qs_judgement *j)
{
	if (j->original) {
		judgement_free(j->original);
		j->original = NULL;
	}
	g_ptr_array_set_size(j->reasons, 0);
	g_ptr_array_set_size(j->hops, 0);
	g_ptr_array_set_size(j->dests, 0);
	g_ptr_array_set_size(j->trace, 0);
	qs_headers_clear(&j->headers);
	if (j->origin_store) {	/* the seven strings in one block, see classify.h */
		g_free(j->origin_store);
		j->origin_store = NULL;
	} else {
		g_free(j->client_ip);
		g_free(j->client_helo);
		g_free(j->client_name);
		g_free(j->origin_ip);
		g_free(j->origin_client);
		g_free(j->origin_helo);
		g_free(j->origin_name);
	}
	g_free(j->auth_user);
	j->origin_client = j->origin_helo = j->origin_name = NULL;
	g_free(j->subject);
	g_free(j->explanation);
	j->client_ip = j->client_helo = j->client_name = j->auth_user = j->origin_ip = NULL;
	j->subject = j->explanation = NULL;
	j->verdict = QS_VERDICT_UNSURE;
	j->authenticated = j->local_submission = j->origin_trusted = j->origin_external = false;
	j->rcpts_from_received = j->carried_passed_here = j->carried_incomplete = false;
}

const char *qs_verdict_name(enum qs_verdict v)
{
	switch (v) {
	case QS_VERDICT_RELAY: return "relay";
	case QS_VERDICT_LEGIT: return "legit";
	default: return "unsure";
	}
}

/* qs_judgement_explain - "relay: open-relay - sender x@y.net, 3
 * recipients at victim.example, from 203.0.113.7" (ASCII dash) */

#define PUT(out, lit) qs_gs_put((out), (lit), sizeof(lit) - 1)

static void put_str(GString *s, const char *v)
{
	qs_gs_put(s, v, strlen(v));
}

static void append_uint(GString *s, guint n)
{
	char buf[16], *p = buf + sizeof buf;

	do
		*--p = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	qs_gs_put(s, p, (size_t)(buf + sizeof buf - p));
}

/* (appends, not printf: this runs once per message of a 1M queue) */
void qs_judgement_explain(const struct qs_msg *m, struct qs_judgement *j)
{
	/* a GString on the stack around a heap buffer: the buffer becomes
	 * j->explanation, so only it is allocated (GLib grows it with
	 * g_realloc like any GString's) */
	GString sb = { g_malloc(256), 0, 256 }, *s = &sb;
	const char *doms[4];
	guint i, k, ndoms = 0;

	sb.str[0] = '\0';
	put_str(s, qs_verdict_name(j->verdict));
	PUT(s, ": ");
	for (i = 0; i < j->reasons->len; i++) {
		if (i)
			PUT(s, ",");
		put_str(s, g_ptr_array_index(j->reasons, i));
	}
	PUT(s, " - sender ");
	put_str(s, m->sender == NULL ? "unknown" : *m->sender ? m->sender : "<>");
	/* the first three distinct domains are named, the rest counted */
	for (i = 0; i < j->dests->len; i++) {
		const struct qs_dest *d = g_ptr_array_index(j->dests, i);
		bool dup = d->dest == NULL;
		for (k = 0; k < ndoms && k < 3 && !dup; k++)
			dup = strcmp(doms[k], d->dest) == 0;
		if (dup)
			continue;
		if (ndoms < 3)
			doms[ndoms] = d->dest;
		else {
			/* beyond three, only the count: compare with all seen */
			for (k = 0; k < i && !dup; k++) {
				const struct qs_dest *e = g_ptr_array_index(j->dests, k);
				dup = e->dest && strcmp(e->dest, d->dest) == 0;
			}
			if (dup)
				continue;
		}
		ndoms++;
	}
	PUT(s, ", ");
	append_uint(s, j->dests->len);
	put_str(s, j->dests->len == 1 ? " recipient" : " recipients");
	for (k = 0; k < ndoms && k < 3; k++) {
		put_str(s, k ? ", " : " at ");
		put_str(s, doms[k]);
	}
	if (ndoms > 3) {
		PUT(s, " and ");
		append_uint(s, ndoms - 3);
		PUT(s, " more domains");
	}
	if (j->origin_ip) {
		PUT(s, ", from ");
		put_str(s, j->origin_ip);
	} else if (j->local_submission)
		PUT(s, ", local submission");
	if (j->auth_user) {
		PUT(s, ", auth ");
		put_str(s, j->auth_user);
	}
	j->explanation = sb.str;
}
