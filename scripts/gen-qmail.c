/*
 * gen-qmail.c - write messages as a qmail (netqmail/notqmail 1.08) queue.
 *
 * Every message is in state S5 of shared/formats/postfix-qmail.md sec.
 * 2 (preprocessed by qmail-send): mess/S/N, info/S/N = "F<sender>\0",
 * remote/S/N and local/S/N = "T<rcpt>\0"..., split 23 (conf-split).
 *
 * N, the message number, is a counter here.  Real qmail-queue names the
 * message after the inode of mess/S/N; a copied, restored or generated
 * queue breaks that, so qscan must never rely on inode == N.
 *
 * Received lines are those of qmail-smtpd (received.c) plus the one
 * qmail-queue prepends.  Authenticated mail uses the form the common
 * SMTP AUTH patches produce for a patched qmail-smtpd: the AUTH user in
 * the remoteinfo slot, "(webmaster@203.0.113.9)", and "with ESMTPA".
 * Owners: qmailq for mess, qmails for info/local/remote, when those
 * users exist (root otherwise); group qmail.
 */
#include "gen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define QM_SPLIT 23

struct qm {
	unsigned long num;
	uid_t qmailq, qmails, qmailr;
	gid_t qmail;
};

static struct qm qm;

void
qmail_setup(struct gen *g)
{
	static const char *const split[] = { "mess", "info", "local", "remote" };
	char path[4096];
	gid_t dummy;
	struct buf b = { 0 };

	owner_lookup("qmailq", &qm.qmailq, &qm.qmail);
	owner_lookup("qmails", &qm.qmails, &dummy);
	owner_lookup("qmailr", &qm.qmailr, &dummy);
	qm.num = 10990000 + rng_below(&g->r, 10000);
	gen_mkdir(g->out, 0755, 0, 0);	/* the queue/ directory itself */
	for (size_t i = 0; i < 4; i++) {
		int mess = i == 0;
		uid_t u = mess ? qm.qmailq : qm.qmails;

		gen_mkdirf(mess ? 0750 : 0700, u, qm.qmail, "%s/%s", g->out, split[i]);
		for (int s = 0; s < QM_SPLIT; s++)
			gen_mkdirf(mess ? 0750 : 0700, u, qm.qmail, "%s/%s/%d", g->out, split[i], s);
	}
	gen_mkdirf(0750, qm.qmailq, qm.qmail, "%s/todo", g->out);
	gen_mkdirf(0700, qm.qmailq, qm.qmail, "%s/intd", g->out);
	gen_mkdirf(0700, qm.qmails, qm.qmail, "%s/bounce", g->out);
	gen_mkdirf(0700, qm.qmailq, qm.qmail, "%s/pid", g->out);
	gen_mkdirf(0750, qm.qmailq, qm.qmail, "%s/lock", g->out);
	snprintf(path, sizeof(path), "%s/lock/sendmutex", g->out);
	gen_write(g, path, &b, 0600, qm.qmails, qm.qmail, g->start);
	buf_reserve(&b, 1024);
	memset(b.p, 0, 1024);
	b.len = 1024;
	snprintf(path, sizeof(path), "%s/lock/tcpto", g->out);
	gen_write(g, path, &b, 0644, qm.qmailr, qm.qmail, g->start);
	free(b.p);
	/* qmail-queue writes to this FIFO to wake qmail-send; not a file */
	snprintf(path, sizeof(path), "%s/lock/trigger", g->out);
	if (mkfifo(path, 0622) < 0 && errno != EEXIST)
		die("mkfifo %s: %s", path, strerror(errno));
	{
		struct timespec ts[2] = { { g->start, 0 }, { g->start, 0 } };

		utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
	}
	g->files -= 2;		/* count messages' files only */
	g->bytes -= 1024;
}

/* received - qmail-queue's line, then qmail-smtpd's (two physical lines) */
static void
received(struct buf *b, const struct gmsg *m)
{
	char date[48];

	fmt_date_qmail(date, sizeof(date), m->t);
	if (m->local_submit) {
		buf_printf(b, "Received: (qmail %u invoked by uid %u); %s\n", m->pid, m->uid, date);
		return;
	}
	buf_printf(b, "Received: (qmail %u invoked from network); %s\n", m->pid, date);
	buf_printf(b, "Received: from %s", m->rdns[0] ? m->rdns : "unknown");
	if (strcasecmp(m->helo, m->rdns) != 0) {
		/* received.c replaces everything outside its safe set by '?' */
		buf_puts(b, " (HELO ");
		for (const char *p = m->helo; *p; p++)
			buf_putc(b, strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					   "0123456789.@%+/=:-[]", *p) ? *p : '?');
		buf_putc(b, ')');
	}
	if (m->auth[0])
		buf_printf(b, " (%s@%s)\n  by %s with ESMTPA; %s\n", m->auth, m->ip, GEN_MYHOST, date);
	else
		buf_printf(b, " (%s)\n  by %s with SMTP; %s\n", m->ip, GEN_MYHOST, date);
}

void
qmail_write(struct gen *g, struct gmsg *m)
{
	struct buf *b = &g->file;
	char path[4096], id[32];
	unsigned long n, s;
	int any_local = 0, any_remote = 0;
	time_t retry = m->t + rng_range(&g->r, 400, 3600);

	qm.num += (unsigned long) rng_range(&g->r, 1, 6);
	n = qm.num;
	s = n % QM_SPLIT;
	snprintf(id, sizeof(id), "%lu", n);

	b->len = 0;
	received(b, m);
	buf_put(b, g->content.p, g->content.len);
	snprintf(path, sizeof(path), "%s/mess/%lu/%lu", g->out, s, n);
	gen_write(g, path, b, 0644, qm.qmailq, qm.qmail, m->t);

	b->len = 0;
	buf_printf(b, "F%s", m->sender);
	buf_putc(b, 0);
	snprintf(path, sizeof(path), "%s/info/%lu/%lu", g->out, s, n);
	gen_write(g, path, b, 0600, qm.qmails, qm.qmail, m->t);	/* mtime = birth */

	for (int local = 0; local < 2; local++) {
		b->len = 0;
		for (int i = 0; i < m->nrcpt; i++)
			if (m->rcpt_local[i] == local) {
				buf_printf(b, "T%s", m->rcpt[i]);
				buf_putc(b, 0);
				*(local ? &any_local : &any_remote) = 1;
			}
		if (b->len == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%lu/%lu", g->out, local ? "local" : "remote", s, n);
		gen_write(g, path, b, 0600, qm.qmails, qm.qmail, retry);	/* next retry */
	}
	(void) any_local;
	(void) any_remote;
	gen_manifest(g, id, m);
}
