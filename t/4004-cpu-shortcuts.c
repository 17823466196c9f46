/*
 * 4004-cpu-shortcuts: the second round of hot-path shortcuts gives
 * exactly what the code it replaced gave. The replaced code is kept
 * here, byte for byte in behaviour, as the reference:
 * - the Received lexer (received_lex.c: 8-byte skips and a class
 *   table) against the byte-at-a-time lexer: same comment matching,
 *   same last ';', same token stream, on every value of
 *   t/data/received/cases.txt, seeded mutations of them and random
 *   strings rich in ( ) \ ; < > and blanks, up to the input cap;
 * - qs_name_eq() (inline fold) against g_ascii_strcasecmp() == 0;
 * - the header splitter's whole-CRLF-line step (util.c) against a
 *   byte-at-a-time CR/CRLF/LF state machine, including the cap;
 * - qs_copy_sanitized() (memcpy, then 8-byte blocks) against the byte
 *   loop that qs_msg_set() and the Received fields used;
 * - qs_msg_note() without printf (%s and %llu) against g_strdup_printf;
 * - qs_hdr_decode() on valid UTF-8 without "=?" (no GMime) against
 *   GMime's decoding with the same options;
 * - qs_rcvd_ip_norm() (refuses non-address characters first) against
 *   the three parse attempts it made before;
 * - qs_hdr_decode() on one UTF-8 encoded word (hdr_word.c, no GMime)
 *   against GMime, on encoded random text and damaged encodings;
 * - qs_hdr_parse() (block-wide NUL/CR check, one-line fields, SSE2
 *   field names) against the field splitter as it was, on random
 *   header blocks with folding, CR, NUL, 8-bit and garbage lines;
 * - qs_judgement_explain() (a stack GString around its buffer) on
 *   senders short and long enough to make the buffer grow.
 */
#include "config.h"
#include <stdio.h>
#include <arpa/inet.h>
#include <gmime/gmime.h>
#include <string.h>
#include "classify.h"
#include "hdr.h"
#include "msg.h"
#include "policy_int.h"
#include "qs_limits.h"
#include "received_int.h"
#include "util.h"
#include "tap.h"
#include "testutil.h"

static GRand *rnd;

static unsigned pick(unsigned n)
{
	return (unsigned)g_rand_int_range(rnd, 0, (gint32)n);
}

/* ---- reference lexer: received_lex.c before the shortcuts ---------- */

struct ref_lex {
	const char *s;
	size_t n;
	uint16_t close_at[QS_RCVD_MAX_INPUT];
};

static void ref_init(struct ref_lex *lx, const char *s, size_t n)
{
	uint16_t stack[QS_RCVD_MAX_INPUT];
	size_t sp = 0, i;

	lx->s = s;
	lx->n = n;
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\':
			if (++i < n && s[i] == '(')
				lx->close_at[i] = QS_RLEX_NOMATCH;
			break;
		case '(':
			lx->close_at[i] = QS_RLEX_NOMATCH;
			stack[sp++] = (uint16_t)i;
			break;
		case ')':
			if (sp > 0)
				lx->close_at[stack[--sp]] = (uint16_t)i;
			break;
		default:
			break;
		}
	}
}

static size_t ref_semicolon(const struct ref_lex *lx)
{
	size_t i, last = lx->n;

	for (i = 0; i < lx->n; i++) {
		if (lx->s[i] == '\\')
			i++;
		else if (lx->s[i] == '(' && lx->close_at[i] != QS_RLEX_NOMATCH)
			i = lx->close_at[i];
		else if (lx->s[i] == ';')
			last = i;
	}
	return last;
}

static bool ref_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t ref_word_end(const struct ref_lex *lx, size_t i, size_t end)
{
	const char *s = lx->s;
	size_t j;

	if (s[i] == '<') {
		for (j = i + 1; j < end && j < i + QS_RCVD_MAX_FIELD; j++) {
			if (s[j] == '>')
				return j + 1 < end && s[j + 1] == '>' ? j + 2 : j + 1;
			if (s[j] == '(' || s[j] == ')' || s[j] == ';')
				break;
		}
	}
	for (j = i; j < end; j++) {
		if (ref_blank(s[j]) || s[j] == '(' || s[j] == ')' || s[j] == ';')
			break;
		if (s[j] == '\\' && j + 1 < end)
			j++;
	}
	return j;
}

static int ref_next(const struct ref_lex *lx, size_t *pos, size_t end, struct qs_rtok *t)
{
	const char *s = lx->s;
	size_t i = *pos, j;

	for (; i < end; i++) {
		if (ref_blank(s[i]) || s[i] == ';' || s[i] == ')')
			continue;
		if (s[i] == '(') {
			j = lx->close_at[i];
			if (j == QS_RLEX_NOMATCH || j >= end)
				continue;
			t->kind = QS_RTOK_COMMENT;
			t->s.p = s + i + 1;
			t->s.n = j - i - 1;
			*pos = j + 1;
			return 1;
		}
		j = ref_word_end(lx, i, end);
		t->kind = QS_RTOK_WORD;
		t->s.p = s + i;
		t->s.n = j - i;
		*pos = j;
		return 1;
	}
	*pos = end;
	return 0;
}

/* every observable of the lexer on s[0..n): 0 = same, else diag once */
static struct qs_rlex lx_new;
static struct ref_lex lx_ref;

static bool tokens_same(size_t end)
{
	size_t p1 = 0, p2 = 0;
	struct qs_rtok a, b;
	int r1, r2;

	do {
		r1 = qs_rlex_next(&lx_new, &p1, end, &a);
		r2 = ref_next(&lx_ref, &p2, end, &b);
		if (r1 != r2 || p1 != p2)
			return false;
		if (r1 && (a.kind != b.kind || a.s.p != b.s.p || a.s.n != b.s.n))
			return false;
	} while (r1);
	return true;
}

static bool lex_same(const char *s, size_t n)
{
	size_t i, semi;

	qs_rlex_init(&lx_new, s, n);
	ref_init(&lx_ref, s, n);
	for (i = 0; i < n; i++)
		if (s[i] == '(' && lx_new.close_at[i] != lx_ref.close_at[i])
			return false;
	semi = qs_rlex_last_semicolon(&lx_new);
	if (semi != ref_semicolon(&lx_ref))
		return false;
	return tokens_same(n) && tokens_same(semi);
}

static long lex_bad;

static void lex_check(const char *s, size_t n)
{
	char *copy = g_memdup2(s, n + 1);	/* exactly n bytes + NUL, for valgrind/ASan */

	if (!lex_same(copy, n) && lex_bad++ == 0)
		diag("lexers differ on \"%.*s\"", (int)MIN(n, 300), s);
	g_free(copy);
}

static void test_lexer(void)
{
	static const char al[] = "()\\;<> \t\r\nab[]:@=\"";
	GPtrArray *v = tu_received_values();
	GString *s = g_string_new(NULL);
	guint i, k, r;
	long calls = 0;

	for (i = 0; i < v->len; i++) {
		const char *val = g_ptr_array_index(v, i);
		size_t n = strlen(val), cut;
		for (cut = 0; cut <= n; cut++, calls++)	/* every prefix */
			lex_check(val, cut);
		for (r = 0; r < 40; r++, calls++) {	/* seeded mutations */
			g_string_assign(s, val);
			for (k = 0; k < 1 + pick(8); k++) {
				size_t at = s->len ? pick((unsigned)s->len) : 0;
				char c = al[pick(sizeof al - 1)];
				if (pick(2))
					g_string_insert_c(s, (gssize)at, c);
				else if (s->len)
					s->str[at] = c;
			}
			lex_check(s->str, s->len);
		}
	}
	for (r = 0; r < 20000; r++, calls++) {	/* random, up to past the cap */
		size_t n = r % 50 == 0 ? QS_RCVD_MAX_INPUT - pick(16) : pick(300);
		g_string_truncate(s, 0);
		for (k = 0; k < n; k++)
			g_string_append_c(s, pick(4) ? al[pick(sizeof al - 1)] : (char)(1 + pick(255)));
		lex_check(s->str, s->len);
	}
	ok(v->len >= 150 && lex_bad == 0, "Received lexer: as the byte-at-a-time one (%ld inputs, %ld differ)",
	   calls, lex_bad);
	g_string_free(s, TRUE);
	g_ptr_array_free(v, TRUE);
}

/* ---- qs_name_eq ------------------------------------------------------ */

static void test_name_eq(void)
{
	static const char al[] = "aAbBzZ-_:@[`{\x7f\x80\xc3\xe9";
	char a[12], b[12];
	long bad = 0, same = 0;
	int r, k, na, nb;

	for (r = 0; r < 300000; r++) {
		na = (int)pick(10);
		for (k = 0; k < na; k++)
			a[k] = pick(3) ? al[pick(sizeof al - 1)] : (char)(1 + pick(255));
		a[na] = '\0';
		/* half the time b is a case variant of a, maybe one byte off */
		nb = pick(2) ? na : (int)pick(10);
		for (k = 0; k < nb; k++) {
			char c = k < na ? a[k] : al[pick(sizeof al - 1)];
			if (g_ascii_isalpha(c) && pick(2))
				c ^= 0x20;
			b[k] = c;
		}
		if (nb > 0 && pick(8) == 0)
			b[pick((unsigned)nb)] = (char)(1 + pick(255));
		b[nb] = '\0';
		same += g_ascii_strcasecmp(a, b) == 0;
		if (qs_name_eq(a, b) != (g_ascii_strcasecmp(a, b) == 0) && bad++ == 0)
			diag("qs_name_eq(\"%s\", \"%s\") differs from g_ascii_strcasecmp", a, b);
	}
	ok(bad == 0 && same > 10000, "qs_name_eq: as g_ascii_strcasecmp() == 0 (%ld equal pairs)", same);
}

/* ---- header splitter ------------------------------------------------- */

struct ref_split {
	GByteArray *hdr;
	guint8 prev;
	bool in_body, full;
};

static void ref_put(struct ref_split *s, guint8 c)
{
	if (c == '\n' && s->prev == '\n') {
		s->in_body = true;
		return;
	}
	s->prev = c;
	if (s->hdr->len >= QS_MAX_HEADER_BLOCK) {
		s->full = true;
		return;
	}
	g_byte_array_append(s->hdr, &c, 1);
}

/* CR, CRLF and LF end a line; the header ends at the first empty one;
 * what follows is the body (the byte-at-a-time machine of util.c) */
static void ref_split(const guint8 *p, size_t n, GByteArray *hdr, bool *complete, GByteArray *body)
{
	struct ref_split s = { hdr, '\n', false, false };
	bool pending = false;
	size_t i = 0;

	g_byte_array_set_size(hdr, 0);
	g_byte_array_set_size(body, 0);
	while (i < n && !s.in_body && !s.full) {
		guint8 c = p[i++];
		if (pending) {
			pending = false;
			ref_put(&s, '\n');
			if (c == '\n')
				continue;
			if (s.in_body) {
				i--;
				break;
			}
		}
		if (c == '\r')
			pending = true;
		else
			ref_put(&s, c);
	}
	if (s.in_body && i < n)
		g_byte_array_append(body, p + i, (guint)MIN(n - i, (size_t)QS_MAX_BODY));
	if (pending)
		ref_put(&s, '\n');
	if (!s.in_body && !s.full && hdr->len > 0) {
		if (s.prev != '\n')
			ref_put(&s, '\n');
		s.in_body = true;
	}
	*complete = s.in_body;
}

static void test_splitter(void)
{
	static const char *const piece[] = {
		"\r\n", "\n", "\r", "\r\r\n", "\r\n\r\n", "\n\n", " ", "\t", "a", "Subject: x",
		"Received: from h\r\n by b", "\r\n\t", "\0", "xy",
	};
	GByteArray *in = g_byte_array_new(), *h1 = g_byte_array_new(), *h2 = g_byte_array_new();
	GByteArray *b1 = g_byte_array_new(), *b2 = g_byte_array_new();
	long bad = 0, crlf = 0, capped = 0, lfcap = 0;
	int r, k;

	for (r = 0; r < 40000; r++) {
		bool c1, c2;
		int parts = (int)pick(40);
		g_byte_array_set_size(in, 0);
		if (r % 200 == 0) {	/* a header of CRLF lines ending near the cap */
			guint8 line[80];	/* 79 bytes each once CRLF is LF */
			size_t target = (size_t)QS_MAX_HEADER_BLOCK * 80 / 79 - 300 + pick(600);
			memset(line, 'x', sizeof line);
			line[78] = '\r', line[79] = '\n';
			while (in->len < target)
				g_byte_array_append(in, line, sizeof line);
			capped += in->len * 79 / 80 > QS_MAX_HEADER_BLOCK;
		}
		if (r % 200 == 100) {	/* a LF-only header ending near the cap, then a body */
			guint8 line[80];
			size_t target = (size_t)QS_MAX_HEADER_BLOCK - 300 + pick(600);
			memset(line, 'y', sizeof line);
			line[79] = '\n';
			while (in->len < target)
				g_byte_array_append(in, line, sizeof line);
			g_byte_array_append(in, (const guint8 *)"\nbody\n", 6);
			lfcap++;
		}
		for (k = 0; k < parts; k++) {
			const char *pc = piece[pick(G_N_ELEMENTS(piece))];
			g_byte_array_append(in, (const guint8 *)pc, (guint)MAX(strlen(pc), 1));
		}
		crlf += memchr(in->data, '\r', in->len) != NULL;
		qs_split_rfc5322(in->data, in->len, h1, &c1, b1);
		ref_split(in->data, in->len, h2, &c2, b2);
		if ((c1 != c2 || h1->len != h2->len || memcmp(h1->data, h2->data, h1->len) ||
		     b1->len != b2->len || memcmp(b1->data, b2->data, b1->len)) && bad++ == 0)
			diag("splitters differ on a %u-byte input (header %u/%u bytes, complete %d/%d)",
			     in->len, h1->len, h2->len, c1, c2);
	}
	ok(bad == 0 && crlf > 20000 && capped > 50 && lfcap > 50,
	   "header splitter: as the byte-at-a-time machine (%ld inputs with CR, %ld past the cap, %ld LF-only near it)",
	   crlf, capped, lfcap);
	g_byte_array_free(in, TRUE);
	g_byte_array_free(h1, TRUE);
	g_byte_array_free(h2, TRUE);
	g_byte_array_free(b1, TRUE);
	g_byte_array_free(b2, TRUE);
}

/* ---- qs_copy_sanitized ---------------------------------------------- */

static void test_sanitize(void)
{
	char src[64], got[65], want[65];
	long bad = 0, fixed = 0;
	size_t n, i;
	int r;

	for (r = 0; r < 200000; r++) {
		n = pick(sizeof src);
		for (i = 0; i < n; i++)	/* mostly text, some control and 8-bit bytes */
			src[i] = pick(6) ? (char)(0x20 + pick(0x5f)) : (char)pick(256);
		for (i = 0; i < n; i++)
			want[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
		want[n] = '\0';
		memset(got, 'Z', sizeof got);
		qs_copy_sanitized(got, src, n);
		fixed += memcmp(src, want, n) != 0;
		if (memcmp(got, want, n + 1) != 0 && bad++ == 0)
			diag("qs_copy_sanitized differs on a %zu-byte input", n);
	}
	ok(bad == 0 && fixed > 50000, "qs_copy_sanitized: as the byte loop (%ld inputs had control bytes)", fixed);
}

/* ---- qs_msg_note ---------------------------------------------------- */

static void test_note(void)
{
	static const char *const words[] = { "", "a", "mess/3/1234", "100%", "%s", "\xc3\xa9t\xc3\xa9" };
	struct qs_msg *m = qs_msg_new();
	long bad = 0;
	int r;

	for (r = 0; r < 20000; r++) {
		const char *a = words[pick(G_N_ELEMENTS(words))], *b = words[pick(G_N_ELEMENTS(words))];
		unsigned long long v = r % 3 == 0 ? G_MAXUINT64 - pick(1000) : (unsigned long long)g_rand_int(rnd) * pick(5);
		char *want;
		const char *got;

		switch (r % 4) {
		case 0:
			qs_msg_note(m, "%s: inode %llu is not the message number (%s)", a, v, b);
			want = g_strdup_printf("%s: inode %llu is not the message number (%s)", a, v, b);
			break;
		case 1:
			qs_msg_note(m, "%llu%llu", v, v / 7);
			want = g_strdup_printf("%llu%llu", v, v / 7);
			break;
		case 2:
			qs_msg_note(m, "%s%s and %s", a, b, a);
			want = g_strdup_printf("%s%s and %s", a, b, a);
			break;
		default:	/* not plain: printf's own way; or longer than the stack buffer */
			if (r % 8 == 3) {
				char *big = g_strnfill(1000 + pick(100), 'b');
				qs_msg_note(m, "%s: %s", big, a);
				want = g_strdup_printf("%s: %s", big, a);
				g_free(big);
				break;
			}
			qs_msg_note(m, "%s %u%%", a, (unsigned)v);
			want = g_strdup_printf("%s %u%%", a, (unsigned)v);
			break;
		}
		got = g_ptr_array_index(m->notes, m->notes->len - 1);
		if (strcmp(got, want) != 0 && bad++ == 0)
			diag("note \"%s\", printf \"%s\"", got, want);
		g_free(want);
		if (m->notes->len > 100)
			g_ptr_array_set_size(m->notes, 0);
	}
	ok(bad == 0, "qs_msg_note: as g_strdup_printf");
	qs_msg_free(&m);
}

/* ---- qs_hdr_decode on raw UTF-8 -------------------------------------- */

static void test_utf8_text(void)
{
	static const char *const piece[] = {
		" ", "\t", "\r\n", "\n", "a", "Z", "=", "?", "_", "\"", "(", ")", "<", ">", ";",
		"\x01", "\x7f", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xe2\x80\x93",
		"\xc2\xa0", "\xef\xbb\xbf", "\xed\x9f\xbf", "\xd7\x90", "\xea\xb2\xbd", "\xf4\x8f\xbf\xbf",
	};
	static const char *fallback[] = { "utf-8", "cp949", "iso-8859-1", NULL };
	GMimeParserOptions *o;
	GString *s = g_string_new(NULL);
	long bad = 0, n = 0;
	int r, k;

	qs_hdr_global_init();
	o = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(o, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	for (r = 0; r < 100000; r++) {
		char *mine, *ref;
		g_string_truncate(s, 0);
		for (k = (int)pick(24); k > 0; k--)
			g_string_append(s, piece[pick(G_N_ELEMENTS(piece))]);
		if (strstr(s->str, "=?") || !g_utf8_validate(s->str, -1, NULL))
			continue;
		n++;
		mine = qs_hdr_decode(s->str);
		ref = g_mime_utils_header_decode_text(o, s->str);
		if (strcmp(mine, ref) != 0 && bad++ == 0)
			diag("\"%s\": got \"%s\", GMime \"%s\"", s->str, mine, ref);
		g_free(mine);
		g_free(ref);
	}
	ok(bad == 0 && n > 80000, "raw UTF-8 header text: as GMime decodes it (%ld strings)", n);
	g_mime_parser_options_free(o);
	g_string_free(s, TRUE);
}

/* ---- qs_rcvd_ip_norm: the code before the character check --------- */

static void ref_v4_text(const unsigned char b[4], char out[QS_RCVD_IPLEN])
{
	snprintf(out, QS_RCVD_IPLEN, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

static bool ref_try_v4(const char *s, char out[QS_RCVD_IPLEN])
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) != 1)
		return false;
	ref_v4_text((const unsigned char *)&a4.s_addr, out);
	return true;
}

static bool ref_try_v6(const char *s, char out[QS_RCVD_IPLEN])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct in6_addr a6;

	if (inet_pton(AF_INET6, s, &a6) != 1)
		return false;
	if (memcmp(a6.s6_addr, mapped, sizeof mapped) == 0) {
		ref_v4_text(a6.s6_addr + 12, out);
		return true;
	}
	return inet_ntop(AF_INET6, &a6, out, QS_RCVD_IPLEN) != NULL;
}

static bool ref_try_v4_port(char *s, char out[QS_RCVD_IPLEN])
{
	char *c = strchr(s, ':'), *d;
	int dots = 0;

	if (c && !strchr(c + 1, ':')) {
		*c = '\0';
		return ref_try_v4(s, out);
	}
	for (d = s; *d; d++) {
		if (*d == '.' && ++dots == 4) {
			*d = '\0';
			return strspn(d + 1, "0123456789") == strlen(d + 1) && ref_try_v4(s, out);
		}
	}
	return false;
}

static bool ref_ip_norm(struct qs_span in, char out[QS_RCVD_IPLEN])
{
	char buf[64], *s = buf, *e;

	while (in.n > 0 && (in.p[0] == ' ' || in.p[0] == '\t')) {
		in.p++;
		in.n--;
	}
	if (in.n == 0 || in.n >= sizeof buf || (!memchr(in.p, '.', in.n) && !memchr(in.p, ':', in.n)))
		return false;
	memcpy(buf, in.p, in.n);
	buf[in.n] = '\0';
	if (*s == '[') {
		s++;
		if ((e = strchr(s, ']')) != NULL)
			*e = '\0';
	}
	if (g_ascii_strncasecmp(s, "IPv6:", 5) == 0)
		s += 5;
	if ((e = strchr(s, '%')) != NULL)
		*e = '\0';
	if (*s == '\0')
		return false;
	return ref_try_v4(s, out) || ref_try_v6(s, out) || ref_try_v4_port(s, out);
}

static void test_ip_norm(void)
{
	static const char *const piece[] = {
		"1", "9", "25", "255", "256", "0", "00", ".", ".", ":", "::", "a", "f", "F", "g", "x",
		"[", "]", "IPv6:", "ipv6:", "%", "eth0", "ffff", "-", " ", "\t", "192.0.2.7", "2001:db8::1",
		"::ffff:", "host.example", "unknown",
	};
	char s[96], a[QS_RCVD_IPLEN], b[QS_RCVD_IPLEN];
	long bad = 0, yes = 0;
	int r, k;

	for (r = 0; r < 300000; r++) {
		bool x, y;
		s[0] = '\0';
		for (k = (int)pick(8); k > 0 && strlen(s) < 60; k--)
			strcat(s, piece[pick(G_N_ELEMENTS(piece))]);
		memset(a, 0, sizeof a);
		memset(b, 0, sizeof b);
		x = qs_rcvd_ip_norm((struct qs_span){ s, strlen(s) }, a);
		y = ref_ip_norm((struct qs_span){ s, strlen(s) }, b);
		yes += y;
		if ((x != y || (x && strcmp(a, b) != 0)) && bad++ == 0)
			diag("\"%s\": %d \"%s\", before %d \"%s\"", s, x, x ? a : "", y, y ? b : "");
	}
	ok(bad == 0 && yes > 5000, "qs_rcvd_ip_norm: as the parse attempts alone (%ld addresses)", yes);
}

/* ---- one UTF-8 encoded word ------------------------------------------ */

static void q_encode(GString *out, const char *t)
{
	for (; *t; t++) {
		unsigned char c = (unsigned char)*t;
		if (c == ' ' && pick(2))
			g_string_append_c(out, '_');
		else if (c > ' ' && c < 0x7f && c != '?' && c != '=' && c != '_' && pick(3))
			g_string_append_c(out, (char)c);
		else
			g_string_append_printf(out, pick(8) ? "=%02X" : "=%02x", c);
	}
}

static void encoded_word(GString *w)
{
	static const char *const piece[] = {
		"a", "Z", " ", "  ", "?", "=", "_", "!", "\t", "\x01", "\xc3\xa9", "\xe4\xb8\xad",
		"\xf0\x9f\x98\x80", "\xd0\x92", "=?", "?=", "\xff", "\xc3",
	};
	static const char *const cs[] = { "UTF-8", "utf-8", "Utf-8", "UTF8", "iso-8859-1", "UTF-8*en" };
	GString *t = g_string_new(NULL);
	int k;

	for (k = 1 + (int)pick(12); k > 0; k--)
		g_string_append(t, piece[pick(G_N_ELEMENTS(piece))]);
	g_string_printf(w, "=?%s?", pick(6) ? cs[pick(3)] : cs[pick(G_N_ELEMENTS(cs))]);
	if (pick(2)) {
		char *b = g_base64_encode((const guchar *)t->str, t->len);
		g_string_append_printf(w, "%c?%s?=", pick(4) ? 'B' : 'b', b);
		g_free(b);
	} else {
		g_string_append_printf(w, "%c?", pick(4) ? 'Q' : 'q');
		q_encode(w, t->str);
		g_string_append(w, "?=");
	}
	if (pick(6) == 0)	/* damage: a byte changed, cut, or text around it */
		w->str[pick((unsigned)w->len)] = "A=?_ x/+"[pick(8)];
	else if (pick(10) == 0)
		g_string_truncate(w, pick((unsigned)w->len));
	else if (pick(10) == 0)
		g_string_prepend(w, "Re: ");
	g_string_free(t, TRUE);
}

static void test_encoded_word(void)
{
	static const char *fallback[] = { "utf-8", "cp949", "iso-8859-1", NULL };
	GMimeParserOptions *o;
	GString *w = g_string_new(NULL);
	long bad = 0, fast = 0;
	int r;

	qs_hdr_global_init();
	o = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(o, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	for (r = 0; r < 100000; r++) {
		char *mine, *ref, *quick;
		encoded_word(w);
		quick = qs_hdr_decode_utf8_word(w->str);
		if (quick == NULL)
			continue;
		fast++;
		mine = qs_hdr_decode(w->str);
		ref = g_mime_utils_header_decode_text(o, w->str);
		if ((strcmp(mine, ref) != 0 || strcmp(quick, ref) != 0) && bad++ == 0)
			diag("\"%s\": got \"%s\", GMime \"%s\"", w->str, mine, ref);
		g_free(mine);
		g_free(ref);
		g_free(quick);
	}
	ok(bad == 0 && fast > 10000, "one UTF-8 encoded word: as GMime decodes it (%ld words)", fast);
	g_mime_parser_options_free(o);
	g_string_free(w, TRUE);
}

/* ---- qs_hdr_parse: the splitter before this round --------------------- */

#define REF_MAX_HEADERS 10000	/* QS_MAX_HEADERS in hdr.c */

struct ref_field {
	char *name, *value;
};

static size_t ref_name_len(const guint8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == ':')
			return i;
		if (p[i] <= 32 || p[i] >= 127)
			return 0;
	}
	return 0;
}

static void ref_add_field(GArray *out, bool *trunc, const guint8 *p, size_t n, size_t name_len)
{
	struct ref_field f;
	GString *v = g_string_new(NULL);
	size_t i = name_len + 1, k;

	if (out->len >= REF_MAX_HEADERS) {
		*trunc = true;
		g_string_free(v, TRUE);
		return;
	}
	f.name = g_strndup((const char *)p, name_len);
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < n) {
		const guint8 *nl = memchr(p + i, '\n', n - i);
		size_t j = nl ? (size_t)(nl - p) : n, seg = j - i;

		if (v->len + seg > QS_MAX_HEADER_LINE) {
			seg = QS_MAX_HEADER_LINE - v->len;
			*trunc = true;
			j = n;
		}
		for (k = 0; k < seg; k++)
			if (p[i + k] != '\r')
				g_string_append_c(v, p[i + k] ? (char)p[i + k] : ' ');
		i = j + 1;
	}
	while (v->len > 0 && (v->str[v->len - 1] == ' ' || v->str[v->len - 1] == '\t'))
		g_string_truncate(v, v->len - 1);
	f.value = g_string_free(v, FALSE);
	g_array_append_val(out, f);
}

static void ref_hdr_parse(const guint8 *data, size_t len, GArray *out, guint *malformed, bool *trunc)
{
	size_t pos = 0;

	while (pos < len) {
		size_t start = pos, name_len, end = pos;
		for (;;) {
			const guint8 *nl = memchr(data + end, '\n', len - end);
			end = nl ? (size_t)(nl - data) + 1 : len;
			if (end >= len || (data[end] != ' ' && data[end] != '\t'))
				break;
		}
		pos = end;
		name_len = ref_name_len(data + start, end - start);
		if (name_len == 0) {
			(*malformed)++;
			continue;
		}
		ref_add_field(out, trunc, data + start, end - start, name_len);
	}
}

static void test_hdr_parse(void)
{
	static const char *const piece[] = {
		"Subject", "X-MDaemon-Deliver-To", "Received", "a", ":", ": ", " ", "\t", "\n", "\n ", "\n\t",
		"\r", "\r\n", "value", "x@y.example", "(c)", "\xc3\xa9", "\x80", "\x7f", "\x01", "=?", "From ",
		"A-Very-Long-Field-Name-Beyond-Sixteen", ";", "[", "\n\n",
	};
	GByteArray *in = g_byte_array_new();
	struct qs_headers h;
	GArray *ref = g_array_new(FALSE, FALSE, sizeof(struct ref_field));
	long bad = 0, fields = 0;
	int r, k;

	memset(&h, 0, sizeof h);
	qs_headers_init(&h);
	for (r = 0; r < 30000; r++) {
		guint malformed = 0, i;
		bool trunc = false, same;
		int rc;

		g_byte_array_set_size(in, 0);
		for (k = (int)pick(60); k > 0; k--) {
			const char *pc = piece[pick(G_N_ELEMENTS(piece))];
			if (pick(4) == 0) {	/* mostly well-formed lines */
				static const char *const name[] = { "\nSubject: ", "\nX-MDRcpt-To:", "\nReceived: ",
					"\nA-Very-Long-Field-Name-Beyond-Sixteen:" };
				pc = name[pick(G_N_ELEMENTS(name))];
			}
			g_byte_array_append(in, (const guint8 *)pc, (guint)strlen(pc));
			if (pick(30) == 0)
				g_byte_array_append(in, (const guint8 *)"", 1);	/* a NUL */
		}
		if (r % 5000 == 1)	/* more fields than are kept */
			for (k = 0; k < REF_MAX_HEADERS + 10; k++)
				g_byte_array_append(in, (const guint8 *)"a:b\n", 4);
		if (r % 500 == 0) {	/* a value past QS_MAX_HEADER_LINE */
			g_byte_array_append(in, (const guint8 *)"Long: ", 6);
			for (k = 0; k < QS_MAX_HEADER_LINE / 8 + 20; k++)
				g_byte_array_append(in, (const guint8 *)"abcdefg\n", 8);
		}
		rc = qs_hdr_parse(in->data, in->len, &h);
		ref_hdr_parse(in->data, in->len, ref, &malformed, &trunc);
		same = h.list->len == ref->len && h.malformed == malformed && h.truncated == trunc &&
		       (rc < 0) == trunc;
		for (i = 0; same && i < ref->len; i++) {
			const struct qs_header *f = g_ptr_array_index(h.list, i);
			const struct ref_field *e = &g_array_index(ref, struct ref_field, i);
			same = strcmp(f->name, e->name) == 0 && f->name_len == strlen(e->name) &&
			       strcmp(f->value, e->value) == 0;
		}
		fields += ref->len;
		if (!same && bad++ == 0)
			diag("header splits differ on a %u-byte block (%u/%u fields)", in->len, h.list->len, ref->len);
		for (i = 0; i < ref->len; i++) {
			g_free(g_array_index(ref, struct ref_field, i).name);
			g_free(g_array_index(ref, struct ref_field, i).value);
		}
		g_array_set_size(ref, 0);
	}
	ok(bad == 0 && fields > 100000, "qs_hdr_parse: as the splitter before (%ld fields)", fields);
	qs_headers_free(&h);
	g_array_free(ref, TRUE);
	g_byte_array_free(in, TRUE);
}

/* ---- qs_judgement_explain ------------------------------------------ */

static void test_explain(void)
{
	static const size_t lens[] = { 1, 200, 255, 256, 1000, 2048 };
	struct qs_msg *m = qs_msg_new();
	struct qs_judgement j;
	long bad = 0;
	guint i;

	qs_judgement_init(&j);
	for (i = 0; i < G_N_ELEMENTS(lens); i++) {
		char *want;
		g_free(m->sender);
		m->sender = g_strnfill(lens[i], 's');
		qs_judgement_clear(&j);
		j.verdict = QS_VERDICT_RELAY;
		g_ptr_array_add(j.reasons, g_strdup("open-relay"));
		j.origin_ip = g_strdup("192.0.2.7");
		qs_judgement_explain(m, &j);
		want = g_strdup_printf("relay: open-relay - sender %s, 0 recipients, from 192.0.2.7", m->sender);
		if (g_strcmp0(j.explanation, want) != 0 && bad++ == 0)
			diag("explanation for a %zu-byte sender: \"%.80s...\"", lens[i], j.explanation);
		g_free(want);
	}
	ok(bad == 0, "qs_judgement_explain: whole text, buffer grown past 256 bytes");
	qs_judgement_destroy(&j);
	qs_msg_free(&m);
}

int main(void)
{
	rnd = g_rand_new_with_seed(4004);
	plan(10);
	test_lexer();
	test_name_eq();
	test_splitter();
	test_sanitize();
	test_note();
	test_utf8_text();
	test_ip_norm();
	test_encoded_word();
	test_hdr_parse();
	test_explain();
	g_rand_free(rnd);
	return exit_status();
}
