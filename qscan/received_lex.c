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
#include <string.h>
#include <glib.h>
#include "received_int.h"

void qs_rlex_init(struct qs_rlex *lx, const char *s, size_t n)
{
	uint16_t stack[QS_RCVD_MAX_INPUT];
	size_t sp = 0, i;

	/* close_at is only ever read at a '(' so only those are written */
	lx->s = s;
	lx->n = n;
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\':
			if (++i < n && s[i] == '(')
				lx->close_at[i] = QS_RLEX_NOMATCH;	/* quoted: never a comment */
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

size_t qs_rlex_last_semicolon(const struct qs_rlex *lx)
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

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

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
	for (j = i; j < end; j++) {
		if (is_blank(s[j]) || s[j] == '(' || s[j] == ')' || s[j] == ';')
			break;
		if (s[j] == '\\' && j + 1 < end)
			j++;
	}
	return j;
}

int qs_rlex_next(const struct qs_rlex *lx, size_t *pos, size_t end, struct qs_rtok *t)
{
	const char *s = lx->s;
	size_t i = *pos, j;

	for (; i < end; i++) {
		if (is_blank(s[i]) || s[i] == ';' || s[i] == ')')
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
