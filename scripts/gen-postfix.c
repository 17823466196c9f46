/*
 * gen-postfix.c - write messages as Postfix 3.7 queue files.
 *
 * Layout and record order follow shared/formats/postfix-qmail.md (sec.
 * 1.1-1.10) and the real Postfix 3.7.11 fixtures: short queue IDs
 * (%05X microseconds + %lX inode-like counter), deferred/ and defer/
 * hashed one level by the first character, files mode 0700 owned by
 * the `postfix` user when it exists, the C size record patched last,
 * lines longer than 2048 bytes split into L + N records, and a defer
 * logfile (whose offset= is the R record's offset) for most deferred
 * messages.  The newest 0.2% sit in incoming/ (not yet tried).
 *
 * As in the fixture, an authenticated message has protocol_name=ESMTP
 * in its attributes (written at MAIL FROM) and "with ESMTPA" in the
 * Received header.
 */
#include "gen.h"

#include <stdarg.h>
#include <string.h>

#define PF_LINE_LIMIT 2048

struct pf {
	unsigned long inode;
	uid_t uid;
	gid_t gid, postdrop;
};

static struct pf pf;

static void
rec_put(struct buf *b, int type, const char *data, size_t len)
{
	size_t l = len;

	buf_putc(b, type);
	do {
		int c = (int) (l & 0x7f);

		l >>= 7;
		buf_putc(b, l ? c | 0x80 : c);
	} while (l);
	buf_put(b, data, len);
}

static void
rec_puts(struct buf *b, int type, const char *s)
{
	rec_put(b, type, s, strlen(s));
}

static void
attr(struct buf *b, const char *name, const char *value)
{
	char tmp[512];
	int n = snprintf(tmp, sizeof(tmp), "%s=%s", name, value);

	rec_put(b, 'A', tmp, (size_t) n < sizeof(tmp) ? (size_t) n : sizeof(tmp) - 1);
}

/* text - one physical line as records: L chunks of 2048, then N */
static void
text(struct buf *b, const char *s, size_t len)
{
	while (len > PF_LINE_LIMIT) {
		rec_put(b, 'L', s, PF_LINE_LIMIT);
		s += PF_LINE_LIMIT;
		len -= PF_LINE_LIMIT;
	}
	rec_put(b, 'N', s, len);
}

static void textf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
textf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	text(b, tmp, (size_t) n < sizeof(tmp) ? (size_t) n : sizeof(tmp) - 1);
}

void
postfix_setup(struct gen *g)
{
	static const char *const q[] = { "active", "bounce", "corrupt", "defer", "deferred",
		"flush", "hold", "incoming", "saved", "trace" };
	uid_t u;

	owner_lookup("postfix", &pf.uid, &pf.gid);
	owner_lookup("postdrop", &u, &pf.postdrop);
	if (u == 0)
		pf.postdrop = pf.gid;
	pf.inode = 0x100000 + rng_below(&g->r, 0x40000);
	gen_mkdir(g->out, 0755, 0, 0);
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		gen_mkdirf(0700, pf.uid, pf.gid, "%s/%s", g->out, q[i]);
	gen_mkdirf(0730, pf.uid, pf.postdrop, "%s/maildrop", g->out);
	gen_mkdirf(0755, 0, 0, "%s/pid", g->out);
	for (int h = 0; h < 16; h++) {
		gen_mkdirf(0700, pf.uid, pf.gid, "%s/deferred/%X", g->out, h);
		gen_mkdirf(0700, pf.uid, pf.gid, "%s/defer/%X", g->out, h);
	}
}

static void
envelope_client(struct buf *b, const struct gmsg *m)
{
	char tmp[300], port[16];
	const char *name = m->rdns[0] ? m->rdns : "unknown";

	snprintf(port, sizeof(port), "%u", m->port);
	attr(b, "log_client_name", name);
	attr(b, "log_client_address", m->ip);
	attr(b, "log_client_port", port);
	snprintf(tmp, sizeof(tmp), "%s[%s]", name, m->ip);
	attr(b, "log_message_origin", tmp);
	attr(b, "log_helo_name", m->helo);
	attr(b, "log_protocol_name", "ESMTP");
	attr(b, "client_name", name);
	attr(b, "reverse_client_name", name);
	attr(b, "client_address", m->ip);
	attr(b, "client_port", port);
	attr(b, "server_address", GEN_MYIP);
	attr(b, "server_port", "25");
	attr(b, "helo_name", m->helo);
	attr(b, "protocol_name", "ESMTP");
	attr(b, "client_address_type", "2");
}

static void
received(struct buf *b, const struct gmsg *m, const char *id)
{
	char date[64], proto[16];

	fmt_date_rfc(date, sizeof(date), m->t, 0, 1);
	if (m->local_submit) {
		char uid[16];

		snprintf(uid, sizeof(uid), "%u", m->uid);
		textf(b, "Received: by %s (Postfix, from userid %s)", GEN_MYHOST, uid);
		textf(b, "\tid %s; %s", id, date);
		return;
	}
	snprintf(proto, sizeof(proto), "ESMTP%s%s", m->tls ? "S" : "", m->auth[0] ? "A" : "");
	textf(b, "Received: from %s (%s [%s])", m->helo, m->rdns[0] ? m->rdns : "unknown", m->ip);
	if (m->nrcpt == 1) {
		textf(b, "\tby %s (Postfix) with %s id %s", GEN_MYHOST, proto, id);
		textf(b, "\tfor <%s>; %s", m->rcpt[0], date);
	} else {
		textf(b, "\tby %s (Postfix) with %s id %s;", GEN_MYHOST, proto, id);
		textf(b, "\t%s", date);
	}
}

/* reason - a typical temporary failure for a fake destination */
static const char *
reason(struct rng *r, char *why, size_t n, const char *dom)
{
	char mx[200], ip[32];

	snprintf(mx, sizeof(mx), "mx%ld.%s", rng_range(r, 1, 3), dom);
	snprintf(ip, sizeof(ip), "192.0.2.%ld", rng_range(r, 100, 199));
	switch (rng_below(r, 5)) {
	case 0:
		snprintf(why, n, "connect to %s[%s]:25: Connection timed out", mx, ip);
		return "4.4.1";
	case 1:
		snprintf(why, n, "connect to %s[%s]:25: Connection refused", mx, ip);
		return "4.4.1";
	case 2:
		snprintf(why, n, "host %s[%s] said: 450 4.7.1 Client host rejected: "
			 "try again later (in reply to RCPT TO command)", mx, ip);
		return "4.7.1";
	case 3:
		snprintf(why, n, "host %s[%s] said: 451 4.2.0 Greylisted, please retry "
			 "in 5 minutes (in reply to RCPT TO command)", mx, ip);
		return "4.2.0";
	default:
		snprintf(why, n, "Host or domain name not found. Name service error for "
			 "name=%s type=MX: Host not found, try again", dom);
		return "4.4.3";
	}
}

/* defer_log - the defer logfile: one block per recipient (sec. 1.10) */
static void
defer_log(struct gen *g, struct buf *b, const struct gmsg *m, const size_t *roff)
{
	b->len = 0;
	for (int i = 0; i < m->nrcpt; i++) {
		char why[512];
		const char *status = reason(&g->r, why, sizeof(why), strchr(m->rcpt[i], '@') + 1);

		buf_printf(b, "\n<%s>: %s\nrecipient=%s\noffset=%zu\ndsn_orig_rcpt=rfc822;%s\n"
			   "status=%s\naction=delayed\nreason=%s\n\n",
			   m->rcpt[i], why, m->rcpt[i], roff[i], m->rcpt[i], status, why);
	}
}

static void
body(struct buf *b, const struct buf *content)
{
	const char *p = content->p, *end = content->p + content->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t len = nl ? (size_t) (nl - p) : (size_t) (end - p);

		text(b, p, len);
		p += len + 1;
	}
}

void
postfix_write(struct gen *g, struct gmsg *m)
{
	struct buf *b = &g->file;
	char id[32], tmp[128], path[4096], csize[100];
	size_t roff[GEN_MAX_RCPT], data_off, x_off;
	int incoming = g->count >= 500 && m->seq >= g->count - g->count / 500;

	pf.inode += (unsigned long) rng_range(&g->r, 1, 4);
	snprintf(id, sizeof(id), "%05X%lX", m->usec, pf.inode);
	b->len = 0;
	buf_reserve(b, 97);
	memset(b->p, ' ', 97);
	b->len = 97;		/* C record, patched below */
	snprintf(tmp, sizeof(tmp), "%ld %u", (long) m->t, m->usec);
	rec_puts(b, 'T', tmp);
	snprintf(tmp, sizeof(tmp), "%ld", (long) m->t);
	attr(b, "create_time", tmp);
	if (!m->local_submit)
		attr(b, "log_ident", id);
	attr(b, "rewrite_context", m->local_submit ? "local" : "remote");
	if (m->auth[0]) {
		attr(b, "sasl_method", m->seq % 2 ? "LOGIN" : "PLAIN");
		attr(b, "sasl_username", m->auth);
	}
	if (m->local_submit)
		rec_puts(b, 'F', "www-data");
	rec_puts(b, 'S', m->sender);
	if (!m->local_submit)
		envelope_client(b, m);
	for (int i = 0; i < m->nrcpt; i++) {
		snprintf(tmp, sizeof(tmp), "rfc822;%s", m->rcpt[i]);
		attr(b, "dsn_orig_rcpt", tmp);
		rec_puts(b, 'O', m->rcpt[i]);
		roff[i] = b->len;
		rec_puts(b, 'R', m->rcpt[i]);
	}
	rec_put(b, 'M', "", 0);
	data_off = b->len;
	received(b, m, id);
	body(b, &g->content);
	x_off = b->len;
	rec_put(b, 'X', "", 0);
	rec_put(b, 'E', "", 0);
	snprintf(csize, sizeof(csize), "%15ld %15ld %15ld %15ld %15ld %15ld",
		 (long) (x_off - data_off), (long) data_off, (long) m->nrcpt, 0L,
		 (long) (x_off - data_off), 0L);
	b->p[0] = 'C';
	b->p[1] = 95;
	memcpy(b->p + 2, csize, 95);

	if (incoming) {
		snprintf(path, sizeof(path), "%s/incoming/%s", g->out, id);
		gen_write(g, path, b, 0700, pf.uid, pf.gid, m->t);
	} else {
		/* deferred: mtime is the next retry time (qmgr_active.c) */
		time_t retry = m->t + rng_range(&g->r, 300, 4000);

		snprintf(path, sizeof(path), "%s/deferred/%c/%s", g->out, id[0], id);
		gen_write(g, path, b, 0700, pf.uid, pf.gid, retry);
		if (rng_chance(&g->r, 0.9)) {
			defer_log(g, &g->aux, m, roff);
			snprintf(path, sizeof(path), "%s/defer/%c/%s", g->out, id[0], id);
			gen_write(g, path, &g->aux, 0600, pf.uid, pf.gid, retry - 300);
		}
	}
	gen_manifest(g, id, m);
}
