/*
 * gen-content.c - the format-independent message model of qscan-gen.
 *
 * The story: mail.demo.example (192.0.2.25) relays spam.  A small
 * botnet (a few dozen IPs in the documentation ranges, Zipf-weighted so
 * per-IP counts differ by orders of magnitude) either uses it as an open
 * relay or logs in with the guessed account `webmaster` (`MDaemon` on
 * MDaemon), one message every 15-20 s, to random fake recipients at
 * many external domains.  Mixed in at --legit-ratio (default 0.1%) and
 * always at a few seeded positions: mail to local users, mail from
 * authenticated real users, local submissions (sendmail/pickup or
 * webmail) and bounces to local users.  All names are in reserved
 * namespaces (*.example, example.com/net/org, RFC 5737 addresses).
 */
#include "gen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NBOTS 36
#define POOL_LINES 4096
#define B64_LINES 8192

struct bot {
	char ip[24];
	char helo[80];
	char rdns[80];
	double cum;		/* cumulative Zipf weight */
};

static struct bot bots[NBOTS];
static char *text_pool[POOL_LINES];
static char *b64_pool[B64_LINES];

static const char *const words[] = {
	"offer", "limited", "exclusive", "deal", "pharmacy", "discount", "winner",
	"account", "verify", "urgent", "bonus", "click", "here", "today", "free",
	"shipping", "price", "best", "quality", "order", "now", "your", "the", "and",
	"for", "with", "this", "we", "are", "pleased", "to", "inform", "you", "that",
	"have", "been", "selected", "claim", "reward", "investment", "opportunity",
	"secure", "payment", "transfer", "million", "dollars", "business", "partner",
	"confidential", "please", "reply", "details", "bank", "customer", "service",
	"update", "information", "password", "expire", "within", "hours", "shop",
	"online", "watches", "replica", "cheap", "pills", "loan", "approved", "credit",
	"casino", "crypto", "profit", "guaranteed", "risk", "subscribe", "unsubscribe",
};

static const char *const spam_subjects[] = {
	"Your account has been suspended", "You have won 1,000,000 USD",
	"Cheap meds without prescription", "RE: Invoice 4471 overdue",
	"Confirm your mailbox password", "Best replica watches 2026",
	"Business proposal - strictly confidential", "Your parcel could not be delivered",
	"Get approved for a loan today", "Increase your profits by 300%",
	"=?UTF-8?B?U3BlY2lhbCBvZmZlciDigJMgNzAlIG9mZg==?=",
	"=?UTF-8?B?0JLRiyDQstGL0LjQs9GA0LDQu9C4IQ==?=",
	"=?ks_c_5601-1987?B?wMy6pcauILDmx7A=?=",
	"=?gb2312?B?1tDOxLLiytQ=?=", "Urgent reply needed", "Payment received",
	"Invitation: crypto investment webinar", "Hello dear friend",
};

static const char *const legit_subjects[] = {
	"Minutes of Tuesday's meeting", "Re: quote for the new printers",
	"Holiday schedule", "Your order confirmation #20931", "Password reset",
	"Re: lunch on Friday?", "Quarterly report draft", "Invoice 2026-118",
};

static const char *const first[] = {
	"john", "mary", "peter", "linda", "mike", "susan", "david", "karen", "paul",
	"nancy", "kim", "lee", "park", "wang", "li", "anna", "ivan", "olga", "jose",
	"maria", "ahmed", "fatima", "ken", "yuki", "sales", "info", "office", "admin",
};

static const char *const rcpt_dom1[] = {
	"mail", "webmail", "freemail", "inbox", "post", "corp", "shop", "net",
	"home", "biz", "online", "global", "hotmail", "portal", "cloud", "mx",
};

static const char *const rcpt_dom2[] = {
	"example.com", "example.net", "example.org", "example", "test.example",
	"mail.example", "isp.example",
};

static const char *const spam_dom[] = {
	"pharma-deals.example", "lotto-win.example", "secure-bank.example",
	"cheap-watch.example", "loans-now.example", "crypto-profit.example",
	"parcel-notice.example", "dating-club.example",
};

static const char *const mailers[] = {
	"Microsoft Outlook 16.0", "Foxmail 7.2.25.228", "PHPMailer 6.8.0",
	"The Bat! (v9.4.5) Professional", "Mozilla Thunderbird",
};

static const char *const local_users[] = { "alice", "bob", "carol", "dave", "erin" };

static const char *const partners[][2] = {
	{ "198.51.100.201", "mx1.partner.example" },
	{ "198.51.100.202", "smtp.supplier.example" },
	{ "198.51.100.203", "mail.customer.example" },
};

static int
tz_pick(struct rng *r)
{
	static const int tz[] = { 0, 60, -300, 480, 330, 180, -180, 540, 120 };

	return tz[rng_below(r, sizeof(tz) / sizeof(tz[0]))];
}

const char *
kind_name(enum kind k)
{
	switch (k) {
	case K_OPEN_RELAY:
		return "open-relay";
	case K_AUTH_ABUSE:
		return "auth-abuse";
	case K_LOCAL_RCPT:
		return "local-recipient";
	case K_AUTHENTICATED:
		return "authenticated";
	case K_LOCAL_SUBMISSION:
		return "local-submission";
	case K_BOUNCE:
		return "bounce";
	}
	return "?";
}

const char *
kind_verdict(enum kind k)
{
	return k == K_OPEN_RELAY || k == K_AUTH_ABUSE ? "relay" : "legit";
}

static void
word_line(struct rng *r, char *out, size_t want)
{
	size_t n = 0;

	while (n + 16 < want) {
		const char *w = PICK(r, words);
		size_t l = strlen(w);

		if (n)
			out[n++] = ' ';
		memcpy(out + n, w, l);
		n += l;
	}
	out[n] = '\0';
}

/* pools: body text and base64 lines, built once so messages are cheap */
static void
pools_build(struct rng *r)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[128];

	for (int i = 0; i < POOL_LINES; i++) {
		word_line(r, line, (size_t) rng_range(r, 30, 76));
		text_pool[i] = strdup(line);
	}
	for (int i = 0; i < B64_LINES; i++) {
		char *s = malloc(77);

		for (int j = 0; j < 76; j++)
			s[j] = b64[rng_below(r, 64)];
		s[76] = '\0';
		b64_pool[i] = s;
	}
}

static void
bots_build(struct rng *r)
{
	double sum = 0;

	for (int i = 0; i < NBOTS; i++) {
		struct bot *b = &bots[i];
		unsigned host = (unsigned) rng_range(r, 2, 254) & 0xff;

		if (i % 3 == 2)
			snprintf(b->ip, sizeof(b->ip), "198.51.100.%u", host / 2 + 1);
		else
			snprintf(b->ip, sizeof(b->ip), "203.0.113.%u", host);
		for (int j = 0; j < i; j++)	/* keep them distinct */
			if (strcmp(bots[j].ip, b->ip) == 0) {
				snprintf(b->ip, sizeof(b->ip), "203.0.113.%u", 200u + (unsigned) i);
				break;
			}
		switch (rng_below(r, 4)) {
		case 0:
			snprintf(b->helo, sizeof(b->helo), "[%s]", b->ip);
			break;
		case 1:
			snprintf(b->helo, sizeof(b->helo), "User");
			break;
		case 2:
			snprintf(b->helo, sizeof(b->helo), "%s%ld.%s", PICK(r, first),
				 rng_range(r, 1, 99), PICK(r, rcpt_dom2));
			break;
		default:
			snprintf(b->helo, sizeof(b->helo), "WIN-%08lX", (unsigned long) rng_next(r) & 0xffffffffUL);
		}
		b->rdns[0] = '\0';
		if (rng_chance(r, 0.5)) {	/* dyn-203-0-113-7.broadband.isp.example */
			char dashed[20];

			snprintf(dashed, sizeof(dashed), "%s", b->ip);
			for (char *p = dashed; *p; p++)
				if (*p == '.')
					*p = '-';
			snprintf(b->rdns, sizeof(b->rdns), "dyn-%s.broadband.isp.example", dashed);
		}
		sum += 1.0 / (i + 1);
		b->cum = sum;
	}
	for (int i = 0; i < NBOTS; i++)
		bots[i].cum /= sum;
}

/* gen_setup - seed, pools, botnet, and the seeded legit positions */
void
gen_setup(struct gen *g)
{
	g->r.s = g->seed ^ 0x5143534E47454E31ULL;	/* "QSCNGEN1" */
	pools_build(&g->r);
	bots_build(&g->r);
	g->clock = g->start;
	g->nforced = 0;
	if (g->legit_ratio > 0 && g->count >= 20)
		for (int i = 0; i < 6; i++)
			g->forced[g->nforced++] = rng_below(&g->r, g->count);
}

static const struct bot *
bot_pick(struct rng *r)
{
	double u = (double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0);

	for (int i = 0; i < NBOTS; i++)
		if (u < bots[i].cum)
			return &bots[i];
	return &bots[NBOTS - 1];
}

static void
rand_addr(struct rng *r, char *out, size_t n)
{
	snprintf(out, n, "%s%s%ld@%s.%s", PICK(r, first),
		 rng_chance(r, 0.5) ? "." : "", rng_range(r, 1, 9999),
		 PICK(r, rcpt_dom1), PICK(r, rcpt_dom2));
}

static enum kind
kind_pick(struct gen *g, const struct gmsg *m)
{
	static const enum kind forced_kinds[] = { K_LOCAL_RCPT, K_AUTHENTICATED,
		K_LOCAL_SUBMISSION, K_BOUNCE, K_BOUNCE, K_LOCAL_RCPT };

	/* fire at the first message at or after each seeded position, so
	 * that MDaemon's one-file-per-recipient split cannot skip one */
	for (int i = 0; i < g->nforced; i++)
		if (!(g->forced_used & (1u << i)) && g->forced[i] <= m->seq) {
			g->forced_used |= 1u << i;
			return forced_kinds[i];
		}
	if (rng_chance(&g->r, g->legit_ratio)) {
		unsigned long k = rng_below(&g->r, 10);

		return k < 4 ? K_LOCAL_RCPT : k < 7 ? K_AUTHENTICATED :
			k < 9 ? K_LOCAL_SUBMISSION : K_BOUNCE;
	}
	return rng_chance(&g->r, 0.35) ? K_AUTH_ABUSE : K_OPEN_RELAY;
}

static void
set_client(struct gmsg *m, const char *ip, const char *helo, const char *rdns)
{
	snprintf(m->ip, sizeof(m->ip), "%s", ip);
	snprintf(m->helo, sizeof(m->helo), "%s", helo);
	snprintf(m->rdns, sizeof(m->rdns), "%s", rdns);
}

static void
fill_relay(struct gen *g, struct gmsg *m)
{
	struct rng *r = &g->r;
	const struct bot *b = bot_pick(r);
	unsigned long k = rng_below(r, 20);
	int n = k < 10 ? 1 : k < 14 ? 2 : k < 17 ? 3 : k < 19 ? 4 : 5;

	set_client(m, b->ip, b->helo, b->rdns);
	if (g->fmt == F_ICEWARP)
		n = 1;		/* no envelope on disk: one "for <rcpt>" each */
	m->nrcpt = n;
	for (int i = 0; i < n; i++)
		rand_addr(r, m->rcpt[i], GEN_ADDR);
	if (m->kind == K_AUTH_ABUSE) {
		snprintf(m->auth, sizeof(m->auth), "%s",
			 g->fmt == F_MDAEMON ? "MDaemon@" GEN_LOCAL_DOMAIN : "webmaster");
		if (rng_chance(r, 0.5)) {
			snprintf(m->sender, sizeof(m->sender), "%s@%s",
				 g->fmt == F_MDAEMON ? "MDaemon" : "webmaster", GEN_LOCAL_DOMAIN);
			return;
		}
	}
	snprintf(m->sender, sizeof(m->sender), "%s%ld@%s", PICK(r, first),
		 rng_range(r, 1, 999), PICK(r, spam_dom));
}

static void
fill_legit(struct gen *g, struct gmsg *m)
{
	struct rng *r = &g->r;
	const char *user = PICK(r, local_users);
	unsigned long p = rng_below(r, 3);

	m->nrcpt = 1;
	switch (m->kind) {
	case K_LOCAL_RCPT:
	case K_BOUNCE:
		set_client(m, partners[p][0], partners[p][1], partners[p][1]);
		snprintf(m->rcpt[0], GEN_ADDR, "%s@%s", user, GEN_LOCAL_DOMAIN);
		m->rcpt_local[0] = 1;
		if (m->kind == K_BOUNCE)
			m->sender[0] = '\0';
		else
			snprintf(m->sender, sizeof(m->sender), "%s@%s", PICK(r, first),
				 strchr(partners[p][1], '.') + 1);	/* host -> its domain */
		break;
	case K_AUTHENTICATED:
		set_client(m, "198.51.100.230", "[192.168.1.23]", "");
		snprintf(m->auth, sizeof(m->auth), "%s%s", user,
			 g->fmt == F_MDAEMON ? "@" GEN_LOCAL_DOMAIN : "");
		snprintf(m->sender, sizeof(m->sender), "%s@%s", user, GEN_LOCAL_DOMAIN);
		rand_addr(r, m->rcpt[0], GEN_ADDR);
		m->tls = 1;
		break;
	default:		/* K_LOCAL_SUBMISSION */
		snprintf(m->sender, sizeof(m->sender), "www-data@%s", GEN_LOCAL_DOMAIN);
		rand_addr(r, m->rcpt[0], GEN_ADDR);
		m->uid = 33;
		if (g->fmt == F_POSTFIX || g->fmt == F_QMAIL) {
			m->local_submit = 1;
		} else {	/* webmail on the server: AUTH from 127.0.0.1 */
			set_client(m, "127.0.0.1", "localhost", "localhost");
			snprintf(m->auth, sizeof(m->auth), "%s%s", user,
				 g->fmt == F_MDAEMON ? "@" GEN_LOCAL_DOMAIN : "");
			snprintf(m->sender, sizeof(m->sender), "%s@%s", user, GEN_LOCAL_DOMAIN);
		}
	}
}

/* gen_message - the next message of the stream (envelope and client) */
void
gen_message(struct gen *g, struct gmsg *m)
{
	struct rng *r = &g->r;

	memset(m, 0, sizeof(*m));
	g->clock += rng_range(r, 15, 20);
	m->t = g->clock;
	m->usec = (unsigned) rng_below(r, 1000000);
	m->port = (unsigned) rng_range(r, 1025, 65000);
	m->pid = (unsigned) rng_range(r, 1000, 32000);
	m->big = rng_chance(r, 0.02);
	m->tls = rng_chance(r, 0.2);
	m->kind = K_OPEN_RELAY;
}

/* gen_fill - choose the kind for sequence SEQ and fill the envelope */
void
gen_fill(struct gen *g, struct gmsg *m, unsigned long seq)
{
	m->seq = seq;
	m->kind = kind_pick(g, m);
	if (m->kind == K_OPEN_RELAY || m->kind == K_AUTH_ABUSE)
		fill_relay(g, m);
	else
		fill_legit(g, m);
}

static void
body_text(struct rng *r, struct buf *b, size_t want)
{
	size_t start = b->len;
	unsigned long i = rng_below(r, POOL_LINES);

	while (b->len - start < want) {
		buf_puts(b, text_pool[i]);
		buf_putc(b, '\n');
		i = (i + 1) % POOL_LINES;
	}
}

/* a one-line HTML blob longer than Postfix's 2048-byte line limit */
static void
long_line(struct rng *r, struct buf *b)
{
	size_t want = (size_t) rng_range(r, 2100, 6000), start = b->len;
	unsigned long i = rng_below(r, POOL_LINES);

	buf_puts(b, "<html><body>");
	while (b->len - start < want) {
		buf_puts(b, "<p>");
		buf_puts(b, text_pool[i]);
		buf_puts(b, "</p>");
		i = (i + 1) % POOL_LINES;
	}
	buf_puts(b, "</body></html>\n");
}

static void
attachment(struct rng *r, struct buf *b, const char *boundary)
{
	size_t lines = (size_t) rng_range(r, 200 * 1024 / 77, 400 * 1024 / 77);
	unsigned long i = rng_below(r, B64_LINES);

	buf_printf(b, "--%s\nContent-Type: application/pdf; name=\"invoice_%04ld.pdf\"\n"
		   "Content-Transfer-Encoding: base64\n"
		   "Content-Disposition: attachment; filename=\"invoice_%04ld.pdf\"\n\n",
		   boundary, rng_range(r, 1, 9999), rng_range(r, 1, 9999));
	buf_reserve(b, lines * 77);
	for (size_t k = 0; k < lines; k++) {
		memcpy(b->p + b->len, b64_pool[i], 76);
		b->p[b->len + 76] = '\n';
		b->len += 77;
		i = (i + 1) % B64_LINES;
	}
}

static void
dsn_body(struct gen *g, const struct gmsg *m, struct buf *b, const char *date)
{
	const char *boundary = "=_dsn_boundary";
	char orig[GEN_ADDR];

	rand_addr(&g->r, orig, sizeof(orig));
	buf_printf(b, "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n"
		   "\tboundary=\"%s\"\n\nThis is a MIME-encapsulated message.\n\n--%s\n"
		   "Content-Type: text/plain; charset=us-ascii\n\n"
		   "I'm sorry to have to inform you that your message could not\n"
		   "be delivered to one or more recipients.\n\n<%s>: host %s said:\n"
		   "    550 5.1.1 user unknown\n\n--%s\nContent-Type: message/delivery-status\n\n"
		   "Reporting-MTA: dns; %s\n\nFinal-Recipient: rfc822; %s\nAction: failed\n"
		   "Status: 5.1.1\n\n--%s\nContent-Type: text/rfc822-headers\n\n"
		   "Received: by " GEN_MYHOST " (Postfix, from userid 1000)\n\tid 4F1A2B3C; %s\n"
		   "From: %s\nTo: %s\nSubject: Re: quote for the new printers\nDate: %s\n\n--%s--\n",
		   boundary, boundary, orig, m->helo, boundary, m->helo, orig, boundary, date,
		   m->rcpt[0], orig, date, boundary);
}

/*
 * gen_content - the client's headers and body, LF line ends, as handed
 * to the MTA (the MTA's own Received line is added by the writer).
 */
void
gen_content(struct gen *g, struct gmsg *m)
{
	struct rng *r = &g->r;
	struct buf *b = &g->content;
	int spam = m->kind == K_OPEN_RELAY || m->kind == K_AUTH_ABUSE;
	char date[64], boundary[48];
	size_t target;

	b->len = 0;
	fmt_date_rfc(date, sizeof(date), m->t - rng_range(r, 0, 90), tz_pick(r), 0);
	if (spam && rng_chance(r, 0.3))	/* forged hop inside the spam itself */
		buf_printf(b, "Received: from [10.%ld.%ld.%ld] by %s with Microsoft SMTP Server id 14.3.%ld.0;\n\t%s\n",
			   rng_range(r, 0, 255), rng_range(r, 0, 255), rng_range(r, 1, 254),
			   m->helo[0] == '[' ? "exch01.corp.example" : m->helo, rng_range(r, 100, 500), date);
	if (m->kind == K_BOUNCE) {
		buf_printf(b, "From: MAILER-DAEMON@%s (Mail Delivery System)\nTo: %s\n"
			   "Subject: Undelivered Mail Returned to Sender\nDate: %s\n"
			   "Message-Id: <%08lX.%05u@%s>\n", m->helo, m->rcpt[0], date,
			   (unsigned long) (rng_next(r) & 0xffffffffUL), m->usec % 100000, m->helo);
		dsn_body(g, m, b, date);
		return;
	}
	if (spam)
		buf_printf(b, "From: \"%s\" <%s>\n", rng_chance(r, 0.5) ? "Customer Service" :
			   "Security Team", m->sender);
	else
		buf_printf(b, "From: <%s>\n", m->sender);
	if (m->nrcpt > 1 && rng_chance(r, 0.5))
		buf_puts(b, "To: undisclosed-recipients:;\n");
	else
		buf_printf(b, "To: <%s>\n", m->rcpt[0]);
	buf_printf(b, "Subject: %s\nDate: %s\nMessage-ID: <%016llX.%u@%s>\n",
		   spam ? PICK(r, spam_subjects) : PICK(r, legit_subjects), date,
		   (unsigned long long) rng_next(r), m->usec,
		   strchr(m->sender, '@') ? strchr(m->sender, '@') + 1 : GEN_LOCAL_DOMAIN);
	if (rng_chance(r, 0.6))
		buf_printf(b, "X-Mailer: %s\n", PICK(r, mailers));
	buf_puts(b, "MIME-Version: 1.0\n");
	/* total content 1000-6800 bytes, log-uniform: with the MTA envelope
	 * and Received lines most queue files land between 1 and 8 KB */
	target = (size_t) exp(log(1000.0) + (log(6800.0) - log(1000.0)) *
			      ((double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0)));
	if (m->big) {
		snprintf(boundary, sizeof(boundary), "----=_Part_%08lX",
			 (unsigned long) (rng_next(r) & 0xffffffffUL));
		buf_printf(b, "Content-Type: multipart/mixed;\n\tboundary=\"%s\"\n\n"
			   "This is a multi-part message in MIME format.\n\n--%s\n"
			   "Content-Type: text/plain; charset=\"utf-8\"\n\n", boundary, boundary);
		body_text(r, b, 600);
		attachment(r, b, boundary);
		buf_printf(b, "--%s--\n", boundary);
		return;
	}
	buf_puts(b, "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: 8bit\n\n");
	if (spam && rng_chance(r, 0.015))
		long_line(r, b);
	body_text(r, b, target > b->len + 200 ? target - b->len : 200);
}
