/*
 * qwrite.h - write one message into a queue directory of each format
 * qscan reads, laid out on disk as that MTA does (tests only).
 *
 * The envelope is what the labelled corpus gives (qscan/eml.h pseudo-
 * headers); the message bytes are written as the queue holds them, with
 * what the MTA itself adds:
 *
 *  postfix  <dir>/deferred/<h>/<ID>, record format (C T A S O R D M N L X
 *           E; client, helo, sasl and rewrite_context attributes as smtpd
 *           writes them), mode 0700; short ID = %05X usec + %lX inode.
 *           No Received line is added: the corpus messages already carry
 *           the one Postfix wrote (they are modelled on Postfix queues).
 *  qmail    <dir>/{mess,info,local,remote}/<N%23>/<N>, N = inode of mess;
 *           qmail-queue's "Received: (qmail P invoked from network|by uid
 *           0)" line and, for a network client, qmail-smtpd's "from NAME
 *           (HELO H) ([user@]IP) by HOST with SMTP|ESMTPA" line are
 *           prepended unless the message already starts with a qmail-queue
 *           line; with neither client nor local flag nothing is prepended
 *           (qmail-queue's line would have to invent an origin).
 *           Recipients go to local/ or remote/ by their domain.
 *  mdaemon  <dir>/Remote|Local/md50NNNNNNNNN.msg (dir = Queues/), CRLF,
 *           ONE file per pending recipient (done ones get none): MDaemon's
 *           "Received: from H ([IP]) by HOST (MDaemon PRO v16.5.2) with
 *           ESMTP[A] id md50N.msg for <rcpt>; date" (only with a known
 *           client), then X-MDaemon-Deliver-To, X-Envelope-From,
 *           X-Return-Path, X-MDRemoteIP, X-MDHelo, X-Authenticated-Sender,
 *           X-MDArrival-Date. A header of that block the message already
 *           has is not added twice (the case came from an MDaemon queue);
 *           a suspect envelope gets a second, forged X-Envelope-From at the
 *           end of the header, as a client could send one.
 *  icewarp  <dir>/_outgoing/priority_2/<YYYYMMDDhhmmss><NNNN>.tmp (dir =
 *           the mail root), CRLF, IceWarp's "Received: from H ([IP]) by
 *           HOST (IceWarp 12.0.2.1) with [A]SMTP id <id>[ for <rcpt>];
 *           date" (only with a known client; "for" only for exactly one
 *           pending recipient). Nothing else: IceWarp's envelope storage is
 *           not documented, so no envelope is written.
 *
 * A case the format cannot hold returns QW_UNREPRESENTABLE with the reason
 * (e.g. an unknown sender in Postfix or qmail, which always record it).
 */
#ifndef QS_QWRITE_H
#define QS_QWRITE_H

#include <glib.h>
#include <stdbool.h>

struct qw_env {
	char *sender;		/* NULL unknown, "" null sender */
	GPtrArray *rcpts;	/* char *, pending */
	GPtrArray *done;	/* char *, delivered/bounced */
	bool rcpts_known;
	char *client_ip, *client_helo, *client_name;
	char *auth_user;
	bool local;		/* local submission (sendmail, pickup) */
	bool suspect;		/* duplicated envelope data (MDaemon) */
	gint64 arrival;		/* unix seconds; <= 0: now */
};

/* the server the queue belongs to (from the corpus qscan.conf) */
struct qw_site {
	const char *hostname;		/* local_hostnames[0] */
	const char *address;		/* local_addresses[0] */
	const char *const *local_domains;	/* NULL-terminated; ".x" = subdomains */
};

enum { QW_OK = 0, QW_ERROR = -1, QW_UNREPRESENTABLE = 1 };

void qw_env_init(struct qw_env *e);
void qw_env_clear(struct qw_env *e);

/* Read a corpus case: leading X-Qscan-* lines -> e, the rest -> msg. */
int qw_case_load(const char *path, struct qw_env *e, GByteArray *msg, GError **err);

/*
 * Write one message of format "postfix", "qmail", "mdaemon" or "icewarp"
 * into dir (created as needed). seq numbers messages within one dir
 * (1, 2, ...). The ids of the messages written (MDaemon: one per file,
 * i.e. per pending recipient) are appended to ids (char *, caller frees).
 * QW_UNREPRESENTABLE: nothing written, *why says why (caller frees).
 */
int qw_write(const char *format, const char *dir, unsigned seq, const struct qw_site *site,
	     const struct qw_env *e, const guint8 *msg, size_t len, GPtrArray *ids,
	     char **why, GError **err);

#endif
