/*
 * received_out.c - the date part and the final fields of a hop.
 *
 * Fields are copied out once, capped, with control bytes replaced by
 * '?' so that no caller ever prints a raw escape sequence from a
 * message; a cut never splits a UTF-8 sequence.
 */
#include "config.h"
#include <string.h>
#include <glib.h>
#include "received_rules.h"
#include "util.h"

/* take_len - how many bytes of s a field keeps: capped, and a cut
 * never splits a UTF-8 sequence; 0 = no field (NULL) */
static size_t take_len(struct qs_span s, size_t cap)
{
	size_t n = s.n;

	if (!s.p || n == 0)
		return 0;
	if (n > cap) {	/* step back over at most 3 UTF-8 continuation bytes */
		n = cap;
		while (n > cap - 3 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
			n--;
		if (((unsigned char)s.p[n] & 0xC0) == 0x80)
			n = cap;	/* not UTF-8 anyway: a plain cut */
	}
	return n;
}

/* take_to - copy n bytes of s to *w (control bytes -> '?', NUL after),
 * advance *w */
static char *take_to(char **w, struct qs_span s, size_t n)
{
	char *out = *w;

	qs_copy_sanitized(out, s.p, n);
	*w = out + n + 1;
	return out;
}

static bool zone_comment(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 6)
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isalnum(p[i]) && p[i] != '+' && p[i] != '-')
			return false;
	return true;
}

/*
 * After the last ';': the date, blanks collapsed. A short zone comment
 * "(UTC)" stays; a longer one ("(envelope-from x)" that Postfix puts
 * after the date) ends it. Courier writes "; date id 0000..." (the id
 * after the date): the id is taken, the date cut before it.
 */
void qs_rcvd_date(struct qs_rp *r, struct qs_span d)
{
	char *buf = r->date;	/* written in place, QS_RCVD_MAX_DATE + 1 bytes */
	size_t i = 0, j, len = 0;
	const char *close;
	struct qs_span w;

	while (i < d.n) {
		if (d.p[i] == ' ' || d.p[i] == '\t' || d.p[i] == '\r' || d.p[i] == '\n') {
			i++;
			continue;
		}
		if (d.p[i] == '(') {
			close = memchr(d.p + i, ')', d.n - i);
			if (!close || !zone_comment(d.p + i + 1, (size_t)(close - d.p - i - 1)))
				break;
			j = (size_t)(close - d.p) + 1;
		} else {
			for (j = i; j < d.n && d.p[j] != ' ' && d.p[j] != '\t' && d.p[j] != '('; j++)
				;
		}
		w = (struct qs_span){ d.p + i, j - i };
		if (qs_span_ieq(w, "id") && len > 0) {
			if (r->id.n == 0) {
				size_t k = j;
				while (k < d.n && (d.p[k] == ' ' || d.p[k] == '\t'))
					k++;
				r->id.p = d.p + k;
				for (r->id.n = 0; k + r->id.n < d.n && d.p[k + r->id.n] != ' ' &&
				     d.p[k + r->id.n] != '\t'; r->id.n++)
					;
				r->courier_hint = true;
			}
			break;
		}
		if (len + (len > 0) + w.n > QS_RCVD_MAX_DATE)
			break;
		if (len > 0)
			buf[len++] = ' ';
		memcpy(buf + len, w.p, w.n);
		len += w.n;
		i = j;
	}
	r->date_len = len;
}

static bool unknown_name(struct qs_span s)
{
	char buf[QS_RCVD_IPLEN];

	return s.n == 0 || qs_span_ieq(s, "unknown") || qs_span_ieq(s, "<unknown>") ||
	       qs_span_ieq(s, "softdnserr") || s.p[0] == '[' || qs_rcvd_ip_norm(s, buf);
}

static bool auth_token(struct qs_span w)
{
#define TOK(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *s;
		size_t n;	/* lengths known here: no strlen per token per word */
	} tok[] = {
		TOK("ESMTPA"), TOK("ESMTPSA"), TOK("LMTPA"), TOK("LMTPSA"), TOK("ASMTP"),
		TOK("UTF8SMTPA"), TOK("UTF8SMTPSA"), TOK("UTF8LMTPA"), TOK("UTF8LMTPSA"),
	};
#undef TOK
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(tok); i++)
		if (w.n == tok[i].n && qs_span_ieq(w, tok[i].s))
			return true;
	return false;
}

/* RFC 3848 "with" tokens; "with local*" (Exim -bm/-bs) has no client */
static void with_facts(struct qs_rp *r)
{
	size_t i = 0, j;

	while (i < r->with_len) {
		for (j = i; j < r->with_len && r->with[j] != ' '; j++)
			;
		if (auth_token((struct qs_span){ r->with + i, j - i }))
			r->authenticated = true;
		i = j + 1;
	}
	if (r->with_len >= 5 && g_ascii_strncasecmp(r->with, "local", 5) == 0) {
		r->local = true;	/* "from www-data by h with local": a login, no HELO */
		r->from_word = (struct qs_span){ NULL, 0 };
		r->have_helo = false;
	}
}

static bool mta_is(const struct qs_rp *r, const char *name)
{
	return r->mta && strcmp(r->mta, name) == 0;
}

/* HELO and rDNS: who said what depends on the dialect, see received.c;
 * the spans go to out[0] (HELO) and out[1] (rDNS, empty when unknown) */
static void client_names(struct qs_rp *r, struct qs_span out[2])
{
	struct qs_span rdns = r->rdns;

	out[0] = r->have_helo ? r->helo : r->from_word;
	out[1] = (struct qs_span){ NULL, 0 };
	/* The word after "from" is the rDNS name when the HELO is shown
	 * apart (qmail "(HELO x)", Exim "helo=x"), in qmail's "(ip)" form,
	 * and in Exim's "name ([ip])" (name verified, HELO matched it).
	 * Elsewhere (Exchange, Sendmail "name ([ip])") it is the HELO. */
	if (!r->rdns_decided && !unknown_name(r->from_word) &&
	    (r->helo_in_comment || (r->bare_ip && (mta_is(r, "qmail") || mta_is(r, "qpsmtpd"))) ||
	     (r->ip_alone && mta_is(r, "exim"))))
		rdns = r->from_word;
	if (unknown_name(rdns))
		return;
	while (rdns.n > 1 && rdns.p[rdns.n - 1] == '.')
		rdns.n--;
	out[1] = rdns;
}

enum { F_FROM, F_RDNS, F_IP, F_BY, F_WITH, F_ID, F_FOR, F_USER, F_DATE, F_MTA, F_N };

/* fields - every field of the hop copied into one allocation (one
 * malloc per Received line instead of ten: this runs for every line of
 * every message); hop->store owns it, qs_hop_clear() frees it */
static void fields(struct qs_rp *r)
{
	static const size_t cap[F_N] = {
		QS_RCVD_MAX_FIELD, QS_RCVD_MAX_FIELD, QS_RCVD_IPLEN, QS_RCVD_MAX_FIELD,
		QS_RCVD_MAX_WITH, QS_RCVD_MAX_FIELD, QS_RCVD_MAX_FIELD, QS_RCVD_MAX_FIELD,
		QS_RCVD_MAX_DATE, QS_RCVD_MAX_FIELD,
	};
	struct qs_hop *h = r->hop;
	struct qs_span s[F_N];
	char **dst[F_N] = {
		&h->from, &h->rdns, &h->ip, &h->by, &h->with, &h->id, &h->for_addr,
		&h->auth_user, &h->date, &h->mta,
	};
	size_t n[F_N], total = 0;
	bool keep[F_N];
	char *w;
	int i;

	client_names(r, s);
	s[F_IP] = r->ip_prio > 0 ? (struct qs_span){ r->ip, strlen(r->ip) } : (struct qs_span){ NULL, 0 };
	s[F_BY] = r->by;
	s[F_WITH] = (struct qs_span){ r->with, r->with_len };
	s[F_ID] = r->id;
	s[F_FOR] = r->for_addr;
	s[F_USER] = r->user;
	s[F_DATE] = (struct qs_span){ r->date, r->date_len };
	s[F_MTA] = r->mta ? (struct qs_span){ r->mta, strlen(r->mta) } : (struct qs_span){ NULL, 0 };
	for (i = 0; i < F_N; i++) {
		n[i] = take_len(s[i], cap[i]);
		/* ip and mta are copied whole, as g_strdup() did, even if "" */
		keep[i] = n[i] > 0 || ((i == F_IP || i == F_MTA) && s[i].p);
		total += keep[i] ? n[i] + 1 : 0;
	}
	if (r->one_block) {	/* the caller copies the hop itself in front */
		r->block = g_malloc(sizeof *h + total);
		w = r->block + sizeof *h;
		h->store = r->block;
	} else if (total == 0) {
		return;
	} else {
		w = h->store = g_malloc(total);
	}
	for (i = 0; i < F_N; i++)
		*dst[i] = keep[i] ? take_to(&w, s[i], n[i]) : NULL;
}

void qs_rcvd_finish(struct qs_rp *r)
{
	struct qs_hop *h = r->hop;

	with_facts(r);
	if (r->ambiguous) {	/* which AUTH note or protocol is real cannot be told */
		r->authenticated = false;
		r->user = (struct qs_span){ NULL, 0 };
		r->with_len = 0;
	}
	qs_rcvd_guess_mta(r);
	/* qmail with an SMTP AUTH patch, qmail-ldap, WP-SMTPD show the login
	 * as "(user@ip)" / "(user@[ip])" */
	if (r->authenticated && r->user.n == 0 && r->ident.n > 0)
		r->user = r->ident;
	if (r->user.n > 0)
		r->authenticated = true;
	fields(r);
	h->authenticated = r->authenticated;
	h->local = r->local;
	h->forged = r->ambiguous;
	h->parsed = !r->junk && !r->ambiguous && ((r->seen_by && r->by.n > 0) || r->qmail_line);
}
