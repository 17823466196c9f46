/*
 * gen-windows.c - write messages as MDaemon and IceWarp (Merak) queues.
 *
 * MDaemon (shared/formats/mdaemon-icewarp.md sec. 1): DIR/Queues/Remote
 * and DIR/Queues/Local hold md50<9 digits>.msg files, CRLF, one envelope
 * recipient per file as MDaemon splits them, the envelope carried in
 * MDaemon's own header block right after its Received line (modern 16.5+
 * order).  The Received id is the Inbound file name at receipt, which is
 * NOT the current queue file name (files are renumbered from HIWATER.MRK
 * when routed).  A few relayed messages use a route slip (<base>.rte,
 * [RemoteRcpts]) that lists all recipients of one .msg.  HIWATER.MRK's
 * real content is undocumented; here it holds the last number as text.
 *
 * IceWarp (sec. 2): DIR/_outgoing/priority_0..4/<id>.tmp.  The on-disk
 * naming and any envelope side file of IceWarp are NOT documented
 * anywhere we could find: the 18-digit id (local YYYYMMDDhhmmss + a
 * 4-digit counter, as IceWarp 11+ Received ids show) with ".tmp" is an
 * assumption taken from Merak's documented forward/ queue.  The only
 * envelope facts are in IceWarp's Received line, so every IceWarp
 * message here has exactly one recipient ("for <rcpt>").
 */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

#define MD_TZ 60		/* the server's local offset, minutes */

struct win {
	unsigned long remote, local, inbound, counter;
};

static struct win w;

void
mdaemon_setup(struct gen *g)
{
	static const char *const q[] = { "Remote", "Local", "Inbound", "Retry", "Bad",
		"Holding", "Raw" };

	w.remote = 1000 + rng_below(&g->r, 5000);
	w.local = 100 + rng_below(&g->r, 500);
	w.inbound = 1000 + rng_below(&g->r, 5000);
	gen_mkdir(g->out, 0755, 0, 0);
	gen_mkdirf(0755, 0, 0, "%s/Queues", g->out);
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		gen_mkdirf(0755, 0, 0, "%s/Queues/%s", g->out, q[i]);
}

/* crlf - append LF-terminated text converting every LF to CRLF */
static void
crlf(struct buf *b, const char *p, size_t len)
{
	const char *end = p + len;

	buf_reserve(b, len + len / 20 + 64);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t l = nl ? (size_t) (nl - p) : (size_t) (end - p);

		buf_put(b, p, l);
		buf_put(b, "\r\n", 2);
		p += l + 1;
	}
}

static void
md_headers(struct buf *b, const struct gmsg *m, const char *rid, const char *rcpt, int forpart)
{
	char date[64];
	int webmail = strcmp(m->ip, "127.0.0.1") == 0;

	fmt_date_rfc(date, sizeof(date), m->t, MD_TZ, 0);
	buf_printf(b, "Received: from [%s] by %s (MDaemon PRO v23.5.1)\r\n"
		   " with %s id %s", m->ip, GEN_MYHOST,
		   m->auth[0] ? (m->tls ? "ESMTPSA" : "ESMTPA") : (m->tls ? "ESMTPS" : "ESMTP"), rid);
	if (forpart)
		buf_printf(b, " for <%s>", rcpt);
	buf_printf(b, ";\r\n %s\r\n", date);
	if (m->auth[0])
		buf_printf(b, "X-Spam-Processed: %s, %s\r\n"
			   "\t(not processed: message from trusted or authenticated source)\r\n",
			   GEN_MYHOST, date);
	if (!webmail)
		buf_printf(b, "X-MDRemoteIP: %s\r\nX-MDHelo: %s\r\n", m->ip, m->helo);
	buf_printf(b, "X-MDArrival-Date: %s\r\n", date);
	if (m->auth[0])
		buf_printf(b, "X-Authenticated-Sender: %s\r\n", m->auth);
	buf_printf(b, "X-Return-Path: %s\r\nX-Envelope-From: %s\r\nX-MDaemon-Deliver-To: %s\r\n",
		   m->sender[0] ? m->sender : "<>", m->sender[0] ? m->sender : "<>", rcpt);
}

static void
md_file(struct gen *g, const struct gmsg *m, const char *rid, int i, int route_slip)
{
	struct buf *b = &g->file;
	int local = m->rcpt_local[i];
	unsigned long n = local ? ++w.local : ++w.remote;
	char name[40], path[4096];

	snprintf(name, sizeof(name), "md50%09lu.msg", n);
	b->len = 0;
	md_headers(b, m, rid, m->rcpt[i], m->nrcpt == 1);
	crlf(b, g->content.p, g->content.len);
	snprintf(path, sizeof(path), "%s/Queues/%s/%s", g->out, local ? "Local" : "Remote", name);
	gen_write(g, path, b, 0644, 0, 0, m->t);
	if (route_slip) {
		struct buf *a = &g->aux;

		a->len = 0;
		buf_printf(a, "[RemoteHost]\r\nDeliverTo=mx1.%s\r\n[Port]\r\nPort=25\r\n[RemoteRcpts]\r\n",
			   strchr(m->rcpt[0], '@') + 1);
		for (int k = 0; k < m->nrcpt; k++)
			buf_printf(a, "Rcpt%d=%s\r\n", k, m->rcpt[k]);
		snprintf(path, sizeof(path), "%s/Queues/Remote/md50%09lu.rte", g->out, n);
		gen_write(g, path, a, 0644, 0, 0, m->t);
	}
	gen_manifest(g, name, m);
}

/* mdaemon_write - one file per recipient, or one file + route slip */
void
mdaemon_write(struct gen *g, struct gmsg *m)
{
	char rid[40];

	snprintf(rid, sizeof(rid), "md50%09lu.msg", ++w.inbound);
	if (m->nrcpt >= 2 && !m->rcpt_local[0] && rng_chance(&g->r, 0.01)) {
		md_file(g, m, rid, 0, 1);
		m->nrcpt = 1;	/* one queue message */
		return;
	}
	for (int i = 0; i < m->nrcpt; i++)
		md_file(g, m, rid, i, 0);
}

void
mdaemon_finish(struct gen *g)
{
	struct buf b = { 0 };
	char path[4096];

	buf_printf(&b, "%lu\r\n", w.remote);
	snprintf(path, sizeof(path), "%s/Queues/Remote/HIWATER.MRK", g->out);
	gen_write(g, path, &b, 0644, 0, 0, g->clock);
	b.len = 0;
	buf_printf(&b, "%lu\r\n", w.local);
	snprintf(path, sizeof(path), "%s/Queues/Local/HIWATER.MRK", g->out);
	gen_write(g, path, &b, 0644, 0, 0, g->clock);
	g->files -= 2;
	g->bytes -= b.len * 2;
	free(b.p);
}

void
icewarp_setup(struct gen *g)
{
	w.counter = rng_below(&g->r, 10000);
	gen_mkdir(g->out, 0755, 0, 0);
	gen_mkdirf(0755, 0, 0, "%s/_outgoing", g->out);
	for (int p = 0; p <= 4; p++)
		gen_mkdirf(0755, 0, 0, "%s/_outgoing/priority_%d", g->out, p);
}

void
icewarp_write(struct gen *g, struct gmsg *m)
{
	struct buf *b = &g->file;
	char stamp[20], id[40], date[64], path[4096];
	unsigned long k = rng_below(&g->r, 100);
	/* retries show as priority 0; new mail waits at the default 2 */
	int prio = k < 70 ? 0 : k < 95 ? 2 : k < 97 ? 1 : k < 99 ? 3 : 4;

	fmt_stamp14(stamp, sizeof(stamp), m->t, MD_TZ);
	w.counter = (w.counter + 1) % 10000;
	snprintf(id, sizeof(id), "%s%04lu", stamp, w.counter);
	fmt_date_rfc(date, sizeof(date), m->t, MD_TZ, 0);
	b->len = 0;
	buf_printf(b, "Received: from %s ([%s]) by %s (IceWarp 13.0.1 RHEL7 x64) with %s%s id %s",
		   m->helo, m->ip, GEN_MYHOST, m->auth[0] ? "ASMTP" : "ESMTP",
		   m->tls ? " (SSL)" : "", id);
	if (m->nrcpt == 1)
		buf_printf(b, " for <%s>", m->rcpt[0]);
	buf_printf(b, "; %s\r\n", date);
	crlf(b, g->content.p, g->content.len);
	snprintf(path, sizeof(path), "%s/_outgoing/priority_%d/%s.tmp", g->out, prio, id);
	gen_write(g, path, b, 0644, 0, 0, m->t);
	gen_manifest(g, id, m);	/* the queue id, as qscan reports it */
}
