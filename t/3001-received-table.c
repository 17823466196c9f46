/*
 * 3001-received-table: qs_received_parse against real Received lines.
 *
 * The cases live in t/data/received/cases.txt (format documented at
 * its top). Each line is fed the way qscan sees it: the physical lines
 * are put in a header block and unfolded by qs_hdr_parse (hdr.c), so
 * folded originals are tested as folded. Every failure names the case
 * by its line number in cases.txt. A few hostile inputs that cannot
 * be written as text (huge, binary) are built here.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hdr.h"
#include "received.h"
#include "received_int.h"
#include "tap.h"
#include "testutil.h"

struct tcase {
	int lineno;
	char *src;
	GString *raw;		/* "Received: " + physical lines, LF-joined */
	GHashTable *want;	/* key -> expected text */
};

static void tcase_reset(struct tcase *c)
{
	g_free(c->src);
	if (c->raw)
		g_string_free(c->raw, TRUE);
	if (c->want)
		g_hash_table_destroy(c->want);
	memset(c, 0, sizeof *c);
}

static const char *want(const struct tcase *c, const char *key)
{
	return g_hash_table_lookup(c->want, key);
}

/* "-" means NULL */
static void check_str(const struct tcase *c, const char *key, const char *got)
{
	const char *w = want(c, key);

	if (!w)
		return;
	is_str(got, strcmp(w, "-") == 0 ? NULL : w, "cases.txt:%d (%s) %s", c->lineno, c->src, key);
}

static void check_bool(const struct tcase *c, const char *key, const char *dflt, bool got)
{
	const char *w = want(c, key);

	if (!w)
		w = dflt;
	is_str(got ? "yes" : "no", w, "cases.txt:%d (%s) %s", c->lineno, c->src, key);
}

static void run_case(const struct tcase *c)
{
	struct qs_headers h;
	struct qs_hop hop;
	const char *value;
	const char *auth = want(c, "auth");
	char *auth_got;
	int rc;

	qs_headers_init(&h);
	g_string_append_c(c->raw, '\n');
	if (qs_hdr_parse((const guint8 *)c->raw->str, c->raw->len, &h) != 0 ||
	    !(value = qs_headers_get(&h, "Received", 0))) {
		ok(false, "cases.txt:%d header block parses", c->lineno);
		qs_headers_free(&h);
		return;
	}
	rc = qs_received_parse(value, &hop);
	is_int(rc, hop.parsed ? 0 : -1, "cases.txt:%d return value matches parsed", c->lineno);
	check_bool(c, "parsed", "yes", hop.parsed);
	check_str(c, "from", hop.from);
	check_str(c, "rdns", hop.rdns);
	check_str(c, "ip", hop.ip);
	check_str(c, "by", hop.by);
	check_str(c, "with", hop.with);
	check_str(c, "id", hop.id);
	check_str(c, "for", hop.for_addr);
	check_str(c, "date", hop.date);
	check_str(c, "mta", hop.mta);
	check_bool(c, "local", "no", hop.local);
	check_bool(c, "forged", "no", hop.forged);
	auth_got = hop.auth_user ? g_strdup_printf("yes user=%s", hop.auth_user)
				 : g_strdup(hop.authenticated ? "yes" : "no");
	is_str(auth_got, auth ? auth : "no", "cases.txt:%d (%s) auth", c->lineno, c->src);
	g_free(auth_got);
	qs_hop_clear(&hop);
	qs_headers_free(&h);
}

static void add_kv(struct tcase *c, const char *key, const char *val, int lineno)
{
	if (!strcmp(key, "src")) {
		if (c->src)
			bail("cases.txt:%d: src: inside a case (missing blank line?)", lineno);
		c->src = g_strdup(val);
		c->lineno = lineno;
		c->want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		return;
	}
	if (!c->src)
		bail("cases.txt:%d: '%s:' before 'src:'", lineno, key);
	if (!strcmp(key, "line")) {
		if (c->raw)
			bail("cases.txt:%d: second line: in one case", lineno);
		c->raw = g_string_new("Received: ");
		g_string_append(c->raw, val);
	} else if (!strcmp(key, "more")) {
		if (!c->raw)
			bail("cases.txt:%d: more: before line:", lineno);
		g_string_append_c(c->raw, '\n');
		g_string_append(c->raw, val);	/* verbatim, with its leading blank */
	} else {
		g_hash_table_replace(c->want, g_strdup(key), g_strdup(val));
	}
}

static int run_table(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	struct tcase c;
	int lineno = 0, ncases = 0;

	if (!f)
		bail("cannot open %s", path);
	memset(&c, 0, sizeof c);
	while (fgets(buf, sizeof buf, f)) {
		char *colon, *val;
		size_t n = strlen(buf);

		lineno++;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (buf[0] == '#')
			continue;
		if (n == 0) {
			if (c.src) {
				if (!c.raw)
					bail("cases.txt:%d: case without line:", c.lineno);
				run_case(&c);
				ncases++;
			}
			tcase_reset(&c);
			continue;
		}
		if (!(colon = strchr(buf, ':')))
			bail("cases.txt:%d: not 'key: value'", lineno);
		*colon = '\0';
		val = colon + 1;
		if (strcmp(buf, "more") != 0 && *val == ' ')
			val++;	/* one blank after the colon; "more:" keeps its own */
		add_kv(&c, buf, val, lineno);
	}
	if (c.src && c.raw) {
		run_case(&c);
		ncases++;
	}
	tcase_reset(&c);
	fclose(f);
	return ncases;
}

/* Inputs that cannot be written as text in the table. */
static void hostile(void)
{
	struct qs_hop hop;
	GString *s = g_string_new("from ");
	char bin[512];
	int i;

	for (i = 0; i < 3000; i++)
		g_string_append_c(s, '(');
	g_string_append(s, " by x; date");
	is_int(qs_received_parse(s->str, &hop), 0, "3000 unclosed '(' are blanks, the line parses");
	is_str(hop.by, "x", "by after 3000 unclosed '('");
	is_str(hop.date, "date", "date after 3000 unclosed '('");
	qs_hop_clear(&hop);

	g_string_assign(s, "from ");
	for (i = 0; i < 20000; i++)
		g_string_append_c(s, i % 2 ? ')' : '(');
	g_string_append(s, " by x; date");
	is_int(qs_received_parse(s->str, &hop), -1, "by beyond the input cap after 20000 parentheses is not seen");
	qs_hop_clear(&hop);

	g_string_assign(s, "from a (b [192.0.2.7]) by ");
	for (i = 0; i < 100000; i++)
		g_string_append_c(s, 'h');
	g_string_append(s, " with ESMTPA id 1; date");
	qs_received_parse(s->str, &hop);
	is_str(hop.ip, "192.0.2.7", "ip found before a 100000-byte by name");
	ok(hop.by && strlen(hop.by) == QS_RCVD_MAX_FIELD, "100000-byte by capped at %d", QS_RCVD_MAX_FIELD);
	ok(!hop.authenticated, "with beyond the input cap is not read");
	qs_hop_clear(&hop);

	g_string_assign(s, "");
	for (i = 0; i < 5000; i++)
		g_string_append(s, "(a)");
	g_string_append(s, " from h ([198.51.100.9]) by mx with SMTP; d");
	qs_received_parse(s->str, &hop);
	ok(!hop.parsed, "a line that is all comments up to the cap is not parsed");
	qs_hop_clear(&hop);

	for (i = 0; i < (int)sizeof bin - 1; i++)
		bin[i] = (char)(1 + (i * 37 + 11) % 255);
	bin[sizeof bin - 1] = '\0';
	is_int(qs_received_parse(bin, &hop), -1, "binary junk is not parsed");
	ok(!hop.by || !strpbrk(hop.by, "\x01\x02\x1b\x7f"), "no control bytes in fields");
	qs_hop_clear(&hop);

	/* found by libFuzzer: a long run of UTF-8 continuation bytes made an
	 * empty field when the cap tried to step back to a character start */
	g_string_assign(s, "from ");
	for (i = 0; i < 300; i++)
		g_string_append_c(s, '\xb5');
	g_string_append(s, " by x; d");
	is_int(qs_received_parse(s->str, &hop), 0, "300 continuation bytes as HELO parse");
	ok(hop.from && strlen(hop.from) == QS_RCVD_MAX_FIELD, "non-UTF-8 HELO cut plainly at the cap");
	qs_hop_clear(&hop);

	is_int(qs_received_parse("", &hop), -1, "empty value");
	qs_hop_clear(&hop);
	is_int(qs_received_parse(NULL, &hop), -1, "NULL value");
	ok(!hop.from && !hop.ip && !hop.parsed, "NULL value leaves an empty hop");
	qs_hop_clear(&hop);
	g_string_free(s, TRUE);
}

int main(void)
{
	char *path = tu_data("received/cases.txt");
	int n;

	qs_hdr_global_init();
	n = run_table(path);
	ok(n >= 150, "table has %d cases (at least 150)", n);
	hostile();
	g_free(path);
	return done_testing();
}
