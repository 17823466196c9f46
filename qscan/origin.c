/* origin.c - Received chain -> ours/trusted hops, client, origin IP,
 * SMTP AUTH; see origin.h for the rules and why they are so strict. */
#include "config.h"
#include <stdarg.h>
#include <string.h>
#include "origin.h"
#include "qs_limits.h"

void qs_trace_add(struct qs_judgement *j, const char *rule, bool matched, const char *fmt, ...)
{
	struct qs_trace *t;
	va_list ap;

	if (j->quiet)
		return;
	t = g_new0(struct qs_trace, 1);
	t->rule = g_strdup(rule);
	t->matched = matched;
	if (fmt) {
		va_start(ap, fmt);
		t->detail = g_strdup_vprintf(fmt, ap);
		va_end(ap);
	}
	g_ptr_array_add(j->trace, t);
}

static bool is_loopback(const char *ip)
{
	if (ip == NULL)
		return false;
	/* the three forms below start with '1' or ':' (asked per hop) */
	if (ip[0] != '1' && ip[0] != ':')
		return false;
	return g_str_has_prefix(ip, "127.") || g_ascii_strcasecmp(ip, "::1") == 0 ||
	       g_ascii_strncasecmp(ip, "::ffff:127.", 11) == 0;
}

bool qs_ip_is_us(const struct qs_config *c, const char *ip)
{
	return ip && (is_loopback(ip) || qs_net_list_match(c->local_addresses, ip));
}

bool qs_ip_is_trusted(const struct qs_config *c, const char *ip)
{
	return ip && (qs_net_list_match(c->trusted_networks, ip) ||
		      qs_net_list_match(c->local_addresses, ip));
}

/*
 * ipfacts - "trusted?" and "this host?" for the addresses one message's
 * walk asks about, each answered once: the walk asks the same address
 * several times, and each answer parses it and scans two network lists.
 * Both are pure functions of the configuration and the address text.
 */
#define IPFACTS_MAX 8
struct ipfacts {
	const struct qs_config *c;
	const char *ip[IPFACTS_MAX];
	signed char trusted[IPFACTS_MAX], us[IPFACTS_MAX];	/* -1: not asked yet */
	int n;
};

static int ipfacts_slot(struct ipfacts *f, const char *ip)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (f->ip[i] == ip || strcmp(f->ip[i], ip) == 0)
			return i;
	if (f->n == IPFACTS_MAX)
		return -1;	/* (a long chain: just ask) */
	f->ip[f->n] = ip;
	f->trusted[f->n] = f->us[f->n] = -1;
	return f->n++;
}

/* ask(ip), remembered in cache[] by ip's slot */
static bool memo(struct ipfacts *f, const char *ip, signed char *cache,
		 bool (*ask)(const struct qs_config *, const char *))
{
	int i;

	if (ip == NULL)
		return false;
	if ((i = ipfacts_slot(f, ip)) < 0)
		return ask(f->c, ip);
	if (cache[i] < 0)
		cache[i] = ask(f->c, ip);
	return cache[i] != 0;
}

static bool f_trusted(struct ipfacts *f, const char *ip)
{
	return memo(f, ip, f->trusted, qs_ip_is_trusted);
}

static bool f_us(struct ipfacts *f, const char *ip)
{
	return memo(f, ip, f->us, qs_ip_is_us);
}

/* host_norm - lower-case, no trailing dot, "[1.2.3.4]" -> "1.2.3.4" */
static char *host_norm(const char *host, bool *literal)
{
	char *h = g_ascii_strdown(host, -1);
	size_t n = strlen(h);

	*literal = false;
	while (n > 0 && h[n - 1] == '.')
		h[--n] = '\0';
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		memmove(h, h + 1, n - 2);
		h[n - 2] = '\0';
		if (g_str_has_prefix(h, "ipv6:"))
			memmove(h, h + 5, strlen(h + 5) + 1);
		*literal = true;
	}
	return h;
}

static bool name_eq(const char *a, const char *b)
{
	size_t na, nb;

	if (a == NULL || b == NULL)
		return false;
	na = strlen(a);
	nb = strlen(b);
	while (na > 0 && a[na - 1] == '.')
		na--;
	while (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na == nb && na > 0 && g_ascii_strncasecmp(a, b, na) == 0;
}

bool qs_host_is_ours(const struct qs_config *c, const char *host, const char *extra_name)
{
	bool literal, ours = false;
	char *h;

	if (host == NULL || *host == '\0')
		return false;
	h = host_norm(host, &literal);
	if (literal || g_hostname_is_ip_address(h))
		ours = qs_net_list_match(c->local_addresses, h);
	else {
		ours = name_eq(h, extra_name) || qs_hostname_is_local(c, h);
	}
	g_free(h);
	return ours;
}

static bool by_is_localhost(const char *by)
{
	return name_eq(by, "localhost") || name_eq(by, "localhost.localdomain") ||
	       is_loopback(by) || name_eq(by, "[127.0.0.1]") || name_eq(by, "[::1]");
}

/* qmail-queue's own line, "(qmail N invoked ...)" (asked several times
 * per hop: a plain compare, not g_str_has_prefix) */
static bool qmail_line(const char *raw)
{
	return raw[0] == '(' && strncmp(raw, "(qmail ", 7) == 0;
}

/* qmail writes "(qmail N invoked from network)" above its "from" line */
static bool qmail_pair_top(const char *raw)
{
	return qmail_line(raw) && strstr(raw, "invoked from network");
}

/* a line written for a local program: what lies below it is user data */
static bool hop_is_local(const struct qs_hop *h, const char *raw)
{
	if (h->local)
		return true;
	return qmail_line(raw) && (strstr(raw, "invoked by ") || strstr(raw, "invoked for bounce"));
}

/* with_is_auth - ESMTPA, ESMTPSA, LMTPA, UTF8SMTPSA, IceWarp's ASMTP */
/* ASCII case-insensitive suffix, tail given in upper case (no copy:
 * this is asked for every hop written here) */
static bool ci_suffix(const char *s, size_t n, const char *tail)
{
	size_t k = strlen(tail);

	return n >= k && g_ascii_strncasecmp(s + n - k, tail, k) == 0;
}

static bool with_is_auth(const char *with)
{
	size_t n;

	if (with == NULL)
		return false;
	n = strlen(with);
	return g_ascii_strcasecmp(with, "ASMTP") == 0 || ci_suffix(with, n, "SMTPA") ||
	       ci_suffix(with, n, "SMTPSA") || ci_suffix(with, n, "LMTPA") || ci_suffix(with, n, "LMTPSA");
}

/* phrase_user - the word after a phrase like "(authenticated as ", or NULL */
static char *phrase_user(const char *raw, const char *phrase)
{
	const char *p = raw, *q;
	size_t n = strlen(phrase);

	for (; *p; p++) {
		if (g_ascii_strncasecmp(p, phrase, n) != 0)
			continue;
		p += n;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '<')
			p++;
		for (q = p; *q && *q != ')' && *q != ' ' && *q != '\t' && *q != '>' && *q != ';'; q++)
			;
		return q > p ? g_strndup(p, (gsize)(q - p)) : NULL;
	}
	return NULL;
}

/* first_phrases - where each phrase "authenticated<tail>" first occurs
 * (ASCII case-insensitive), in one pass over the line instead of one
 * strcasestr per phrase */
static void first_phrases(const char *raw, const char *const tails[], const char *at[])
{
	static const char stem[] = "authenticated";
	const size_t n = sizeof stem - 1;
	const char *p;
	int i, left = 0;

	for (i = 0; tails[i]; i++, left++)
		at[i] = NULL;
	/* strpbrk jumps to the next 'a' (this runs on every line written
	 * here, ~200 bytes each); "au" is tested inline before the call */
	for (p = raw; left > 0 && (p = strpbrk(p, "aA")) != NULL; p++) {
		if ((p[1] | 0x20) != 'u' || g_ascii_strncasecmp(p, stem, n) != 0)
			continue;
		for (i = 0; tails[i]; i++)
			if (at[i] == NULL && g_ascii_strncasecmp(p + n, tails[i], strlen(tails[i])) == 0)
				at[i] = p, left--;
	}
}

static bool raw_says_auth(const char *raw, char **user)
{
	static const char *const phrases[] = {
		"authenticated as ", "authenticated sender:", "authenticated user ", NULL,
	};
	static const char *const tails[] = { " as ", " sender:", " user ", NULL };
	const char *first[3];
	int i;

	*user = NULL;
	first_phrases(raw, tails, first);
	for (i = 0; phrases[i]; i++) {
		const char *at = first[i];
		if (at == NULL || (at - raw >= 4 && g_ascii_strncasecmp(at - 4, "not ", 4) == 0))
			continue;
		*user = phrase_user(at, phrases[i]);
		return true;
	}
	return false;
}

static void parse_hops(struct qs_judgement *j, GPtrArray *hops, const char **raws)
{
	guint i, skipped = 0;

	for (i = 0; i < j->headers.list->len; i++) {
		const struct qs_header *f = g_ptr_array_index(j->headers.list, i);
		struct qs_hop *h;

		if (!(f->name_len == 8 && qs_name_eq(f->name, "Received")))
			continue;
		if (hops->len >= QS_MAX_RECEIVED) {
			skipped++;
			continue;
		}
		h = qs_received_parse_new(f->value);	/* one allocation per line */
		h->ours = h->trusted = false;
		raws[hops->len] = f->value;	/* hops->len < QS_MAX_RECEIVED */
		g_ptr_array_add(hops, h);
	}
	if (skipped)
		qs_trace_add(j, "received", false, "%u Received lines beyond the first %d not examined",
			     skipped, QS_MAX_RECEIVED);
}

/* hop_continues - is hops[i] still ours, given hops[i-1] is? */
static bool hop_continues(struct ipfacts *f, const struct qs_hop *prev,
			  const char *prev_raw, const struct qs_hop *h, const char *names_extra)
{
	const struct qs_config *c = f->c;

	if (hop_is_local(prev, prev_raw))
		return false;
	if (prev->ip == NULL) {
		/* qmail's pair; or an internal hand-over that recorded no IP
		 * ("from mail.example.com by mail.example.com") */
		if (qmail_pair_top(prev_raw))
			return true;
		return h->by && qs_host_is_ours(c, h->by, names_extra) &&
		       (qs_host_is_ours(c, prev->from, names_extra) || qs_host_is_ours(c, prev->rdns, names_extra));
	}
	if (h->by == NULL)
		return false;	/* not an MTA's line */
	/* behind loopback: our MTA or a local filter (amavisd "by localhost")
	 * wrote the next line only if it names us; a local program that
	 * re-sends mail it fetched elsewhere brings foreign lines along */
	if (f_us(f, prev->ip))
		return qs_host_is_ours(c, h->by, names_extra) || by_is_localhost(h->by);
	/* prev->trusted is qs_ip_is_trusted(prev->ip), set by mark_ours() */
	return prev->trusted && qs_host_is_ours(c, h->by, names_extra);
}

/* mark_ours - returns the index of the first ours hop, -1 if none */
static int mark_ours(struct ipfacts *f, GPtrArray *hops, const char **raws,
		     bool carried, const char *extra, const char **newest_by)
{
	const struct qs_config *c = f->c;
	int start = 0, i, n = (int)hops->len;

	*newest_by = extra;
	for (i = 0; i < n; i++) {
		struct qs_hop *h = g_ptr_array_index(hops, i);
		h->trusted = h->ip && f_trusted(f, h->ip);
	}
	if (n == 0)
		return -1;
	if (carried) {
		for (start = 0; start < n; start++)
			if (qs_host_is_ours(c, ((struct qs_hop *)g_ptr_array_index(hops, start))->by, extra))
				break;
		if (start == n)
			return -1;
	} else if (((struct qs_hop *)g_ptr_array_index(hops, 0))->by) {
		*newest_by = ((struct qs_hop *)g_ptr_array_index(hops, 0))->by;
	}
	((struct qs_hop *)g_ptr_array_index(hops, start))->ours = true;
	for (i = start + 1; i < n; i++) {
		struct qs_hop *h = g_ptr_array_index(hops, i);
		struct qs_hop *prev = g_ptr_array_index(hops, i - 1);
		/* the qmail pair's lower line names the host: learn it */
		if (i == start + 1 && prev->by == NULL && h->by && !carried)
			*newest_by = h->by;
		if (!hop_continues(f, prev, raws[i - 1], h, *newest_by))
			break;
		h->ours = true;
	}
	return start;
}

/* bounce_daemon - qmail-send writing a bounce: local, yet no submission */
static bool bounce_daemon(const char *raw)
{
	return qmail_line(raw) && strstr(raw, "invoked for bounce");
}

static void find_client(const struct qs_msg *m, struct qs_judgement *j, GPtrArray *hops,
			const char **raws, int start)
{
	int i, last = -1;

	for (i = start; start >= 0 && i < (int)hops->len; i++) {
		if (!((struct qs_hop *)g_ptr_array_index(hops, i))->ours)
			break;
		last = i;
	}
	if (m->client_ip || m->local_submission) {
		j->client_ip = m->client_ip;
		j->client_helo = m->client_helo;
		j->client_name = m->client_name;
		j->local_submission = m->local_submission && m->client_ip == NULL;
		qs_trace_add(j, "client", true, "%s from queue metadata%s",
			     m->client_ip ? m->client_ip : "local submission",
			     m->client_helo ? ", HELO given" : "");
		return;
	}
	if (last < 0) {
		qs_trace_add(j, "client", false, "no queue metadata and no Received line written here");
		return;
	}
	{
		struct qs_hop *h = g_ptr_array_index(hops, last);
		j->client_ip = h->ip;
		j->client_helo = h->from;
		j->client_name = h->rdns;
		if (h->ip == NULL && hop_is_local(h, raws[last]) &&
		    !bounce_daemon(raws[last]))
			j->local_submission = true;
		qs_trace_add(j, "client", h->ip || j->local_submission,
			     "Received line %d (the oldest written here): %s", last + 1,
			     h->ip ? h->ip : j->local_submission ? "local program" : "no IP");
	}
}

/* inward - the walk may look behind ip (trusted or this host); *memo
 * keeps the answer for the current deepest address (-1: not known yet) */
static bool inward(struct ipfacts *f, const char *ip, int *memo)
{
	if (*memo < 0)
		*memo = f_trusted(f, ip) || f_us(f, ip);
	return *memo != 0;
}

/*
 * walk_origin - two facts from one walk down [metadata client, hops...]:
 * the origin of POLICY rules 6 and 10 (the client, looking through our
 * own hosts: the first sending host in our own hops that is not
 * loopback/local_addresses; all ours -> the deepest of them), and the
 * external origin IP that is counted (going on through trusted hosts
 * until the first that is neither trusted nor us).
 */
static void walk_origin(struct ipfacts *f, const struct qs_msg *m, struct qs_judgement *j,
			GPtrArray *hops, const char **raws, int start)
{
	const char *deepest = NULL, *policy = NULL;
	int i, policy_at = 0;
	int deep_in = -1;	/* inward(deepest): -1 not asked yet (reset with deepest) */

	if (m->client_ip) {
		deepest = m->client_ip;
		if (!f_us(f, m->client_ip))
			policy = m->client_ip;
	} else if (m->local_submission) {
		qs_trace_add(j, "origin", false, "local submission: no network origin");
		return;
	}
	for (i = start; start >= 0 && i < (int)hops->len; i++) {
		struct qs_hop *h = g_ptr_array_index(hops, i);
		const char *raw = raws[i];
		if (deepest && !inward(f, deepest, &deep_in))
			break;
		if (hop_is_local(h, raw)) {
			if (!deepest && !bounce_daemon(raw))
				j->local_submission = true;
			break;
		}
		if (h->ip == NULL)
			continue;
		if (!policy && h->ours && !f_us(f, h->ip)) {
			policy = h->ip;
			policy_at = i + 1;
		}
		if (deepest == NULL || inward(f, deepest, &deep_in)) {
			deepest = h->ip;
			deep_in = -1;
		}
	}
	if (deepest == NULL) {
		qs_trace_add(j, "origin", false, "%s", j->local_submission ?
			     "local submission: no network origin" : "unknown: no sending IP");
		return;
	}
	if (policy == NULL)
		policy = m->client_ip && !f_us(f, m->client_ip) ? m->client_ip : NULL;
	if (policy == NULL) {
		/* only this host itself: loopback/local_addresses */
		policy = m->client_ip ? m->client_ip : deepest;
	}
	j->origin_client = (char *)policy;	/* borrowed until own_strings() */
	if (policy_at > 0) {
		const struct qs_hop *ph = g_ptr_array_index(hops, policy_at - 1);
		j->origin_helo = ph->from;
		j->origin_name = ph->rdns;
	} else if (policy == m->client_ip) {
		j->origin_helo = m->client_helo;
		j->origin_name = m->client_name;
	}
	j->origin_trusted = f_trusted(f, policy);
	j->origin_external = !j->origin_trusted && !f_us(f, policy);
	j->origin_ip = (char *)deepest;	/* borrowed until own_strings() */
	if (!j->quiet) {	/* (a bulk scan records no trace: skip the printf) */
		char *where = policy_at > 0 ? g_strdup_printf("Received line %d", policy_at) :
			      g_strdup(policy == m->client_ip ? "queue metadata" : "the chain");
		qs_trace_add(j, "origin", true, "client %s (%s) is %s; counted origin %s%s", policy, where,
			     j->origin_trusted ? "trusted" : j->origin_external ? "external" :
			     "this host but not in trusted_networks", deepest,
			     f_trusted(f, deepest) || f_us(f, deepest) ?
			     " (no external sender behind it)" : "");
		g_free(where);
	}
}

/* value_user - the account in a header value: "<addr>", "user",
 * "Name <addr>", cPanel's "host: user@dom" and
 * "host: authenticated_id: user@dom" (labels end in ':') */
static char *value_user(const char *v)
{
	char **w, *u = NULL;
	int i;

	if (strchr(v, '<'))
		return qs_hdr_first_address(v);
	w = g_strsplit_set(v, " \t", -1);
	for (i = 0; w[i] && u == NULL; i++) {
		size_t n = strlen(w[i]);
		while (n > 0 && (w[i][n - 1] == ';' || w[i][n - 1] == ','))
			w[i][--n] = '\0';
		if (n == 0 || w[i][n - 1] == ':')
			continue;
		u = g_strdup(w[i]);
	}
	g_strfreev(w);
	return u;
}

static char *header_user(const struct qs_judgement *j, const char **which)
{
	static const char *const names[] = {
		"X-Authenticated-Sender", "X-Authenticated-User", "X-Authenticated-As",
		"X-Auth-User", "X-AuthUser", "X-Sender-Auth-User", "X-Get-Message-Sender-Via", NULL,
	};
	int i;

	for (i = 0; names[i]; i++) {
		const char *v = qs_headers_get(&j->headers, names[i], 0);
		char *u;
		if (v == NULL || *v == '\0')
			continue;
		if (strcmp(names[i], "X-Get-Message-Sender-Via") == 0) {
			/* cPanel: only "authenticated_id: user" names an account */
			v = strstr(v, "authenticated_id:");
			if (v == NULL)
				continue;
			v += strlen("authenticated_id:");
		}
		u = value_user(v);
		if (u && *u) {
			*which = names[i];
			return u;
		}
		g_free(u);
	}
	return NULL;
}

static void find_auth(const struct qs_msg *m, struct qs_judgement *j, GPtrArray *hops, const char **raws)
{
	const char *which = NULL;
	int i, first = -1;

	if (m->auth_user && *m->auth_user) {
		j->authenticated = true;
		j->auth_user = g_strdup(m->auth_user);
		qs_trace_add(j, "auth", true, "user %s from queue metadata", m->auth_user);
		return;
	}
	for (i = 0; i < (int)hops->len; i++) {
		struct qs_hop *h = g_ptr_array_index(hops, i);
		char *u = NULL;
		bool says;
		if (!h->ours)
			continue;
		/* the raw text is only asked when the parser understood the line
		 * and found no user itself: a line it rejected as forged (text
		 * smuggled in through an unsanitised HELO) must not vouch for AUTH */
		says = h->parsed && !h->forged && !(h->auth_user && *h->auth_user) &&
		       raw_says_auth(raws[i], &u);
		if (!h->authenticated && !with_is_auth(h->with) && !says)
			continue;
		if (first < 0)
			first = i;
		if (h->auth_user && *h->auth_user) {
			g_free(u);
			u = g_strdup(h->auth_user);
		}
		if (u) {
			j->auth_user = u;
			break;
		}
	}
	if (first < 0) {
		qs_trace_add(j, "auth", false, "no authentication in metadata or in our Received lines");
		return;
	}
	j->authenticated = true;
	if (j->auth_user) {
		qs_trace_add(j, "auth", true, "user %s, Received line %d", j->auth_user, first + 1);
		return;
	}
	j->auth_user = header_user(j, &which);
	if (j->auth_user)
		qs_trace_add(j, "auth", true, "Received line %d authenticated, user %s from %s",
			     first + 1, j->auth_user, which);
	else
		qs_trace_add(j, "auth", true, "Received line %d authenticated, user unknown", first + 1);
}

/*
 * own_strings - find_client() and walk_origin() point the client and
 * origin fields at the message's and the hops' strings; here they get
 * their own copies, all in one allocation (j->origin_store, freed by
 * qs_judgement_clear) instead of seven.
 */
static void own_strings(struct qs_judgement *j)
{
	char **f[] = {
		&j->client_ip, &j->client_helo, &j->client_name, &j->origin_client,
		&j->origin_helo, &j->origin_name, &j->origin_ip,
	};
	size_t len[G_N_ELEMENTS(f)], total = 0, i;
	char *w;

	for (i = 0; i < G_N_ELEMENTS(f); i++) {
		len[i] = *f[i] ? strlen(*f[i]) + 1 : 0;
		total += len[i];
	}
	if (total == 0)
		return;
	w = j->origin_store = g_malloc(total);
	for (i = 0; i < G_N_ELEMENTS(f); i++) {
		if (*f[i] == NULL)
			continue;
		memcpy(w, *f[i], len[i]);
		*f[i] = w;
		w += len[i];
	}
}

void qs_origin_find(const struct qs_config *c, const struct qs_msg *m,
		    struct qs_judgement *j, bool carried, const char *extra_name)
{
	const char *raws[QS_MAX_RECEIVED];	/* raw value of each hop */
	const char *newest_by = NULL;
	struct ipfacts f = { .c = c };
	int start;

	parse_hops(j, j->hops, raws);
	start = mark_ours(&f, j->hops, raws, carried, extra_name, &newest_by);
	if (carried)
		j->carried_passed_here = start >= 0;
	find_client(m, j, j->hops, raws, start);
	walk_origin(&f, m, j, j->hops, raws, start);
	find_auth(m, j, j->hops, raws);
	own_strings(j);
}
