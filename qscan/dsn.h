/*
 * dsn.h - the original message carried inside a bounce (POLICY rules 5, 8).
 *
 * qs_dsn_extract() parses the header block and the bounded body prefix
 * of a null-sender message with GMime (one parser per caller, reused),
 * walking at most QS_MAX_MIME_DEPTH levels:
 *   - the first message/rfc822 (or message/global) part: its header block;
 *   - else the first text/rfc822-headers (or message/global-headers) part;
 *   - else a qmail-send bounce ("--- Below this line is a copy of the
 *     message." / "... the top of the message."), which is plain text;
 *   - message/delivery-status parts: Reporting-MTA and every
 *     Final-Recipient (Original-Recipient when there is no final one);
 *     qmail bounces: the "<addr>:" lines and "qmail-send program at HOST".
 * When the body prefix was cut (m->body_complete false) and the embedded
 * header block does not end inside what we have, `incomplete` is set:
 * such an original is never judged `relay`.
 */
#ifndef QS_DSN_H
#define QS_DSN_H

#include <glib.h>
#include <stdbool.h>
#include <gmime/gmime.h>
#include "msg.h"

struct qs_dsn {
	bool found;		/* an original header block was found */
	bool incomplete;	/* the body was cut inside (or before the end of) it */
	const char *kind;	/* static: "message/rfc822", "text/rfc822-headers", "qmail" */
	GByteArray *hdr;	/* the original's header block, LF line ends */
	GPtrArray *rcpts;	/* char *: recipients the report names */
	char *reporting_mta;	/* host name from Reporting-MTA / qmail-send, or NULL */
	guint depth_hits;	/* parts skipped because of QS_MAX_MIME_DEPTH */
	char *orig_sender;	/* Postfix X-Postfix-Sender (the original envelope sender), or NULL */
};

void qs_dsn_init(struct qs_dsn *d);
void qs_dsn_clear(struct qs_dsn *d);	/* free contents, reusable */
/* parser: a GMimeParser owned by the caller; returns 0, -1 if the bytes
 * are not a MIME message at all (d stays "not found") */
int qs_dsn_extract(GMimeParser *parser, const struct qs_msg *m, struct qs_dsn *d);

#endif
