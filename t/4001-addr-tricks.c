/*
 * 4001-addr-tricks: the CERT relay test forms, each once decoding to an
 * external destination and once to a local one; case, trailing dots,
 * IDN, address literals; hostile inputs.
 *
 * {R} remote part, {L} the server's domain, {I} the server's address
 * literal. Local instances put a subdomain of a local domain in {R}.
 */
#include "config.h"
#include <string.h>
#include "addr.h"
#include "tap.h"
#include "util.h"

struct form {
	const char *tmpl;
	char cl;		/* qs_addr_destination() gives {R} or {L} */
};

static const struct form forms[] = {
	{ "u@{R}", 'R' },
	{ "u%{R}@{L}", 'R' },
	{ "u%{R}@{I}", 'R' },
	{ "\"u@{R}\"", 'R' },
	{ "\"u%{R}\"", 'R' },
	{ "u@{R}@{L}", 'R' },
	{ "\"u@{R}\"@{L}", 'R' },
	{ "\"u%{R}\"@{L}", 'R' },
	{ "\"u@{R}\"@{I}", 'R' },
	{ "u@{R}@{I}", 'R' },
	{ "@{L}:u@{R}", 'R' },
	{ "@{I}:u@{R}", 'R' },
	{ "@{L},@{I}:u@{R}", 'R' },
	{ "{R}!u", 'R' },
	{ "{R}!u@{L}", 'R' },
	{ "{R}!u@{I}", 'R' },
	{ "\"{R}!u\"@{L}", 'R' },
	{ "{L}!{R}!u", 'L' },
	{ "{L}!u%{R}", 'L' },
	{ "u%{R}", 'R' },
	{ "<u%{R}@{L}>", 'R' },
	{ "\"u\\@{R}\"@{L}", 'R' },
	{ "u%{R}%{L}@{L}", 'L' },
};

static char *subst(const char *tmpl, const char *r, const char *l, const char *ip)
{
	GString *s = g_string_new(NULL);
	const char *p;

	for (p = tmpl; *p; p++) {
		if (p[0] == '{' && p[1] && p[2] == '}') {
			g_string_append(s, p[1] == 'R' ? r : p[1] == 'L' ? l : ip);
			p += 2;
		} else {
			g_string_append_c(s, *p);
		}
	}
	return g_string_free(s, FALSE);
}

static struct qs_config *cfg(void)
{
	struct qs_config *c = qs_config_new();
	const char *doms[] = { "local.example", ".local.example", "b\xc3\xbc" "cher.example",
			       "apexonly.example", ".subonly.example", NULL };
	struct qs_net n;
	int i;

	for (i = 0; doms[i]; i++)
		if (qs_config_add_local_domain(c, doms[i], "test", NULL) < 0)
			bail("cannot add %s", doms[i]);
	if (!qs_net_parse("192.0.2.10", &n))
		bail("192.0.2.10");
	g_array_append_val(c->local_addresses, n);
	if (!qs_net_parse("2001:db8::10", &n))
		bail("2001:db8::10");
	g_array_append_val(c->local_addresses, n);
	return c;
}

static void check(const struct qs_config *c, const char *addr, const char *want_cl,
		  enum qs_addr_status want_st, const char *want_dest, bool want_local)
{
	char *cl = qs_addr_destination(addr), *dest = NULL;
	char *cut = g_strndup(addr, 60), *shown = qs_printable(cut);
	bool local = false;
	enum qs_addr_status st = qs_addr_resolve(c, addr, &dest, &local);

	is_str(cl, want_cl, "destination of %s", shown);
	ok(st == want_st && g_strcmp0(dest, want_dest) == 0 && local == want_local,
	   "resolve %s -> %s %s", shown, want_dest ? want_dest : "(none)",
	   want_st == QS_ADDR_INVALID ? "invalid" : want_local ? "local" : "external");
	if (st != want_st || g_strcmp0(dest, want_dest) != 0 || local != want_local)
		diag("got status %d dest %s local %d", st, dest ? dest : "(null)", local);
	g_free(cl);
	g_free(dest);
	g_free(shown);
	g_free(cut);
}

static void cert_forms(const struct qs_config *c)
{
	const char *remote_ext = "relay.example.net", *remote_loc = "mx.local.example";
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(forms); i++) {
		char *ext = subst(forms[i].tmpl, remote_ext, "local.example", "[192.0.2.10]");
		char *loc = subst(forms[i].tmpl, remote_loc, "local.example", "[192.0.2.10]");
		const char *cl_ext = forms[i].cl == 'R' ? remote_ext : "local.example";
		const char *cl_loc = forms[i].cl == 'R' ? remote_loc : "local.example";

		check(c, ext, cl_ext, QS_ADDR_DOMAIN, remote_ext, false);
		check(c, loc, cl_loc, QS_ADDR_DOMAIN, remote_loc, true);
		g_free(ext);
		g_free(loc);
	}
}

static void normal_forms(const struct qs_config *c)
{
	check(c, "User@LOCAL.Example.", "local.example", QS_ADDR_DOMAIN, "local.example", true);
	check(c, "  < u@Relay.Example.NET. >  ", "relay.example.net", QS_ADDR_DOMAIN, "relay.example.net", false);
	check(c, "u@b\xc3\xbc" "cher.example", "xn--bcher-kva.example", QS_ADDR_DOMAIN,
	      "xn--bcher-kva.example", true);
	check(c, "u@XN--BCHER-KVA.example", "xn--bcher-kva.example", QS_ADDR_DOMAIN,
	      "xn--bcher-kva.example", true);
	check(c, "u@B\xc3\x9c" "CHER.example", "xn--bcher-kva.example", QS_ADDR_DOMAIN,
	      "xn--bcher-kva.example", true);
	check(c, "u@[192.0.2.10]", "[192.0.2.10]", QS_ADDR_DOMAIN, "[192.0.2.10]", true);
	check(c, "u@[192.0.2.11]", "[192.0.2.11]", QS_ADDR_DOMAIN, "[192.0.2.11]", false);
	check(c, "u@[IPv6:2001:DB8:0::10]", "[ipv6:2001:db8::10]", QS_ADDR_DOMAIN, "[ipv6:2001:db8::10]", true);
	check(c, "u@[IPv6:::ffff:192.0.2.10]", "[ipv6:::ffff:192.0.2.10]", QS_ADDR_DOMAIN,
	      "[ipv6:::ffff:192.0.2.10]", true);
	check(c, "u@[IPv6:2001:db8::11]", "[ipv6:2001:db8::11]", QS_ADDR_DOMAIN, "[ipv6:2001:db8::11]", false);
	check(c, "postmaster", NULL, QS_ADDR_NO_DOMAIN, NULL, true);
	check(c, "\"john doe\"", NULL, QS_ADDR_NO_DOMAIN, NULL, true);
	check(c, "\"john doe\"@local.example", "local.example", QS_ADDR_DOMAIN, "local.example", true);
	check(c, "\"john\\\"doe\"@local.example", "local.example", QS_ADDR_DOMAIN, "local.example", true);
	check(c, "", NULL, QS_ADDR_NO_DOMAIN, NULL, true);
	check(c, "a%b%relay.example.net@local.example", "relay.example.net", QS_ADDR_DOMAIN,
	      "relay.example.net", false);
	check(c, "a!relay.example.net!u", "a", QS_ADDR_DOMAIN, "a", false);
	/* the outer domain is not ours: the mail goes there, whatever the local part says */
	check(c, "u%local.example@relay.example.net", "local.example", QS_ADDR_DOMAIN,
	      "relay.example.net", false);
	check(c, "\"u@local.example\"@relay.example.net", "local.example", QS_ADDR_DOMAIN,
	      "relay.example.net", false);
	/* subdomain entries */
	check(c, "u@subonly.example", "subonly.example", QS_ADDR_DOMAIN, "subonly.example", false);
	check(c, "u@a.subonly.example", "a.subonly.example", QS_ADDR_DOMAIN, "a.subonly.example", true);
	check(c, "u@xsubonly.example", "xsubonly.example", QS_ADDR_DOMAIN, "xsubonly.example", false);
	check(c, "u@a.apexonly.example", "a.apexonly.example", QS_ADDR_DOMAIN, "a.apexonly.example", false);
}

static void hostile_forms(const struct qs_config *c)
{
	GString *s;
	int i;

	check(c, "\"u@relay.example.net", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u\"@relay.example.net", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u@[192.0.2.10", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u@[999.0.2.10]", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u@[IPv6:192.0.2.10]", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u@[example.com]", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u@", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "@local.example", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u@exa mple.com", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u@a..example", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "u@\xff\xfe.example", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "!u", NULL, QS_ADDR_INVALID, NULL, false);

	/* 2000 bytes: decoded */
	s = g_string_new(NULL);
	for (i = 0; i < 1980; i++)
		g_string_append_c(s, 'a');
	g_string_append(s, "%relay.example.net@local.example");
	check(c, s->str, "relay.example.net", QS_ADDR_DOMAIN, "relay.example.net", false);
	/* beyond QS_MAX_ADDR: not decoded */
	g_string_prepend(s, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	check(c, s->str, NULL, QS_ADDR_INVALID, NULL, false);
	g_string_free(s, TRUE);

	/* 150 percent hops: the rightmost decides, the first external stops the walk */
	s = g_string_new("u");
	for (i = 0; i < 150; i++)
		g_string_append(s, "%x.example");
	g_string_append(s, "%relay.example.net@local.example");
	check(c, s->str, "relay.example.net", QS_ADDR_DOMAIN, "relay.example.net", false);
	g_string_free(s, TRUE);

	/* 40 local hops: beyond QS_ADDR_MAX_HOPS nobody can tell */
	s = g_string_new("u");
	for (i = 0; i < 40; i++)
		g_string_append(s, "%local.example");
	g_string_append(s, "@local.example");
	check(c, s->str, "local.example", QS_ADDR_INVALID, NULL, false);
	g_string_free(s, TRUE);

	/* 600 bang hops */
	s = g_string_new(NULL);
	for (i = 0; i < 600; i++)
		g_string_append(s, "h!");
	g_string_append(s, "u");
	check(c, s->str, "h", QS_ADDR_DOMAIN, "h", false);
	g_string_free(s, TRUE);

	/* nested quoting */
	check(c, "\"\\\"u@relay.example.net\\\"\"@local.example", "relay.example.net", QS_ADDR_DOMAIN,
	      "relay.example.net", false);
	/* many quotes and @ in a row */
	check(c, "\"\"\"\"@@@@", NULL, QS_ADDR_INVALID, NULL, false);
	check(c, "<<<>>>", NULL, QS_ADDR_NO_DOMAIN, NULL, true);
}

static void sender_domains(void)
{
	static const struct { const char *in, *want; } t[] = {
		{ "", NULL }, { "<>", NULL }, { "u@Example.COM.", "example.com" },
		{ "\"a@b\"@c.example", "c.example" }, { "u%r.example@l.example", "l.example" },
		{ "user", NULL }, { "<u@[192.0.2.1]>", "[192.0.2.1]" },
		{ "@a.example:u@b.example", "b.example" }, { "u@bad domain", NULL },
	};
	size_t i;
	char *d;

	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		d = qs_addr_domain(t[i].in);
		is_str(d, t[i].want, "sender domain of \"%s\"", t[i].in);
		g_free(d);
	}
}

static void normalize(void)
{
	char label64[80], *d;
	GString *big = g_string_new(NULL);

	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".example");
	d = qs_domain_normalize(label64);
	is_str(d, NULL, "a 64-byte label is not a domain");
	g_free(d);
	while (big->len < 250)
		g_string_append(big, "abcdefghi.");
	g_string_append(big, "example");
	d = qs_domain_normalize(big->str);
	is_str(d, NULL, "a 257-byte name is not a domain");
	g_free(d);
	g_string_free(big, TRUE);
	d = qs_domain_normalize("Mail_1.EXAMPLE.");
	is_str(d, "mail_1.example", "underscore kept, case folded, dot removed");
	g_free(d);
	d = qs_domain_normalize("example.com..");
	is_str(d, NULL, "two trailing dots are not a domain");
	g_free(d);
	d = qs_domain_normalize("[IPv6:2001:DB8::1]");
	is_str(d, "[ipv6:2001:db8::1]", "IPv6 literal normalised");
	g_free(d);
}

static void hops(const char *addr, enum qs_addr_status want_st, const char *want)
{
	GPtrArray *h = g_ptr_array_new_with_free_func(g_free);
	enum qs_addr_status st = qs_addr_hops(addr, h);
	char *got;

	g_ptr_array_add(h, NULL);
	got = g_strjoinv(" ", (char **)h->pdata);
	ok(st == want_st && strcmp(got, want) == 0, "hops of %s: \"%s\"", addr, got);
	g_free(got);
	g_ptr_array_unref(h);
}

/* fixed-seed random addresses from the characters that matter: no
 * crash, and whatever comes back is a normalised domain */
static void fuzz(const struct qs_config *c)
{
	static const char alphabet[] = "@%!\":[]<>\\ .,abcAB0123-\xc3\xbc";
	GRand *rnd = g_rand_new_with_seed(4001);
	int i, bad = 0, n = 20000;

	for (i = 0; i < n; i++) {
		int len = g_rand_int_range(rnd, 0, i % 100 == 0 ? 3000 : 40), k;
		char *a = g_malloc(len + 1), *d, *r, *norm;
		bool local;

		for (k = 0; k < len; k++)
			a[k] = alphabet[g_rand_int_range(rnd, 0, sizeof(alphabet) - 1)];
		a[len] = '\0';
		d = qs_addr_destination(a);
		qs_addr_resolve(c, a, &r, &local);
		norm = d ? qs_domain_normalize(d) : NULL;
		if (d && g_strcmp0(norm, d) != 0)
			bad++;
		g_free(norm);
		norm = r ? qs_domain_normalize(r) : NULL;
		if (r && g_strcmp0(norm, r) != 0)
			bad++;
		g_free(norm);
		g_free(d);
		g_free(r);
		g_free(qs_addr_domain(a));
		g_free(a);
	}
	is_int(bad, 0, "%d random addresses: results are normalised domains", n);
	g_rand_free(rnd);
}

int main(void)
{
	struct qs_config *c = cfg();

	cert_forms(c);
	normal_forms(c);
	hostile_forms(c);
	sender_domains();
	normalize();
	fuzz(c);
	hops("a%b%c@Local.example", QS_ADDR_DOMAIN, "local.example c b");
	hops("local!remote!u", QS_ADDR_DOMAIN, "local remote");
	hops("@x.example:\"u%r\"@[IPv6:2001:db8::1]", QS_ADDR_DOMAIN, "[ipv6:2001:db8::1] r");
	hops("u", QS_ADDR_NO_DOMAIN, "");
	hops("u@bad..example", QS_ADDR_INVALID, "");
	ok(qs_domain_is_local(c, NULL), "no domain is local");
	ok(!qs_domain_is_local(c, "example"), "unlisted domain is external");
	qs_config_free(&c);
	ok(c == NULL, "qs_config_free clears the pointer");
	return done_testing();
}
