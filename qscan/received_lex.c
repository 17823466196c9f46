/*
 * received_lex.c - tokens of a Received value: words and comments.
 *
 * One pass matches the parentheses with an explicit stack (no
 * recursion), so a comment is a span and nested comments are skipped by
 * jumping to their ')'. An unmatched '(' (truncated or hand-made lines,
 * MDaemon 13's "(host (ip) by ...") is treated as a blank, so the rest
 * of the line still parses. Backslash quotes the next byte (RFC 5322
 * quoted-pair). Every scan is linear in the (capped) input.
 */
#include "config.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>
#include <glib.h>
#include "received_int.h"
#include "util.h"

/* byte classes, one table look-up per byte instead of a chain of
 * compares: this runs over every byte of every Received line */
#define C_STOP	1	/* ends a word: blank, '(', ')', ';' */
#define C_QUOTE	2	/* backslash: quotes the next byte */
#define C_SKIP	4	/* not a token start: blank, ';', ')' */
#define C_SPEC	8	/* structure: '\\', '(', ')', ';' */
static const unsigned char cls[256] = {
	[' '] = C_STOP | C_SKIP, ['\t'] = C_STOP | C_SKIP, ['\r'] = C_STOP | C_SKIP,
	['\n'] = C_STOP | C_SKIP, [';'] = C_STOP | C_SKIP | C_SPEC, [')'] = C_STOP | C_SKIP | C_SPEC,
	['('] = C_STOP | C_SPEC, ['\\'] = C_QUOTE | C_SPEC,
};

/* eight bytes at a time: does x hold byte c? (exact, "Bit Twiddling
 * Hacks" haszero; only used to skip runs of bytes nobody looks at) */
#define RL_LO G_GUINT64_CONSTANT(0x0101010101010101)
#define RL_HI G_GUINT64_CONSTANT(0x8080808080808080)
#define RL_HAS(x, c) ((((x) ^ (RL_LO * (c))) - RL_LO) & ~((x) ^ (RL_LO * (c))) & RL_HI)

#ifdef __SSE2__
/* bit i set: byte i of the 16 is a structure byte */
static inline unsigned spec_mask(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i hit = _mm_or_si128(
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_set1_epi8('('))),
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(')')), _mm_cmpeq_epi8(v, _mm_set1_epi8(';'))));

	return (unsigned)_mm_movemask_epi8(hit);
}

/* find_specials - lx->spec: every structure byte, 16 bytes per step
 * (a Received line has a handful among ~200 bytes); the rest of the
 * line is padded with a plain byte for the last step */
static void find_specials(struct qs_rlex *lx)
{
	const char *s = lx->s;
	size_t i, k = 0, n = lx->n;
	char tmp[16];
	unsigned m;

	for (i = 0; i < n; i += 16) {
		m = spec_mask(n - i >= 16 ? s + i : qs_pad16(tmp, s + i, n - i));
		for (; m != 0; m &= m - 1)
			lx->spec[k++] = (uint16_t)(i + (size_t)__builtin_ctz(m));
	}
	lx->nspec = k;
}
#else
/* find_specials - lx->spec: every structure byte, found 8 bytes at a
 * time (a Received line has a handful among ~200 bytes) */
static void find_specials(struct qs_rlex *lx)
{
	const char *s = lx->s;
	size_t i = 0, k = 0, end, n = lx->n;
	guint64 x;

	while (i < n) {
		end = MIN(i + 8, n);
		if (end - i == 8) {
			memcpy(&x, s + i, 8);
			if (!(RL_HAS(x, '\\') | RL_HAS(x, '(') | RL_HAS(x, ')') | RL_HAS(x, ';'))) {
				i = end;
				continue;
			}
		}
		for (; i < end; i++)
			if (cls[(unsigned char)s[i]] & C_SPEC)
				lx->spec[k++] = (uint16_t)i;
	}
	lx->nspec = k;
}
#endif

/* Parentheses matched with an explicit stack. In byte terms: a
 * backslash quotes the next byte (a quoted '(' is never a comment), so
 * the walk goes on after it (`from`). */
void qs_rlex_init(struct qs_rlex *lx, const char *s, size_t n)
{
	uint16_t stack[QS_RCVD_MAX_INPUT];
	size_t sp = 0, k, p, from = 0;

	/* close_at is only ever read at a '(' so only those are written */
	lx->s = s;
	lx->n = n;
	find_specials(lx);
	for (k = 0; k < lx->nspec; k++) {
		if ((p = lx->spec[k]) < from)
			continue;
		from = p + 1;
		switch (s[p]) {
		case '\\':
			if (p + 1 < n && s[p + 1] == '(')
				lx->close_at[p + 1] = QS_RLEX_NOMATCH;	/* quoted: never a comment */
			from = p + 2;
			break;
		case '(':
			lx->close_at[p] = QS_RLEX_NOMATCH;
			stack[sp++] = (uint16_t)p;
			break;
		case ')':
			if (sp > 0)
				lx->close_at[stack[--sp]] = (uint16_t)p;
			break;
		default:
			break;
		}
	}
}

size_t qs_rlex_last_semicolon(const struct qs_rlex *lx)
{
	size_t k, p, from = 0, last = lx->n;

	for (k = 0; k < lx->nspec; k++) {
		if ((p = lx->spec[k]) < from)
			continue;
		from = p + 1;
		if (lx->s[p] == '\\')
			from = p + 2;
		else if (lx->s[p] == '(' && lx->close_at[p] != QS_RLEX_NOMATCH)
			from = (size_t)lx->close_at[p] + 1;
		else if (lx->s[p] == ';')
			last = p;
	}
	return last;
}

#ifdef __SSE2__
/* bit i: byte i of the 16 ends a word or quotes the next one */
static inline unsigned word_stop_mask(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	__m128i a = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
					      _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
				 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
					      _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
	__m128i b = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('(')),
					      _mm_cmpeq_epi8(v, _mm_set1_epi8(')'))),
				 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')),
					      _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(a, b));
}
#endif

/* A word ends at a blank, a parenthesis or ';'. "<...>" may hold
 * blanks (display forms in "for"), so it runs to its '>' when that is
 * near. */
static size_t word_end(const struct qs_rlex *lx, size_t i, size_t end)
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
#ifdef __SSE2__
	/* sixteen bytes per step to the next blank, parenthesis, ';' or
	 * backslash (the last step padded with a plain byte) */
	for (j = i; j < end;) {
		char tmp[16];
		unsigned m;

		if (end - j >= 16) {
			m = word_stop_mask(s + j);
		} else if (j + 16 <= lx->n) {	/* inside the value: read, drop bits past end */
			m = word_stop_mask(s + j) & ((1u << (end - j)) - 1);
		} else {
			m = word_stop_mask(qs_pad16(tmp, s + j, end - j));
		}
		if (m == 0) {
			j += 16;
			continue;
		}
		j += (size_t)__builtin_ctz(m);
		if (j >= end || (cls[(unsigned char)s[j]] & C_STOP))
			break;
		j += j + 1 < end ? 2 : 1;	/* a backslash quotes the next byte */
	}
	return MIN(j, end);
#else
	for (j = i; j < end; j++) {
		unsigned char k = cls[(unsigned char)s[j]];
		if (k & C_STOP)
			break;
		if ((k & C_QUOTE) && j + 1 < end)
			j++;
	}
	return j;
#endif
}

int qs_rlex_next(const struct qs_rlex *lx, size_t *pos, size_t end, struct qs_rtok *t)
{
	const char *s = lx->s;
	size_t i = *pos, j;

	for (; i < end; i++) {
		if (cls[(unsigned char)s[i]] & C_SKIP)
			continue;
		if (s[i] == '(') {
			j = lx->close_at[i];
			if (j == QS_RLEX_NOMATCH || j >= end)
				continue;	/* unmatched: a blank */
			t->kind = QS_RTOK_COMMENT;
			t->s.p = s + i + 1;
			t->s.n = j - i - 1;
			*pos = j + 1;
			return 1;
		}
		j = word_end(lx, i, end);
		t->kind = QS_RTOK_WORD;
		t->s.p = s + i;
		t->s.n = j - i;
		*pos = j;
		return 1;
	}
	*pos = end;
	return 0;
}

size_t qs_rlex_words(const struct qs_rlex *lx, struct qs_span in, struct qs_span *w, size_t max)
{
	size_t pos = (size_t)(in.p - lx->s), end = pos + in.n, k = 0;
	struct qs_rtok t;

	while (k < max && qs_rlex_next(lx, &pos, end, &t))
		if (t.kind == QS_RTOK_WORD)
			w[k++] = t.s;
	return k;
}

struct qs_span qs_span_trim_punct(struct qs_span a)
{
	while (a.n > 0 && (a.p[a.n - 1] == ',' || a.p[a.n - 1] == ';' || a.p[a.n - 1] == ':'))
		a.n--;
	return a;
}

struct qs_span qs_span_strip_angle(struct qs_span a)
{
	a = qs_span_trim_punct(a);
	while (a.n >= 2 && a.p[0] == '<' && a.p[a.n - 1] == '>') {
		a.p++;
		a.n -= 2;
	}
	if (a.n >= 1 && a.p[0] == '<') {	/* "<addr" cut by the length cap */
		a.p++;
		a.n--;
	}
	return a;
}
