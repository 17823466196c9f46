/*
 * 4003-cpu-fastpaths: the shortcuts the scan takes on its hot paths give
 * exactly what the general code (GMime, GLib, libc) gives. Each is
 * compared with the general code on generated input from a fixed seed:
 * plain-ASCII header text (GMime decoding), ISO times (GDateTime),
 * dotted quads (inet_pton), canonical RFC 5322 dates (GMime), JSON
 * strings (a byte-at-a-time reference) and ASCII case-insensitive search.
 */
#include "config.h"
#include <arpa/inet.h>
#include <string.h>
#include <gmime/gmime.h>
#include "conf.h"
#include "hdr.h"
#include "util.h"
#include "plainmsg.h"
#include "tap.h"

#define ROUNDS 200000

static GRand *rnd;

static int pick(int n)
{
	return g_rand_int_range(rnd, 0, n);
}

static void header_text(void)
{
	static const char al[] = " \t\r\n\x01\x7f=?_abcQB-\"()<>;:,.xyz";
	static const char *fallback[] = { "utf-8", "cp949", "iso-8859-1", NULL };
	GMimeParserOptions *o = g_mime_parser_options_new();
	long bad = 0, n = 0;
	char s[48], *mine, *ref;
	int i, k, len;

	g_mime_parser_options_set_fallback_charsets(o, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	for (i = 0; i < ROUNDS; i++) {
		len = pick(47);
		for (k = 0; k < len; k++)
			s[k] = pick(2) ? al[pick(sizeof al - 1)] : (char)(1 + pick(127));
		s[len] = '\0';
		if (strstr(s, "=?"))
			continue;
		n++;
		mine = qs_hdr_decode(s);
		ref = g_mime_utils_header_decode_text(o, s);
		if (g_strcmp0(mine, ref) != 0 && bad++ == 0)
			diag("\"%s\": got \"%s\", GMime \"%s\"", s, mine, ref);
		g_free(mine);
		g_free(ref);
	}
	ok(bad == 0 && n > ROUNDS / 2, "plain ASCII header text: as GMime decodes it (%ld strings)", n);
	mine = qs_hdr_decode("=?utf-8?q?caf=C3=A9?=");
	is_str(mine, "caf\xc3\xa9", "an encoded word still goes to GMime");
	g_free(mine);
	g_mime_parser_options_free(o);
}

static void iso_times(void)
{
	static const gint64 edge[] = { 0, 59, 86399, 86400, 951782400, 951868800, 4107542399LL,
				       4107542400LL, 253402300799LL, 253402300800LL };
	long bad = 0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		gint64 t = i < (int)G_N_ELEMENTS(edge) ? edge[i] :
			   i % 3 ? (gint64)(g_rand_double(rnd) * 5e9) : (gint64)(g_rand_double(rnd) * 2.6e11);
		GDateTime *dt = g_date_time_new_from_unix_utc(t);
		char *ref = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
		char *mine = qs_iso_time(t);

		if (g_strcmp0(mine, ref) != 0 && bad++ == 0)
			diag("%lld: got %s, GLib %s", (long long)t, mine, ref);
		g_free(mine);
		g_free(ref);
		if (dt)
			g_date_time_unref(dt);
	}
	ok(bad == 0, "qs_iso_time: as g_date_time_format gives it");
}

static void dotted_quads(void)
{
	static const char al[] = "0123456789.";
	long bad = 0;
	char s[24];
	int i, k, len;

	for (i = 0; i < ROUNDS; i++) {
		guint8 mine[16], ref[16];
		int fam = 0;
		bool got, want;

		if (pick(2)) {
			g_snprintf(s, sizeof s, "%d.%d.%d.%d", pick(300), pick(300), pick(300), pick(300));
			if (pick(4) == 0)
				s[pick((int)strlen(s))] = al[pick(sizeof al - 1)];
		} else {
			len = 1 + pick(16);
			for (k = 0; k < len; k++)
				s[k] = al[pick(sizeof al - 1)];
			s[len] = '\0';
		}
		memset(ref, 0, sizeof ref);
		want = inet_pton(AF_INET, s, ref) == 1;
		got = qs_ip_parse(s, &fam, mine) && fam == AF_INET;
		if ((got != want || (got && memcmp(mine, ref, 4) != 0)) && bad++ == 0)
			diag("\"%s\": got %d, inet_pton %d", s, got, want);
	}
	ok(bad == 0, "dotted quads: accepted and read as inet_pton does");
}

static gint64 gmime_date(const char *s)
{
	GDateTime *dt = g_mime_utils_header_decode_date(s);
	gint64 t;

	if (dt == NULL)
		return -1;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t > 0 ? t : -1;
}

static void dates(void)
{
	static const char *const wd[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "mon", "Xyz", "" };
	static const char *const mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec", "jan", "Foo" };
	long bad = 0;
	char s[96];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		int w = pick(10), y = pick(2) ? 1960 + pick(150) : pick(10000);
		char day[8];

		g_snprintf(day, sizeof day, pick(4) ? "%d" : "%02d", pick(33));
		g_snprintf(s, sizeof s, "%s%s%s %s %04d %02d:%02d:%02d %c%02d%02d", wd[w], *wd[w] ? ", " : "",
			   day, mn[pick(14)], y, pick(26), pick(62), pick(62), pick(2) ? '+' : '-', pick(17), pick(62));
		if (pick(10) == 0)
			s[pick((int)strlen(s))] = " ,:+-09aZ("[pick(10)];
		if (qs_parse_date(s) != gmime_date(s) && bad++ == 0)
			diag("\"%s\": got %lld, GMime %lld", s, (long long)qs_parse_date(s), (long long)gmime_date(s));
	}
	ok(bad == 0, "RFC 5322 dates: as GMime reads them");
}

/* the JSON string as the first qs_json_str wrote it: one byte at a time */
static void json_ref(GString *out, const char *s)
{
	const char *p, *end = s + strlen(s);

	g_string_append_c(out, '"');
	for (p = s; p < end;) {
		unsigned char c = (unsigned char)*p;
		gunichar u;

		if (c == '"' || c == '\\') {
			g_string_append_c(out, '\\');
			g_string_append_c(out, (char)c);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			g_string_append(out, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			g_string_append_printf(out, "\\u%04x", c);
		} else if (c < 0x80) {
			g_string_append_c(out, (char)c);
		} else if ((u = g_utf8_get_char_validated(p, end - p)) != (gunichar)-1 && u != (gunichar)-2) {
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
			p = g_utf8_next_char(p);
			continue;
		} else {
			g_string_append(out, "\\ufffd");
		}
		p++;
	}
	g_string_append_c(out, '"');
}

static void json_strings(void)
{
	static const char *const pieces[] = { "a", "\"", "\\", "\n", "\r", "\t", "\x01", "\x7f",
		"\xc3\xa9", "\xe4\xb8\xad", "\xff", "\xc3", "\xe4\xb8", "0123456789abcdef", " ",
		"\xf0\x9f\x98\x80", "\xed\xa0\x80" };
	GString *s = g_string_new(NULL), *a = g_string_new(NULL), *b = g_string_new(NULL);
	long bad = 0;
	int i, k;

	for (i = 0; i < ROUNDS; i++) {
		int n = pick(30);
		g_string_truncate(s, 0);
		for (k = 0; k < n; k++)
			g_string_append(s, pieces[pick(G_N_ELEMENTS(pieces))]);
		g_string_assign(a, "x");
		g_string_assign(b, "x");
		json_ref(a, s->str);
		qs_json_str(b, s->str);
		if ((a->len != b->len || strcmp(a->str, b->str) != 0) && bad++ == 0)
			diag("got %s, want %s", b->str, a->str);
	}
	ok(bad == 0, "qs_json_str: escapes as the byte-at-a-time reference");
	g_string_free(s, TRUE);
	g_string_free(a, TRUE);
	g_string_free(b, TRUE);
}

static const char *naive_casestr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	for (p = hay; *p; p++)
		if (g_ascii_strncasecmp(p, needle, n) == 0)
			return p;
	return n == 0 ? hay : NULL;
}

static void case_search(void)
{
	static const char al[] = "aAbBmM-/@ \xc3\xa9";
	static const char *const needles[] = { "multipart/report", "mailer-daemon", "ab", "-b", "@", "M" };
	long bad = 0;
	char s[40];
	int i, k, len;

	for (i = 0; i < ROUNDS; i++) {
		const char *nd = needles[pick(G_N_ELEMENTS(needles))];
		len = pick(39);
		for (k = 0; k < len; k++)
			s[k] = al[pick(sizeof al - 1)];
		s[len] = '\0';
		if (pick(3) == 0 && len + strlen(nd) < sizeof s - 1)
			strcpy(s + pick(len + 1), nd);
		if (qs_ascii_strcasestr(s, nd) != naive_casestr(s, nd) && bad++ == 0)
			diag("\"%s\" in \"%s\"", nd, s);
	}
	ok(bad == 0, "qs_ascii_strcasestr: the first match a naive search finds");
}

int main(void)
{
	rnd = g_rand_new_with_seed(4003);
	qs_hdr_global_init();
	header_text();
	iso_times();
	dotted_quads();
	dates();
	json_strings();
	case_search();
	g_rand_free(rnd);
	return done_testing();
}
