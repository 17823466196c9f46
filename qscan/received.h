/*
 * received.h - one Received header parsed into a hop.
 *
 * Pure function, no I/O: the input is one unfolded Received value as
 * real MTAs write it (Postfix, Sendmail, Exim, qmail, MDaemon,
 * Merak/IceWarp, Exchange, Gmail, Courier, OpenSMTPD, Microsoft 365 ...).
 * Every field is optional; absent ones stay NULL, never "".
 *
 * Fields are copies, capped (255 bytes, "with" 63, date 127), control
 * bytes replaced by '?'. ip is canonical (inet_ntop form, IPv6
 * lower-case compressed, ::ffff:a.b.c.d as IPv4, no zone id). mta is
 * one of "postfix", "sendmail", "exim", "qmail", "nullmailer",
 * "qpsmtpd", "mdaemon", "icewarp", "exchange", "gmail", "courier",
 * "opensmtpd", "dovecot", "communigate", "haraka", "amavis", "domino",
 * "mercury", "zimbra", or NULL. Only the first 4096 bytes of a value
 * are read.
 *
 * date is the text after the last ';' outside comments, blanks
 * collapsed; a zone comment "(UTC)" stays, a longer trailing comment
 * ("(envelope-from x)") is dropped, Courier's "date id X" gives the id.
 * with is the protocol word(s) as written, up to 4 ("ESMTPSA",
 * "Microsoft SMTP Server", "local"); authenticated also covers RFC 3848
 * tokens inside it.
 *
 * parsed is false for junk, for a line without "by <host>" (except
 * qmail-queue's "(qmail N invoked ...)"), and for a line that looks
 * forged (hop->forged: a second "by", a "with" both before and after
 * "by", a second client comment with another address, an AUTH note
 * before the client comment: what a HELO name can smuggle in where the
 * MTA does not neuter it). A forged-looking line never says
 * authenticated, has no auth_user and no with.
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
	/* added by the parser after the fields above */
	bool forged;		/* looked forged (see above); parsed is then false */
	/* added for speed: when set, every string field above points into
	 * this one allocation (qs_received_parse() makes one per line);
	 * qs_hop_clear() then frees only it. NULL: fields are separate
	 * g_malloc'd strings (hops built by hand, e.g. in tests). Equal to
	 * the hop itself: hop and strings are one allocation
	 * (qs_received_parse_new), qs_hop_clear() only empties it and
	 * g_free(hop) releases it all. */
	char *store;
};

/* 0 = parsed, -1 = not understood (hop->parsed false, partial fields) */
int qs_received_parse(const char *value, struct qs_hop *hop);
void qs_hop_clear(struct qs_hop *hop);	/* free fields, zero */
/* the same parse into a new hop that shares one allocation with its
 * strings; release with qs_hop_clear() and g_free() as any g_new'd hop */
struct qs_hop *qs_received_parse_new(const char *value);

#endif
