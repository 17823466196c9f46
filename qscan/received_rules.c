/*
 * received_rules.c - what the comments and odd words of a Received
 * line say: SMTP AUTH (RFC 3848 "with" tokens are checked in
 * received_out.c; here the free-text notes), submission without a
 * network client, and which MTA wrote the line.
 *
 * Every rule matches whole words, case-insensitively, at a fixed place,
 * so a note quoted inside an address ("<x@postfix.org>") or a TLS
 * cipher name does not trigger it.
 */
#include "config.h"
#include <string.h>
#include <glib.h>
#include "received_rules.h"

static const struct qs_span none;

static void set_user(struct qs_rp *r, struct qs_span u)
{
	u = qs_span_strip_angle(qs_span_trim_punct(u));
	r->authenticated = true;
	if (u.n > 0 && r->user.n == 0)
		r->user = u;
}

/*
 * Postfix   "(Authenticated sender: joe)"      Sendmail "(authenticated bits=0)",
 * CriticalPath "(authenticated as joe)"         "(authenticated (0 bits))",
 * SquirrelMail "(SquirrelMail authenticated user joe)",
 * Courier   "(AUTH: LOGIN joe@dom, TLS: ...)",  Exim customs "(auth_id joe)",
 * "(auth_id=joe)", "A=login:joe".
 */
void qs_rcvd_auth_words(struct qs_rp *r, const struct qs_span *w, size_t n)
{
	size_t k;
	const char *c;

	if (n >= 1 && qs_span_ieq(w[0], "auth:")) {
		r->courier_hint = true;
		set_user(r, n >= 3 ? w[2] : none);
		return;
	}
	for (k = 0; k < n; k++) {
		if (qs_span_ieq(w[k], "authenticated")) {
			if (k > 0 && qs_span_ieq(w[k - 1], "not"))
				return;
			if (k + 2 < n && (qs_span_ieq(w[k + 1], "sender:") || qs_span_ieq(w[k + 1], "as") ||
					  qs_span_ieq(w[k + 1], "user")))
				set_user(r, w[k + 2]);
			else if (k == 0)
				r->authenticated = true;
			return;
		}
		if (qs_span_ieq(w[k], "smtp-auth") && k + 2 < n && qs_span_ieq(w[k + 1], "username")) {
			set_user(r, w[k + 2]);	/* qpsmtpd */
			return;
		}
		if (qs_span_ieq(w[k], "auth_id") && k + 1 < n) {
			set_user(r, w[k + 1]);
			return;
		}
		if (qs_span_iprefix(w[k], "auth_id=") && w[k].n > 8) {
			set_user(r, (struct qs_span){ w[k].p + 8, w[k].n - 8 });
			return;
		}
		if (qs_span_iprefix(w[k], "A=") && (c = memchr(w[k].p, ':', w[k].n)) != NULL) {
			set_user(r, (struct qs_span){ c + 1, w[k].n - (size_t)(c + 1 - w[k].p) });
			return;
		}
	}
}

/*
 * qmail-queue: "(qmail 22254 invoked from network)" is a network hop;
 * "invoked by uid 0", "by alias", "for bounce" have no network client.
 * nullmailer copies the form: "(nullmailer pid 2185267 invoked by uid 1000)".
 * Postfix pickup: "(Postfix, from userid 0)"; same words in other MTAs.
 */
void qs_rcvd_local_words(struct qs_rp *r, const struct qs_span *w, size_t n)
{
	size_t k;
	bool qmail = n >= 3 && qs_span_ieq(w[0], "qmail") && w[1].n > 0 && g_ascii_isdigit(w[1].p[0]);
	bool nullmailer = n >= 3 && qs_span_ieq(w[0], "nullmailer") && qs_span_ieq(w[1], "pid");

	if (qmail || nullmailer) {
		r->mta = qmail ? "qmail" : "nullmailer";
		r->qmail_line = true;
		for (k = 2; k + 1 < n; k++) {
			if (!qs_span_ieq(w[k], "invoked"))
				continue;
			if (!(qs_span_ieq(w[k + 1], "from") && k + 2 < n && qs_span_iprefix(w[k + 2], "network")))
				r->local = true;
			break;
		}
		return;
	}
	for (k = 0; k + 1 < n; k++)
		if (qs_span_ieq(w[k], "from") && qs_span_ieq(w[k + 1], "userid"))
			r->local = true;
}

static const struct {
	const char *prefix;
	const char *mta;
} products[] = {
	{ "Postfix", "postfix" },	{ "Exim", "exim" },
	{ "MDaemon", "mdaemon" },	{ "Merak", "icewarp" },
	{ "IceWarp", "icewarp" },	{ "VisNetic", "icewarp" },
	{ "OpenSMTPD", "opensmtpd" },	{ "CommuniGate", "communigate" },
	{ "Dovecot", "dovecot" },	{ "Haraka", "haraka" },
	{ "Courier", "courier" },	{ "Lotus Domino", "domino" },
	{ "amavisd", "amavis" },	{ "Sendmail", "sendmail" },
	{ "qmail", "qmail" },		{ "Mercury", "mercury" },
	{ "Google Transport", "gmail" }, { "Zimbra", "zimbra" },
	{ "qpsmtpd", "qpsmtpd" },
};

/* "8.15.2/8.15.2", "8.14.4/8.14.4/Submit", "8.9.3p2/8.9.3" */
static bool sendmail_version(struct qs_span w)
{
	size_t i;

	if (w.n < 5 || !g_ascii_isdigit(w.p[0]) || w.p[1] != '.')
		return false;
	for (i = 2; i < w.n; i++)
		if (w.p[i] == '/')
			return g_ascii_isdigit(w.p[i - 1]) || g_ascii_isalpha(w.p[i - 1]);
	return false;
}

void qs_rcvd_product(struct qs_rp *r, struct qs_span in, const struct qs_span *w, size_t n)
{
	size_t i, len;

	if (r->mta || n == 0)
		return;
	while (in.n > 0 && (in.p[0] == ' ' || in.p[0] == '\t')) {
		in.p++;
		in.n--;
	}
	for (i = 0; i < G_N_ELEMENTS(products); i++) {
		len = strlen(products[i].prefix);
		if (qs_span_iprefix(in, products[i].prefix) &&
		    (in.n == len || !g_ascii_isalpha(in.p[len]))) {
			r->mta = products[i].mta;
			return;
		}
	}
	if (sendmail_version(w[0]))
		r->mta = "sendmail";
	else if (n == 2 && qs_span_ieq(w[0], "qp") && g_ascii_isdigit(w[1].p[0]))
		r->mta = "qmail";	/* qmail-smtpd patched to show the qmail-queue pid */
}

/* OpenSMTPD writes "auth=yes user=joe" as bare words after the id */
bool qs_rcvd_special_word(struct qs_rp *r, struct qs_span w)
{
	if (qs_span_iprefix(w, "auth=")) {
		if (qs_span_ieq(w, "auth=yes"))
			r->authenticated = true;
		return true;
	}
	if (qs_span_iprefix(w, "user=") && r->cl != QS_CL_NONE && !r->want) {
		set_user(r, (struct qs_span){ w.p + 5, w.n - 5 });
		return true;
	}
	return false;
}

static bool all_of(struct qs_span s, const char *set)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (!strchr(set, s.p[i]) || s.p[i] == '\0')
			return false;
	return true;
}

#define DIGITS "0123456789"
#define B64 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/* MDaemon ids: md50000050056.msg, 51-md50001402830.msg, pd5....msg */
static bool mdaemon_id(struct qs_span id)
{
	size_t i = 0;

	while (i < id.n && g_ascii_isdigit(id.p[i]))
		i++;
	if (i > 0 && i < id.n && id.p[i] == '-')
		i++;
	else
		i = 0;
	if (id.n < i + 7 || !(id.p[i] == 'm' || id.p[i] == 'p') || id.p[i + 1] != 'd' ||
	    g_ascii_strncasecmp(id.p + id.n - 4, ".msg", 4) != 0)
		return false;
	return all_of((struct qs_span){ id.p + i + 2, id.n - i - 6 }, DIGITS);
}

/* Exim message ids: 1mfI87-0045AS-GO (6-6-2), 4.97+: 1v6uy5-000000003N5-2qya (6-11-4) */
static bool exim_id(struct qs_span id)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	if (id.n == 16 && id.p[6] == '-' && id.p[13] == '-')
		return all_of((struct qs_span){ id.p, 6 }, alnum) && all_of((struct qs_span){ id.p + 7, 6 }, alnum) &&
		       all_of((struct qs_span){ id.p + 14, 2 }, alnum);
	if (id.n == 23 && id.p[6] == '-' && id.p[18] == '-')
		return all_of((struct qs_span){ id.p, 6 }, alnum) && all_of((struct qs_span){ id.p + 7, 11 }, alnum) &&
		       all_of((struct qs_span){ id.p + 19, 4 }, alnum);
	return false;
}

static bool ends_with(struct qs_span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && g_ascii_strncasecmp(s.p + s.n - n, lit, n) == 0;
}

static bool with_is(const struct qs_rp *r, const char *tok)
{
	size_t n = strlen(tok);

	/* the first byte first: most lines' protocol differs there */
	return (size_t)r->with_len >= n && qs_lc(r->with[0]) == qs_lc(tok[0]) &&
	       g_ascii_strncasecmp(r->with, tok, n) == 0 && (r->with[n] == '\0' || r->with[n] == ' ');
}

/* When no product comment named the writer, its fingerprints. */
void qs_rcvd_guess_mta(struct qs_rp *r)
{
	if (with_is(r, "Microsoft") || with_is(r, "mapi"))
		r->mta = "exchange";
	else if (r->mta)
		return;
	else if (mdaemon_id(r->id))
		r->mta = "mdaemon";
	else if (ends_with(r->by, ".google.com") || qs_span_ieq(r->by, "smtp.gmail.com") ||
		 (qs_rcvd_is_ipv6_text(r->by) && r->from_word.n == 0))
		r->mta = "gmail";
	else if ((r->id.n == 18 && all_of(r->id, DIGITS) && r->id.p[0] == '2') ||
		 (r->ssl_note && with_is(r, "ASMTP")))
		r->mta = "icewarp";	/* id: yyyymmddhhmmss + 4 digits */
	else if (exim_id(r->id))
		r->mta = "exim";
	else if (r->courier_hint)
		r->mta = "courier";
	else if (with_is(r, "LMTP") && r->id.n == 22 && all_of(r->id, B64))
		r->mta = "dovecot";
	else if (r->bare_ip && r->id.n == 0 && r->seen_by && !r->by_comment &&
		 (with_is(r, "SMTP") || with_is(r, "ESMTP") || with_is(r, "ESMTPA") || with_is(r, "ESMTPS") ||
		  with_is(r, "ESMTPSA") || with_is(r, "QMTP") || with_is(r, "QMQP")))
		r->mta = "qmail";
}
