/*
 * received.c - one Received value -> struct qs_hop.
 *
 * RFC 5321 gives the shape ("from X by Y via Z with P id I for <A>;
 * date"), MTAs fill it with comments in their own dialects. The value
 * is cut into words and comments (received_lex.c), the words drive a
 * small clause state machine, and each comment is read for what it
 * says, by the clause it follows: client identity after "from"
 * (Postfix "(rdns [ip])", Exim "([ip]:port helo=x)", qmail "(HELO x)
 * (info@ip)", Exchange "(ip)"), the writer after "by"/"with"
 * ("(Postfix)", "(8.15.2/8.15.2)", "(Exim 4.96)"), and anywhere SMTP
 * AUTH notes and local-submission marks. No recursion, no allocation
 * until the fields are copied out; the work is linear in the input,
 * which is capped at QS_RCVD_MAX_INPUT bytes.
 */
#include "config.h"
#include <string.h>
#include "received.h"
#include "received_int.h"
#include "received_rules.h"

/* true when w is the address that now stands for the client */
static bool set_ip(struct qs_rp *r, struct qs_span w, int prio)
{
	char buf[QS_RCVD_IPLEN];

	if (prio <= r->ip_prio || !qs_rcvd_ip_norm(w, buf))
		return false;
	memcpy(r->ip, buf, sizeof buf);
	r->ip_prio = prio;
	return true;
}

static struct qs_span after_at(struct qs_span w)
{
	const char *at = NULL;
	size_t i;

	for (i = 0; i < w.n; i++)
		if (w.p[i] == '@')
			at = w.p + i;
	if (at) {
		w.n -= (size_t)(at + 1 - w.p);
		w.p = at + 1;
	}
	return w;
}

/* A bare address, or ident@address (qmail, Exchange, old CriticalPath),
 * or Oracle Messaging's "/address" */
static bool bare_ip_word(struct qs_rp *r, struct qs_span w)
{
	struct qs_span a = after_at(w);
	char buf[QS_RCVD_IPLEN];

	if (a.n > 1 && a.p[0] == '/') {
		a.p++;
		a.n--;
	}
	if (a.n == 0 || a.p[0] == '[' || !qs_rcvd_ip_norm(a, buf))
		return false;
	set_ip(r, a, 3);
	r->bare_ip = true;
	if (a.p != w.p && r->ident.n == 0) {
		r->ident = w;
		r->ident.n = (size_t)(a.p - 1 - w.p);
	}
	return true;
}

/*
 * "[ip]" in a client comment. A HELO name can carry a comment of its
 * own where the MTA does not neuter it ("from x (fake [192.0.2.9])
 * (rdns [real])"): the MTA's own comment comes last, so the last one
 * wins, and two different addresses make the line ambiguous.
 */
static bool client_literal(struct qs_rp *r, struct qs_span w)
{
	char buf[QS_RCVD_IPLEN];

	if (!qs_rcvd_ip_norm(w, buf))
		return false;
	if (r->ip_prio == 4 && strcmp(r->ip, buf) != 0)
		r->ambiguous = true;
	memcpy(r->ip, buf, sizeof buf);
	r->ip_prio = 4;
	return true;
}

/*
 * "name[ip]" with no blank (Sendmail builds that print the rDNS glued,
 * PGP Universal's "Not Verified[ip]", RichMail's "unknown[ip]"), and
 * "ident@[ip]" (WP-SMTPD, qmail-ldap: "Authenticated_SSL:user@[ip]",
 * "user@dom@[ip]"). first: the word opens the comment.
 */
static bool glued_literal(struct qs_rp *r, struct qs_span w, bool first)
{
	const char *lb = memchr(w.p, '[', w.n);
	struct qs_span pre, lit;

	if (!lb || lb == w.p || w.p[w.n - 1] != ']')
		return false;
	pre = (struct qs_span){ w.p, (size_t)(lb - w.p) };
	lit = (struct qs_span){ lb, w.n - pre.n };
	if (!client_literal(r, lit))
		return false;
	if (pre.p[pre.n - 1] == '@') {
		r->ident = (struct qs_span){ pre.p, pre.n - 1 };
		r->rdns_decided = false;
		r->rdns = (struct qs_span){ NULL, 0 };
		if (qs_span_iprefix(r->ident, "Authenticated_SSL:") || qs_span_iprefix(r->ident, "Authenticated:")) {
			const char *c = memchr(r->ident.p, ':', r->ident.n);
			r->user = (struct qs_span){ c + 1, r->ident.n - (size_t)(c + 1 - r->ident.p) };
			r->authenticated = true;
		}
		return true;
	}
	r->rdns_decided = first;
	r->rdns = first ? pre : (struct qs_span){ NULL, 0 };
	return true;
}

static struct qs_span unquote(struct qs_span w)
{
	if (w.n > 0 && w.p[0] == '"') {
		w.p++;
		w.n--;
	}
	if (w.n > 0 && w.p[w.n - 1] == '"')
		w.n--;
	return w;
}

/* Words of a comment that names the client (after "from"). k0 is the
 * word that may be an rDNS name right before "[ip]". */
static void client_words(struct qs_rp *r, struct qs_span *w, size_t n, size_t k0)
{
	size_t k;
	bool only_ip = true;

	for (k = 0; k < n; k++)
		w[k] = unquote(w[k]);	/* Linux vger: "([ip]:port \"EHLO h\" rhost-flags-...)" */
	for (k = 0; k < n; k++) {
		if (qs_span_ieq(w[k], "helo") || qs_span_ieq(w[k], "ehlo") || qs_span_ieq(w[k], "hello")) {
			r->helo = k + 1 < n ? w[++k] : (struct qs_span){ NULL, 0 };
			r->have_helo = r->helo_in_comment = true;
		} else if (qs_span_iprefix(w[k], "helo=")) {
			r->helo = (struct qs_span){ w[k].p + 5, w[k].n - 5 };
			r->have_helo = r->helo_in_comment = true;
		} else if (qs_span_ieq(w[k], "account") && k + 1 < n) {
			r->user = w[++k];	/* CommuniGate: "(account u HELO h)" */
			r->authenticated = true;
		} else if (w[k].n > 0 && w[k].p[0] == '[') {
			/* Postfix/Sendmail "(rdns [ip])", "(ident@rdns [ip])" */
			if (client_literal(r, w[k])) {	/* the rDNS goes with its address */
				r->rdns_decided = k == k0 + 1;
				r->rdns = k == k0 + 1 ? after_at(w[k0]) : (struct qs_span){ NULL, 0 };
			}
			continue;
		} else if (glued_literal(r, w[k], k == k0) || bare_ip_word(r, w[k])) {
			continue;
		} else if (qs_span_ieq(w[k], "verified") || qs_span_ieq(w[k], "unverified")) {
			continue;
		}
		only_ip = false;
	}
	if (only_ip && n > 0)
		r->ip_alone = true;
}

/* "(from root@localhost) by ..." (Sendmail submit, no client) or
 * "(from HELO [ip]) by ..." (NAVGW) before any "from" clause. */
static void leading_from(struct qs_rp *r, struct qs_span *w, size_t n)
{
	int prio = r->ip_prio;

	r->seen_from = true;
	r->from_word = qs_span_trim_punct(w[1]);
	client_words(r, w + 2, n - 2, SIZE_MAX - 1);
	if (r->ip_prio == prio && !r->have_helo) {
		r->local = true;	/* a login name, not a HELO */
		r->from_word = (struct qs_span){ NULL, 0 };
	}
}

/* "((((x [ip]))))": a client comment that only wraps another one is
 * unwrapped, at most QS_RCVD_MAX_NEST levels (no recursion). */
static struct qs_span unwrap(const struct qs_rlex *lx, struct qs_span in)
{
	int depth;
	size_t pos, end;
	struct qs_rtok t, t2;

	for (depth = 0; depth < QS_RCVD_MAX_NEST; depth++) {
		pos = (size_t)(in.p - lx->s);
		end = pos + in.n;
		if (!qs_rlex_next(lx, &pos, end, &t) || t.kind != QS_RTOK_COMMENT ||
		    qs_rlex_next(lx, &pos, end, &t2))
			break;
		in = t.s;
	}
	return in;
}

/*
 * A comment after "from". An AUTH note the MTA writes follows the
 * client comment (Postfix "(rdns [ip]) (Authenticated sender: u)",
 * Sendmail, Courier); one that comes before a client comment was part
 * of the HELO name, i.e. forged: the line is ambiguous.
 */
static void from_comment(struct qs_rp *r, struct qs_span *w, size_t n)
{
	bool had_client = r->ip_prio >= 3;
	bool auth_before = r->authenticated || r->user.n > 0;

	qs_rcvd_auth_words(r, w, n);
	qs_rcvd_local_words(r, w, n);
	if (!had_client && !auth_before && (r->authenticated || r->user.n > 0))
		r->auth_before_client = true;
	client_words(r, w, n, 0);
	if (!had_client && r->ip_prio >= 3 && r->auth_before_client)
		r->ambiguous = true;
	r->want = false;
	r->closed = true;
}

static void comment(struct qs_rp *r, struct qs_span in)
{
	struct qs_span w[QS_RCVD_MAX_CWORDS];
	size_t n;

	if (r->cl == QS_CL_FROM)
		in = unwrap(r->lx, in);
	n = qs_rlex_words(r->lx, in, w, QS_RCVD_MAX_CWORDS);

	if (r->cl == QS_CL_FROM) {
		from_comment(r, w, n);
		return;
	}
	qs_rcvd_auth_words(r, w, n);
	qs_rcvd_local_words(r, w, n);
	if (r->cl == QS_CL_NONE && !r->seen_from && n >= 2 && qs_span_ieq(w[0], "from"))
		leading_from(r, w, n);
	if (r->cl == QS_CL_BY)
		r->by_comment = true;
	if (r->seen_by)
		qs_rcvd_product(r, in, w, n);
	if (r->cl == QS_CL_WITH && n == 1 && qs_span_ieq(w[0], "SSL"))
		r->ssl_note = true;	/* IceWarp: "with ASMTP (SSL)" */
	if (r->cl != QS_CL_WITH || r->with_words > 0) {
		r->want = false;
		r->closed = true;
	}
}

static void with_word(struct qs_rp *r, struct qs_span w)
{
	size_t room = QS_RCVD_MAX_WITH - r->with_len;

	if (r->with_words >= QS_RCVD_MAX_WITH_WORDS || w.n + 1 > room)
		return;
	if (r->with_words > 0)
		r->with[r->with_len++] = ' ';
	memcpy(r->with + r->with_len, w.p, w.n);
	r->with_len += w.n;
	r->with[r->with_len] = '\0';
	r->with_words++;
}

/* Mimecast writes "with ESMTP with STARTTLS" / "with ESMTP with both
 * STARTTLS and AUTH"; a "with" before "by" and another after it is a
 * HELO carrying keywords. */
static enum qs_clause second_with(struct qs_rp *r)
{
	if (r->with_before_by)
		r->ambiguous = true;
	r->with_again = true;
	return QS_CL_OTHER;
}

static bool keyword(struct qs_rp *r, struct qs_span w)
{
	enum qs_clause c;

	/* a second "by" or "with" means a name carried the keyword (HELO
	 * "x by evil with ESMTPA"): the line is ambiguous */
	if (qs_span_ieq(w, "from"))
		c = !r->seen_from && !r->seen_by ? QS_CL_FROM : QS_CL_OTHER;
	else if (qs_span_ieq(w, "by"))
		c = !r->seen_by ? QS_CL_BY : (r->ambiguous = true, QS_CL_OTHER);
	else if (qs_span_ieq(w, "with"))
		c = !r->seen_with ? QS_CL_WITH : second_with(r);
	else if (qs_span_ieq(w, "id"))
		c = r->id.n == 0 ? QS_CL_ID : QS_CL_OTHER;
	else if (qs_span_ieq(w, "for"))
		c = r->for_addr.n == 0 ? QS_CL_FOR : QS_CL_OTHER;
	else if (qs_span_ieq(w, "via"))
		c = QS_CL_VIA;
	else
		return false;
	if (c == QS_CL_FROM)
		r->seen_from = true;
	else if (c == QS_CL_BY)
		r->seen_by = true;
	else if (c == QS_CL_WITH) {
		r->seen_with = true;
		r->with_before_by = !r->seen_by;
	}
	r->cl = c;
	r->want = true;
	r->closed = false;
	return true;
}

static void clause_value(struct qs_rp *r, struct qs_span w)
{
	switch (r->cl) {
	case QS_CL_FROM:
		r->from_word = qs_span_trim_punct(w);
		set_ip(r, r->from_word, 1);	/* "from [ip] by", "from 1.2.3.4 by" */
		break;
	case QS_CL_BY:
		r->by = qs_span_trim_punct(w);
		break;
	case QS_CL_WITH:
		with_word(r, qs_span_trim_punct(w));
		return;		/* more words may follow */
	case QS_CL_ID:
		r->id = qs_span_strip_angle(w);
		break;
	case QS_CL_FOR:
		r->for_addr = qs_span_strip_angle(w);
		break;
	default:
		break;
	}
	r->want = false;
}

static void word(struct qs_rp *r, struct qs_span w)
{
	if (keyword(r, w))
		return;
	if (qs_rcvd_special_word(r, w))
		return;
	if (r->cl == QS_CL_NONE) {
		r->junk = true;
		return;
	}
	if (r->want) {
		clause_value(r, w);
		return;
	}
	if (r->cl == QS_CL_WITH && !r->closed)
		with_word(r, qs_span_trim_punct(w));
	else if (r->cl == QS_CL_OTHER && r->with_again && qs_span_ieq(w, "AUTH"))
		r->authenticated = true;	/* Mimecast "with both STARTTLS and AUTH" */
	else if (r->cl == QS_CL_FROM && w.p[0] == '[')
		set_ip(r, w, 2);	/* MDaemon 5, GMX: "from h [ip] by" */
}

static void scan(struct qs_rp *r, size_t end)
{
	size_t pos = 0;
	struct qs_rtok t;

	while (qs_rlex_next(r->lx, &pos, end, &t)) {
		if (t.kind == QS_RTOK_COMMENT)
			comment(r, t.s);
		else
			word(r, t.s);
	}
}

static int parse(const char *value, struct qs_hop *hop, bool one_block, char **block)
{
	struct qs_rlex lx;
	struct qs_rp r;
	size_t n, semi;

	memset(hop, 0, sizeof *hop);
	if (!value)
		return -1;
	n = strnlen(value, QS_RCVD_MAX_INPUT);
	if (n == QS_RCVD_MAX_INPUT)	/* cut on a UTF-8 boundary when it is one */
		while (n > QS_RCVD_MAX_INPUT - 3 && ((unsigned char)value[n] & 0xC0) == 0x80)
			n--;
	memset(&r, 0, sizeof r);
	r.hop = hop;
	r.lx = &lx;
	r.one_block = one_block;
	qs_rlex_init(&lx, value, n);
	semi = qs_rlex_last_semicolon(&lx);
	scan(&r, semi);
	if (semi < n)
		qs_rcvd_date(&r, (struct qs_span){ value + semi + 1, n - semi - 1 });
	qs_rcvd_finish(&r);
	*block = r.block;
	return hop->parsed ? 0 : -1;
}

int qs_received_parse(const char *value, struct qs_hop *hop)
{
	char *block = NULL;

	return parse(value, hop, false, &block);
}

struct qs_hop *qs_received_parse_new(const char *value)
{
	struct qs_hop tmp;
	char *block = NULL;

	parse(value, &tmp, value != NULL, &block);
	if (block == NULL)	/* no value: an empty hop of its own */
		return g_memdup2(&tmp, sizeof tmp);
	memcpy(block, &tmp, sizeof tmp);	/* the strings already follow it */
	return (struct qs_hop *)block;
}

void qs_hop_clear(struct qs_hop *hop)
{
	if (hop->store == (char *)hop) {	/* one block: its owner frees it */
		memset(hop, 0, sizeof *hop);
		return;
	}
	if (hop->store) {
		g_free(hop->store);
		memset(hop, 0, sizeof *hop);
		return;
	}
	g_free(hop->from);
	g_free(hop->rdns);
	g_free(hop->ip);
	g_free(hop->by);
	g_free(hop->with);
	g_free(hop->id);
	g_free(hop->for_addr);
	g_free(hop->auth_user);
	g_free(hop->date);
	g_free(hop->mta);
	memset(hop, 0, sizeof *hop);
}
