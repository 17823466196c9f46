/*
 * received_int.h - internals of the Received parser, shared by
 * received.c (clauses), received_lex.c (tokens) and received_ip.c
 * (address normalisation). Not for use outside qscan/received_*.c.
 *
 * The parser never allocates while it scans: tokens are spans into the
 * caller's string, and only the final fields are copied out (capped).
 */
#ifndef QS_RECEIVED_INT_H
#define QS_RECEIVED_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bytes of one Received value that are looked at. Real lines are far
 * below 1 KiB (Microsoft 365 ones with TLS comments reach ~700 bytes);
 * the rest of a longer value is ignored, which keeps every pass linear
 * and the per-call state on the stack. */
#define QS_RCVD_MAX_INPUT	4096
#define QS_RCVD_MAX_FIELD	255	/* from, rdns, by, id, for, auth_user */
#define QS_RCVD_MAX_WITH	63	/* "with" words, joined by one space */
#define QS_RCVD_MAX_DATE	127
#define QS_RCVD_MAX_WITH_WORDS	4
#define QS_RCVD_MAX_CWORDS	24	/* words looked at inside one comment */
#define QS_RCVD_MAX_NEST	8	/* "((x))" levels unwrapped around a client */
#define QS_RCVD_IPLEN		46	/* INET6_ADDRSTRLEN */

struct qs_span {
	const char *p;
	size_t n;
};

enum qs_rtok_kind { QS_RTOK_WORD, QS_RTOK_COMMENT };

struct qs_rtok {
	enum qs_rtok_kind kind;
	struct qs_span s;	/* a comment's inside, parentheses excluded */
};

#define QS_RLEX_NOMATCH	UINT16_MAX

struct qs_rlex {
	const char *s;
	size_t n;		/* <= QS_RCVD_MAX_INPUT */
	uint16_t close_at[QS_RCVD_MAX_INPUT];	/* '(' at i -> its ')' */
	/* offsets of every '\\', '(', ')' and ';' in order: the two passes
	 * over the structure walk these instead of every byte */
	uint16_t spec[QS_RCVD_MAX_INPUT];
	size_t nspec;
};

/* received_lex.c */
void qs_rlex_init(struct qs_rlex *lx, const char *s, size_t n);
/* offset of the last ';' outside any comment, or n when there is none */
size_t qs_rlex_last_semicolon(const struct qs_rlex *lx);
/* next token in [*pos, end); 1 = token, 0 = no more */
int qs_rlex_next(const struct qs_rlex *lx, size_t *pos, size_t end, struct qs_rtok *t);
/* up to max words of a comment's inside (nested comments skipped) */
size_t qs_rlex_words(const struct qs_rlex *lx, struct qs_span in, struct qs_span *w, size_t max);

/* span helpers; the comparisons run for every word, so they are inline
 * and compare lengths first: with a literal, strlen() is folded at
 * compile time and most words are rejected without reading a byte */
static inline char qs_lc(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static inline bool qs_span_iprefix(struct qs_span a, const char *lit)
{
	size_t i, n = strlen(lit);

	if (a.n < n)
		return false;
	for (i = 0; i < n; i++)
		if (qs_lc(a.p[i]) != qs_lc(lit[i]))
			return false;
	return true;
}

static inline bool qs_span_ieq(struct qs_span a, const char *lit)
{
	size_t i, n = strlen(lit);

	if (a.n != n)
		return false;
	for (i = 0; i < n; i++)
		if (qs_lc(a.p[i]) != qs_lc(lit[i]))
			return false;
	return true;
}

struct qs_span qs_span_trim_punct(struct qs_span a);	/* trailing , ; : */
struct qs_span qs_span_strip_angle(struct qs_span a);	/* <x> and <<x>> -> x */

/* received_ip.c: a client address as MTAs write it -> canonical text
 * (IPv4 dotted quad, IPv6 lower-case compressed, ::ffff:a.b.c.d as
 * IPv4). Accepts [x], [IPv6:x], x%zone, a.b.c.d:port, [a.b.c.d]:port,
 * and the old Exim a.b.c.d.port. false when it is not an address. */
bool qs_rcvd_ip_norm(struct qs_span in, char out[QS_RCVD_IPLEN]);
bool qs_rcvd_is_ipv6_text(struct qs_span in);	/* bare IPv6, no brackets */

#endif
