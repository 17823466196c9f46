/*
 * received.h - one Received header parsed into a hop.
 *
 * Pure function, no I/O: the input is one unfolded Received value as
 * real MTAs write it (Postfix, Sendmail, Exim, qmail, MDaemon,
 * Merak/IceWarp, Exchange, Gmail, Courier, OpenSMTPD, Microsoft 365 ...).
 * Every field is optional; absent ones stay NULL.
 */
#ifndef QS_RECEIVED_H
#define QS_RECEIVED_H

#include <glib.h>
#include <stdbool.h>

struct qs_hop {
	char *from;		/* HELO/EHLO name as given after "from" */
	char *rdns;		/* reverse DNS name of the client, if shown */
	char *ip;		/* client IP, normalised: no brackets, no "IPv6:" */
	char *by;		/* receiving host */
	char *with;		/* protocol as written: SMTP, ESMTPSA, ASMTP, LMTP ... */
	char *id;		/* receiver's id */
	char *for_addr;		/* "for <addr>" without brackets */
	char *auth_user;	/* authenticated user, when the line names it */
	char *date;		/* text after the last ';', trimmed */
	char *mta;		/* recognised writer: "postfix", "qmail", "mdaemon", ... or NULL */
	bool authenticated;	/* ESMTPA/ESMTPSA/ASMTP/LMTPA/..., "authenticated", auth= */
	bool local;		/* no network client: "invoked by uid N", "from userid N", pickup */
	bool parsed;		/* false: unparseable, fields are best effort */
	/* filled in by the classifier, not the parser */
	bool ours;		/* written by this server */
	bool trusted;		/* sending host is in trusted_networks or is us */
};

/* 0 = parsed, -1 = not understood (hop->parsed false, partial fields) */
int qs_received_parse(const char *value, struct qs_hop *hop);
void qs_hop_clear(struct qs_hop *hop);	/* free fields, zero */

#endif
