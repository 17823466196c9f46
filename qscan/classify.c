/*
 * classify.c - shared/POLICY.md: the rules in order, first that decides
 * wins. Facts come from origin.c (hops, client, origin, AUTH), addr.c
 * (destinations) and dsn.c (the original inside a bounce).
 *
 * Decisions made here where POLICY.md leaves room (all on the safe side):
 * - an authenticated hop without a user name is "authenticated, user
 *   unknown": it is in neither trusted_users nor abused_accounts, so it
 *   gives `authenticated` (legit) or, with trusted_users set,
 *   `auth-unlisted` (unsure) - never `auth-abuse`;
 * - rules that need "every recipient external" do not fire when no
 *   recipient is known;
 * - `open-relay` needs a known network origin outside trusted_networks
 *   and this host: with no client at all (no metadata, no Received line
 *   written here) we cannot rule out a local submission -> `no-rule`;
 * - a relay verdict is downgraded to `unsure` (reason kept, trace says
 *   why) when the envelope is suspect (m->envelope_suspect), when the
 *   header block was cut by a cap, or when a spare rule could not be
 *   evaluated (PCRE2 match error): doubt never purges;
 * - with no local_domains at all (none configured, no MTA files read)
 *   open-relay, forged-local-sender and backscatter stay `unsure`: every
 *   recipient would look external;
 * - a recipient at localhost or at one of local_hostnames is local even
 *   when local_domains does not list it (every MTA delivers those here);
 * - the "origin" of rules 6 and 10 is the client seen through this
 *   host's own hops (content filter re-injection, webmail on loopback);
 *   a trusted_networks client is `trusted-network` even when the mail
 *   came to it from outside (a LAN server forwarding through us), while
 *   the counted origin_ip is that outside sender (origin.h);
 * - with unknown envelope recipients (rcpts_known false) the "for" of our
 *   own Received lines stands in, as the brief asks; with none, no rule
 *   that needs "every recipient external" fires.
 */
#include "config.h"
#include <string.h>
#include <gmime/gmime.h>
#include "addr.h"
#include "classify.h"
#include "dsn.h"
#include "origin.h"
#include "policy_int.h"
#include "qs_limits.h"

struct qs_judge_ctx {
	const struct qs_config *cfg;
	pcre2_match_data *md;
	GMimeParser *parser;	/* for DSN bodies, reused */
	struct qs_dsn dsn;
	GString *why;		/* rule_whitelist's text, reused (no allocation per message) */
};

/* per-call state that does not belong in the judgement */
struct judge_state {
	const struct qs_msg *m;
	bool carried;		/* original in a bounce: ours only from our own name on */
	bool nested;		/* judging the original inside a bounce: no deeper */
	const char *extra_name;	/* one more host name of ours */
	bool block_relay;	/* a doubt that forbids `relay` */
	const char *block_why;
};

struct qs_judge_ctx *qs_judge_ctx_new(const struct qs_config *c)
{
	struct qs_judge_ctx *ctx = g_new0(struct qs_judge_ctx, 1);

	qs_hdr_global_init();
	ctx->cfg = c;
	ctx->md = pcre2_match_data_create(32, NULL);
	ctx->parser = g_mime_parser_new();
	qs_dsn_init(&ctx->dsn);
	ctx->why = g_string_new(NULL);
	return ctx;
}

void qs_judge_ctx_free(struct qs_judge_ctx **pctx)
{
	struct qs_judge_ctx *ctx = *pctx;

	if (ctx == NULL)
		return;
	pcre2_match_data_free(ctx->md);
	g_object_unref(ctx->parser);
	qs_dsn_clear(&ctx->dsn);
	g_byte_array_free(ctx->dsn.hdr, TRUE);
	g_ptr_array_free(ctx->dsn.rcpts, TRUE);
	g_string_free(ctx->why, TRUE);
	g_free(ctx);
	*pctx = NULL;
}

/* ---- facts ---------------------------------------------------------- */

/* implicit_local - names that are this host even when local_domains
 * forgets them: localhost and our own host names (Postfix's default
 * mydestination, qmail's control/me in locals) */
static bool implicit_local(const struct qs_config *c, const char *dom)
{
	return dom && (strcmp(dom, "localhost") == 0 || strcmp(dom, "localhost.localdomain") == 0 ||
		       qs_hostname_is_local(c, dom));
}

/* resolve - qs_addr_resolve(), counting implicit_local() hops as local */
static void resolve(const struct qs_config *c, const char *addr, char **dest, bool *local)
{
	GPtrArray *hops;
	guint i;

	*dest = NULL;
	if (qs_addr_resolve(c, addr, dest, local) != QS_ADDR_DOMAIN || *local || !implicit_local(c, *dest))
		return;
	hops = g_ptr_array_new_with_free_func(g_free);
	qs_addr_hops(addr, hops);
	*local = true;
	for (i = 0; i < hops->len; i++) {
		const char *h = g_ptr_array_index(hops, i);
		if (qs_domain_is_local(c, h) || implicit_local(c, h))
			continue;
		g_free(*dest);
		*dest = g_strdup(h);
		*local = false;
		break;
	}
	g_ptr_array_free(hops, TRUE);
}

static void add_dest(const struct qs_config *c, struct qs_judgement *j, const char *addr)
{
	size_t n = strlen(addr) + 1;
	/* the record and its address in one allocation (see dest_free) */
	struct qs_dest *d = g_malloc0(sizeof *d + n);

	d->addr = memcpy(d + 1, addr, n);
	/* QS_ADDR_INVALID leaves dest NULL and local false: neither local
	 * nor external (all_external() refuses it) */
	resolve(c, addr, &d->dest, &d->local);
	g_ptr_array_add(j->dests, d);
}

static void find_recipients(const struct qs_config *c, const struct qs_msg *m, struct qs_judgement *j)
{
	guint i;

	for (i = 0; i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		if (!r->done && r->addr)
			add_dest(c, j, r->addr);
	}
	if (j->dests->len > 0 || m->rcpts_known)
		return;
	/* the format did not say: our own hops' "for <addr>" are the best guess */
	for (i = 0; i < j->hops->len; i++) {
		const struct qs_hop *h = g_ptr_array_index(j->hops, i);
		guint k;
		bool dup = false;
		if (!h->ours || h->for_addr == NULL || *h->for_addr == '\0')
			continue;
		for (k = 0; k < j->dests->len && !dup; k++)
			dup = g_ascii_strcasecmp(((struct qs_dest *)g_ptr_array_index(j->dests, k))->addr,
						 h->for_addr) == 0;
		if (!dup)
			add_dest(c, j, h->for_addr);
	}
	j->rcpts_from_received = true;
	qs_trace_add(j, "recipients", j->dests->len > 0,
		     "envelope recipients unknown; %u taken from the \"for\" of our Received lines",
		     j->dests->len);
}

static bool all_external(const struct qs_judgement *j)
{
	guint i;

	if (j->dests->len == 0)
		return false;
	for (i = 0; i < j->dests->len; i++) {
		const struct qs_dest *d = g_ptr_array_index(j->dests, i);
		if (d->local || d->dest == NULL)
			return false;	/* local, or an address we could not decode */
	}
	return true;
}

static const struct qs_dest *first_local(const struct qs_judgement *j)
{
	guint i;

	for (i = 0; i < j->dests->len; i++)
		if (((struct qs_dest *)g_ptr_array_index(j->dests, i))->local)
			return g_ptr_array_index(j->dests, i);
	return NULL;
}

/* ---- matching helpers ----------------------------------------------- */

static bool addr_listed(const GPtrArray *list, const char *addr)
{
	guint i;

	if (addr == NULL || *addr == '\0' || list == NULL)
		return false;
	for (i = 0; i < list->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(list, i), addr) == 0)
			return true;
	return false;
}

/* user_listed - an entry with '@' matches only that address; one without
 * matches the name alone and the name with any domain (config helper) */
static bool user_listed(const GPtrArray *list, const char *user)
{
	return qs_auth_user_in_list(list, user);
}

/* re_match - 1 match, 0 no match, -1 error (match limit, bad UTF-8 ...) */
static int re_match(struct qs_judge_ctx *ctx, const struct qs_rule *r, const char *s)
{
	int rc;

	if (s == NULL || r->re == NULL)
		return 0;
	rc = pcre2_match(r->re, (PCRE2_SPTR)s, strlen(s), 0, 0, ctx->md, NULL);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* rule_matches - try one rule on its target; *what names the value hit */
static int rule_matches(struct qs_judge_ctx *ctx, const struct qs_msg *m, struct qs_judgement *j,
			const struct qs_rule *r, char **what)
{
	int err = 0;
	guint i;

#define TRY(val, label) do { int x_ = re_match(ctx, r, (val)); \
		if (x_ < 0) err = -1; \
		if (x_ > 0) { *what = g_strdup_printf("%s \"%s\"", (label), (val)); return 1; } } while (0)
	switch (r->target) {
	case QS_TARGET_SUBJECT: TRY(j->subject, "subject"); break;
	case QS_TARGET_SENDER: TRY(m->sender, "sender"); break;
	case QS_TARGET_RECIPIENT:
		for (i = 0; i < j->dests->len; i++)
			TRY(((struct qs_dest *)g_ptr_array_index(j->dests, i))->addr, "recipient");
		break;
	/* the client and, when it is this host (content filter, webmail),
	 * the real client behind it */
	case QS_TARGET_HELO: TRY(j->client_helo, "HELO"); TRY(j->origin_helo, "origin HELO"); break;
	case QS_TARGET_CLIENT:
		TRY(j->client_ip, "client");
		TRY(j->client_name, "client name");
		TRY(j->origin_client, "origin client");
		TRY(j->origin_name, "origin client name");
		break;
	case QS_TARGET_AUTH: TRY(j->auth_user, "auth user"); break;
	case QS_TARGET_HEADER:
		for (i = 0; r->header && i < j->headers.list->len; i++) {
			const struct qs_header *f = g_ptr_array_index(j->headers.list, i);
			char *dec;
			int x;
			if (!qs_name_eq(f->name, r->header))
				continue;
			dec = qs_hdr_decode(f->value);
			x = re_match(ctx, r, dec);
			if (x > 0)
				*what = g_strdup_printf("%s \"%s\"", f->name, dec);
			g_free(dec);
			if (x > 0)
				return 1;
			if (x < 0)
				err = -1;
		}
		break;
	}
#undef TRY
	return err;	/* 0, or -1: no match anywhere and some value could not be tried */
}

/* ---- decisions ------------------------------------------------------ */

static void decide(struct qs_judgement *j, enum qs_verdict v, const char *reason)
{
	j->verdict = v;
	g_ptr_array_add(j->reasons, g_strdup(reason));
}

/* rule 1: whitelist entries and spare rules, all recorded */
static bool rule_whitelist(struct qs_judge_ctx *ctx, struct judge_state *st, struct qs_judgement *j)
{
	const struct qs_config *c = ctx->cfg;
	const struct qs_msg *m = st->m;
	GString *why = g_string_truncate(ctx->why, 0);
	/* the sender's domain only matters with whitelisted domains */
	char *sdom = c->wl_domains && c->wl_domains->len && m->sender && *m->sender ?
		     qs_addr_domain(m->sender) : NULL;
	bool hit = false;
	guint i;

	if (addr_listed(c->wl_senders, m->sender))
		g_string_append_printf(why, "sender %s; ", m->sender);
	for (i = 0; i < j->dests->len; i++) {
		const struct qs_dest *d = g_ptr_array_index(j->dests, i);
		if (addr_listed(c->wl_recipients, d->addr))
			g_string_append_printf(why, "recipient %s; ", d->addr);
		if (qs_domain_list_match(c->wl_domains, d->dest))
			g_string_append_printf(why, "recipient domain %s; ", d->dest);
	}
	if (qs_domain_list_match(c->wl_domains, sdom))
		g_string_append_printf(why, "sender domain %s; ", sdom);
	if (j->client_ip && qs_net_list_match(c->wl_networks, j->client_ip))
		g_string_append_printf(why, "client %s; ", j->client_ip);
	else if (j->origin_client && qs_net_list_match(c->wl_networks, j->origin_client))
		g_string_append_printf(why, "client %s; ", j->origin_client);
	else if (j->origin_ip && qs_net_list_match(c->wl_networks, j->origin_ip))
		g_string_append_printf(why, "origin %s; ", j->origin_ip);
	g_free(sdom);
	if (why->len) {
		g_string_truncate(why, why->len - 2);
		decide(j, QS_VERDICT_LEGIT, "whitelist");
		hit = true;
	}
	qs_trace_add(j, "whitelist", hit, "%s", hit ? why->str : "no entry matches");
	for (i = 0; c->rules && i < c->rules->len; i++) {
		const struct qs_rule *r = g_ptr_array_index(c->rules, i);
		char *what = NULL, *tag;
		int x;
		if (r->purge)
			continue;
		x = rule_matches(ctx, m, j, r, &what);
		tag = g_strdup_printf("rule:%s", r->name);
		if (x < 0 && !st->block_relay) {
			st->block_relay = true;
			st->block_why = "a spare rule could not be evaluated";
		}
		qs_trace_add(j, tag, x > 0, "spare: %s", x > 0 ? what : x < 0 ? "match error" : "no match");
		if (x > 0) {
			decide(j, QS_VERDICT_LEGIT, tag);
			hit = true;
		}
		g_free(tag);
		g_free(what);
	}
	return hit;
}

static bool rule_purge(struct qs_judge_ctx *ctx, struct judge_state *st, struct qs_judgement *j)
{
	bool hit = false;
	guint i;

	for (i = 0; ctx->cfg->rules && i < ctx->cfg->rules->len && !hit; i++) {
		const struct qs_rule *r = g_ptr_array_index(ctx->cfg->rules, i);
		char *what = NULL, *tag;
		int x;
		if (!r->purge)
			continue;
		x = rule_matches(ctx, st->m, j, r, &what);
		tag = g_strdup_printf("rule:%s", r->name);
		qs_trace_add(j, tag, x > 0, "purge: %s", x > 0 ? what : x < 0 ? "match error" : "no match");
		if (x > 0) {
			decide(j, QS_VERDICT_RELAY, tag);
			hit = true;
		}
		g_free(tag);
		g_free(what);
	}
	return hit;
}

static bool rule_local_recipient(struct qs_judgement *j)
{
	const struct qs_dest *d = first_local(j);

	if (d)
		qs_trace_add(j, "local-recipient", true, "%s is local (destination %s)", d->addr,
			     d->dest ? d->dest : "local part only");
	else
		qs_trace_add(j, "local-recipient", false, "%s", j->dests->len ?
			     "no pending recipient is local" : "no recipient known");
	if (d)
		decide(j, QS_VERDICT_LEGIT, "local-recipient");
	return d != NULL;
}

static bool rule_auth(const struct qs_config *c, struct qs_judgement *j)
{
	const char *u = j->auth_user ? j->auth_user : "(unknown user)";

	if (!j->authenticated) {
		qs_trace_add(j, "authenticated", false, "not authenticated");
		return false;
	}
	if (user_listed(c->trusted_users, j->auth_user)) {
		qs_trace_add(j, "authenticated", true, "%s is in trusted_users", u);
		decide(j, QS_VERDICT_LEGIT, "authenticated");
	} else if (user_listed(c->abused_accounts, j->auth_user)) {
		qs_trace_add(j, "auth-abuse", true, "%s is in abused_accounts", u);
		decide(j, QS_VERDICT_RELAY, "auth-abuse");
	} else if (c->trusted_users && c->trusted_users->len > 0) {
		qs_trace_add(j, "auth-unlisted", true, "%s is not in trusted_users", u);
		decide(j, QS_VERDICT_UNSURE, "auth-unlisted");
	} else {
		qs_trace_add(j, "authenticated", true, "%s, trusted_users empty", u);
		decide(j, QS_VERDICT_LEGIT, "authenticated");
	}
	return true;
}

static void judge_inner(struct qs_judge_ctx *ctx, struct judge_state *st, struct qs_judgement *j);

/* carried_msg - the original as a message of its own */
static void carried_msg(const struct qs_dsn *d, struct qs_msg *om, struct qs_judgement *tmp)
{
	const char *rp, *from;
	guint i, k;

	om->format = "dsn";
	g_byte_array_append(om->hdr, d->hdr->data, d->hdr->len);
	om->hdr_complete = !d->incomplete;
	qs_hdr_parse(d->hdr->data, d->hdr->len, &tmp->headers);
	rp = qs_headers_get(&tmp->headers, "Return-Path", 0);
	from = qs_headers_get(&tmp->headers, "From", 0);
	if (d->orig_sender)	/* Postfix names the envelope sender in the report */
		om->sender = g_strdup(d->orig_sender);
	else if (rp && strstr(rp, "<>"))
		om->sender = g_strdup("");
	else
		om->sender = qs_hdr_first_address(rp ? rp : from);
	for (i = 0; i < d->rcpts->len; i++) {
		const char *a = g_ptr_array_index(d->rcpts, i);
		qs_msg_add_rcpt(om, a, strlen(a), false);
	}
	if (d->rcpts->len > 0)
		return;
	for (k = 0; k < 2; k++) {
		const char *name = k == 0 ? "To" : "Cc";
		const char *v;
		for (i = 0; (v = qs_headers_get(&tmp->headers, name, i)) != NULL; i++) {
			InternetAddressList *l = qs_hdr_address_list(v);
			int n, x;
			if (l == NULL)
				continue;
			n = internet_address_list_length(l);
			for (x = 0; x < n && om->rcpts->len < QS_MAX_RCPTS; x++) {
				InternetAddress *ia = internet_address_list_get_address(l, x);
				if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
					const char *a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
					if (a && *a)
						qs_msg_add_rcpt(om, a, strlen(a), false);
				}
			}
			g_object_unref(l);
		}
	}
}

/* own_bounce - written by this server's bounce daemon: no network client
 * and the report names one of our hosts */
static bool own_bounce(const struct qs_config *c, const struct qs_judgement *j, const struct qs_dsn *d,
		       const char *newest_by)
{
	if (d->reporting_mta == NULL)
		return false;
	if (j->client_ip && !qs_ip_is_us(c, j->client_ip))
		return false;
	return qs_host_is_ours(c, d->reporting_mta, newest_by);
}

/* rule 5 - the carried original: found, passed here, and itself relay */
static bool rule_backscatter(struct qs_judge_ctx *ctx, struct judge_state *st, struct qs_judgement *j)
{
	const struct qs_msg *m = st->m;
	const char *newest_by = j->hops->len ? ((struct qs_hop *)g_ptr_array_index(j->hops, 0))->by : NULL;
	struct qs_dsn *d = &ctx->dsn;
	struct qs_msg om;
	struct judge_state ost;
	bool mine, relay;

	if (st->nested || m->sender == NULL || *m->sender != '\0' || !all_external(j)) {
		qs_trace_add(j, "backscatter", false, "%s", st->nested ? "not looked at inside a bounce" :
			     m->sender == NULL || *m->sender ? "sender is not <>" : "not every recipient is external");
		return false;
	}
	qs_dsn_extract(ctx->parser, m, d);
	if (!d->found) {
		qs_trace_add(j, "backscatter", false, "no original message found in the bounce%s",
			     m->body->len == 0 ? " (no body loaded)" : "");
		return false;
	}
	mine = own_bounce(ctx->cfg, j, d, newest_by);
	j->original = g_new0(struct qs_judgement, 1);
	qs_judgement_init(j->original);
	j->original->quiet = j->quiet;
	qs_msg_init(&om);
	carried_msg(d, &om, j->original);
	memset(&ost, 0, sizeof ost);
	ost.m = &om;
	ost.carried = !mine;	/* our own bounce: the original came from our queue */
	ost.nested = true;	/* one level: the original's own bounces are not opened */
	ost.extra_name = newest_by;
	judge_inner(ctx, &ost, j->original);
	j->original->carried_incomplete = d->incomplete;
	if (mine)
		j->original->carried_passed_here = true;
	qs_msg_clear(&om);
	g_ptr_array_free(om.files, TRUE);
	g_ptr_array_free(om.rcpts, TRUE);
	g_ptr_array_free(om.notes, TRUE);
	g_byte_array_free(om.hdr, TRUE);
	g_byte_array_free(om.body, TRUE);
	qs_msg_fields_free(&om);
	relay = j->original->verdict == QS_VERDICT_RELAY;
	if (d->incomplete || !relay || !j->original->carried_passed_here) {
		qs_trace_add(j, "backscatter", false, "original (%s) %s", d->kind,
			     d->incomplete ? "cut inside its header block: cannot judge it" :
			     !j->original->carried_passed_here ? "never passed through this server" :
			     "would not be relay");
		return false;
	}
	qs_trace_add(j, "backscatter", true, "original (%s) %s and would be relay (%s)", d->kind,
		     mine ? "bounced by our own bounce daemon" : "passed through this server",
		     (const char *)g_ptr_array_index(j->original->reasons, 0));
	decide(j, QS_VERDICT_RELAY, "backscatter");
	return true;
}

static bool rule_trusted(struct qs_judgement *j)
{
	if (j->local_submission) {
		qs_trace_add(j, "local-submission", true, "submitted on this host, no network client");
		decide(j, QS_VERDICT_LEGIT, "local-submission");
		return true;
	}
	if (j->origin_trusted) {
		qs_trace_add(j, "trusted-network", true, "the client is in trusted_networks");
		decide(j, QS_VERDICT_LEGIT, "trusted-network");
		return true;
	}
	qs_trace_add(j, "trusted-network", false, "%s", j->origin_external ? "the client is external" :
		     "the client is unknown or not trusted");
	return false;
}

static bool addr_is_local(const struct qs_config *c, const struct qs_judgement *j, const char *addr)
{
	char *dest = NULL;
	bool local = false;
	guint i;

	/* a bare name proves nothing about a domain of ours */
	if (strchr(addr, '@') == NULL && strchr(addr, '!') == NULL)
		return false;
	/* usually a recipient resolve() has already seen (Postfix's O record
	 * equals the address, "for <addr>" names it): same answer, no work */
	for (i = 0; i < j->dests->len; i++) {
		const struct qs_dest *d = g_ptr_array_index(j->dests, i);
		if (strcmp(d->addr, addr) == 0)
			return d->dest != NULL && d->local;
	}
	resolve(c, addr, &dest, &local);
	if (dest == NULL)
		local = false;
	g_free(dest);
	return local;
}

/* delivered_to_above - a Delivered-To/X-Original-To naming a local address
 * written above the oldest Received line of ours: our delivery agent put
 * it there when it forwarded (Postfix local, qmail-local); what a sender
 * brings sits below our lines */
static const char *delivered_to_above(const struct qs_config *c, const struct qs_judgement *j)
{
	guint i, rcvd = 0, oldest = 0;

	for (i = 0; i < j->hops->len; i++)
		if (((struct qs_hop *)g_ptr_array_index(j->hops, i))->ours)
			oldest = i + 1;
	if (oldest == 0)
		return NULL;
	for (i = 0; i < j->headers.list->len && rcvd < oldest; i++) {
		const struct qs_header *f = g_ptr_array_index(j->headers.list, i);
		char *a;
		bool local;
		if (f->name_len == 8 && qs_name_eq(f->name, "Received")) {
			rcvd++;
			continue;
		}
		if (!(f->name_len == 12 && qs_name_eq(f->name, "Delivered-To")) &&
		    !(f->name_len == 13 && qs_name_eq(f->name, "X-Original-To")))
			continue;
		a = g_strstrip(g_strdup(f->value));
		local = *a && addr_is_local(c, j, a);
		g_free(a);
		if (local)
			return f->value;
	}
	return NULL;
}

static bool rule_forwarded(const struct qs_config *c, const struct qs_msg *m, struct qs_judgement *j)
{
	const char *dt;
	guint i;

	/* the queue's own record of the address before alias expansion
	 * (Postfix O record): the most direct evidence there is */
	for (i = 0; i < m->rcpts->len; i++) {
		const struct qs_rcpt *r = g_ptr_array_index(m->rcpts, i);
		if (r->done || r->orig == NULL || *r->orig == '\0' || !addr_is_local(c, j, r->orig))
			continue;
		qs_trace_add(j, "forwarded", true, "%s was originally addressed to local %s", r->addr, r->orig);
		decide(j, QS_VERDICT_LEGIT, "forwarded");
		return true;
	}
	for (i = 0; i < j->hops->len; i++) {
		const struct qs_hop *h = g_ptr_array_index(j->hops, i);
		if (!h->ours || h->for_addr == NULL || *h->for_addr == '\0')
			continue;
		if (addr_is_local(c, j, h->for_addr)) {
			qs_trace_add(j, "forwarded", true, "Received line %u was for local %s", i + 1, h->for_addr);
			decide(j, QS_VERDICT_LEGIT, "forwarded");
			return true;
		}
	}
	if ((dt = delivered_to_above(c, j)) != NULL) {
		qs_trace_add(j, "forwarded", true, "delivered here to %s (Delivered-To above our Received lines)", dt);
		decide(j, QS_VERDICT_LEGIT, "forwarded");
		return true;
	}
	qs_trace_add(j, "forwarded", false, "no Received line of ours names a local recipient");
	return false;
}

static bool rule_bounce(const struct qs_msg *m, struct qs_judgement *j)
{
	bool hit = m->sender && *m->sender == '\0' && all_external(j);

	qs_trace_add(j, "bounce", hit, "%s", hit ? "null sender, every recipient external" :
		     m->sender && *m->sender == '\0' ? "null sender but not every recipient external" :
		     "sender is not <>");
	if (hit)
		decide(j, QS_VERDICT_UNSURE, "bounce");
	return hit;
}

static bool sender_local(const struct qs_config *c, const struct qs_msg *m, bool *known)
{
	char *dom;
	bool local;

	*known = m->sender != NULL && *m->sender != '\0';
	if (!*known)
		return false;
	dom = qs_addr_domain(m->sender);
	local = qs_domain_is_local(c, dom);
	g_free(dom);
	return local;
}

static bool rule_open_relay(const struct qs_config *c, const struct qs_msg *m, struct qs_judgement *j)
{
	bool known, local = sender_local(c, m, &known), ext = all_external(j);
	bool origin = j->origin_external;
	bool hit = known && !local && ext && origin;

	qs_trace_add(j, "open-relay", hit, "%s", hit ? "external sender, every recipient external" :
		     !known ? "sender unknown or <>" : local ? "sender domain is local" :
		     !ext ? "not every recipient is external (or none known)" :
		     "no external network origin known");
	if (hit)
		decide(j, QS_VERDICT_RELAY, "open-relay");
	return hit;
}

static bool rule_forged_local(const struct qs_config *c, const struct qs_msg *m, struct qs_judgement *j)
{
	bool known, local = sender_local(c, m, &known);
	bool hit = known && local && all_external(j) && j->origin_external &&
		   !j->authenticated;

	qs_trace_add(j, "forged-local-sender", hit, "%s%s", hit ? "local sender domain from external origin " : "",
		     hit ? (c->strict ? "(strict: relay)" : "(unsure; strict would purge)") :
		     !known || !local ? "sender domain is not local" : "conditions not met");
	if (hit)
		decide(j, c->strict ? QS_VERDICT_RELAY : QS_VERDICT_UNSURE, "forged-local-sender");
	return hit;
}

/* ---- the judge ------------------------------------------------------ */

static bool unreadable(const struct qs_msg *m, struct qs_judgement *j)
{
	const char *tag;

	if (m->err == QS_ERR_NONE)
		return false;
	tag = m->err == QS_ERR_UNREADABLE ? "unreadable" : "malformed";
	qs_trace_add(j, tag, true, "%s", m->error ? m->error : "message could not be read");
	decide(j, QS_VERDICT_UNSURE, tag);
	return true;
}

static void apply_rules(struct qs_judge_ctx *ctx, struct judge_state *st, struct qs_judgement *j)
{
	const struct qs_config *c = ctx->cfg;
	const struct qs_msg *m = st->m;

	if (rule_whitelist(ctx, st, j) || rule_purge(ctx, st, j) || rule_local_recipient(j) ||
	    rule_auth(c, j) || rule_backscatter(ctx, st, j) || rule_trusted(j) ||
	    rule_forwarded(c, m, j) || rule_bounce(m, j) || rule_open_relay(c, m, j) ||
	    rule_forged_local(c, m, j))
		return;
	qs_trace_add(j, "no-rule", true, "no rule decided");
	decide(j, QS_VERDICT_UNSURE, "no-rule");
}

/* needs_domains - did the deciding reason rest on "recipient external"? */
static bool needs_domains(const struct qs_judgement *j)
{
	const char *r = j->reasons->len ? g_ptr_array_index(j->reasons, 0) : "";

	return strcmp(r, "open-relay") == 0 || strcmp(r, "forged-local-sender") == 0 ||
	       strcmp(r, "backscatter") == 0;
}

static void judge_inner(struct qs_judge_ctx *ctx, struct judge_state *st, struct qs_judgement *j)
{
	const struct qs_msg *m = st->m;
	const char *subj;

	if (qs_msg_take_fields(m, &j->headers) < 0 || !m->hdr_complete) {
		if (m->hdr->len > 0 && m->err == QS_ERR_NONE) {
			st->block_relay = true;
			st->block_why = "the header block is incomplete";
		}
	}
	subj = qs_headers_get(&j->headers, "Subject", 0);
	j->subject = subj ? qs_hdr_decode(subj) : NULL;
	qs_origin_find(ctx->cfg, m, j, st->carried, st->extra_name);
	find_recipients(ctx->cfg, m, j);
	if (!unreadable(m, j))
		apply_rules(ctx, st, j);
	if (j->verdict == QS_VERDICT_RELAY && m->envelope_suspect) {
		st->block_relay = true;
		st->block_why = "the envelope is suspect (duplicated envelope headers)";
	}
	if (j->verdict == QS_VERDICT_RELAY && ctx->cfg->local_domains->len == 0 && needs_domains(j)) {
		/* without local_domains every recipient looks external */
		st->block_relay = true;
		st->block_why = "no local_domains known (configure them): cannot tell local recipients";
	}
	if (j->verdict == QS_VERDICT_RELAY && st->block_relay) {
		j->verdict = QS_VERDICT_UNSURE;
		qs_trace_add(j, "downgrade", true, "relay -> unsure: %s", st->block_why);
	}
	qs_judgement_explain(m, j);
}

void qs_judge(struct qs_judge_ctx *ctx, const struct qs_msg *m, struct qs_judgement *j)
{
	struct judge_state st;

	qs_judgement_clear(j);
	memset(&st, 0, sizeof st);
	st.m = m;
	judge_inner(ctx, &st, j);
}
