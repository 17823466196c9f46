/*
 * msg.h - the one in-memory record of a queued message, for every format.
 *
 * A parser's load() fills the envelope, the queue metadata and the raw
 * header block; later stages (hdr, received, classify) only read it.
 * Everything is owned by the record and released by qs_msg_clear().
 * Strings are NUL-terminated UTF-8 or raw bytes from the queue; they may
 * contain anything but NUL, so escape them before printing.
 */
#ifndef QS_MSG_H
#define QS_MSG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum qs_error_kind {
	QS_ERR_NONE = 0,
	QS_ERR_UNREADABLE,	/* could not open/read: reason `unreadable` */
	QS_ERR_MALFORMED,	/* read, but not a valid queue file: `malformed` */
};

struct qs_rcpt {
	char *addr;		/* envelope address as the queue has it */
	char *orig;		/* original recipient (Postfix O record), or NULL */
	bool done;		/* delivered/bounced/cancelled: not pending */
};

struct qs_msg {
	const char *format;	/* static: "postfix", "qmail", "mdaemon", "icewarp", "eml" */
	char *queue;		/* sub-queue: "deferred", "todo", "Remote", "priority_0" ... */
	char *id;		/* the MTA's own identifier */
	char *path;		/* content file, relative to the queue root given */
	GPtrArray *files;	/* char *: every file of the message, relative, path first */

	/* envelope, from the queue's own metadata (never from To:/From:) */
	char *sender;		/* NULL = unknown, "" = null sender <> */
	GPtrArray *rcpts;	/* struct qs_rcpt *, pending and done */
	bool rcpts_known;	/* false: the format did not tell us (IceWarp, .eml) */
	gint64 arrival;		/* unix seconds, -1 unknown */
	gint64 size;		/* message size in bytes, -1 unknown */
	gint64 mtime;		/* content file mtime, -1 unknown */

	/* who handed it over, where the queue metadata records it */
	char *client_ip;
	char *client_helo;
	char *client_name;	/* reverse DNS name, if recorded */
	char *auth_user;	/* SMTP AUTH user, if recorded */
	bool local_submission;	/* metadata says: local sendmail/pickup, no network client */

	/* raw header block: bytes before the first empty line, LF line ends */
	GByteArray *hdr;
	bool hdr_complete;	/* the empty line was seen within the cap */
	/* body prefix, loaded only when the sender is "" or unknown (DSN) */
	GByteArray *body;
	bool body_complete;	/* whole body is in `body` */

	bool envelope_suspect;	/* e.g. duplicated MDaemon envelope headers */
	bool busy;		/* locked / in flight: report, never act */
	GPtrArray *notes;	/* char *: human notes for -v and JSON */

	enum qs_error_kind err;
	char *error;		/* what went wrong, with file and offset */

	/* hdr split by the reader (qs_msg_fields in hdr.h) for the judge to
	 * reuse; NULL until first used, kept (emptied) by qs_msg_clear */
	struct qs_headers *fields;
};

struct qs_msg *qs_msg_new(void);
void qs_msg_init(struct qs_msg *m);
void qs_msg_clear(struct qs_msg *m);	/* back to the state after init */
void qs_msg_free(struct qs_msg **m);

void qs_msg_add_file(struct qs_msg *m, const char *relpath);
struct qs_rcpt *qs_msg_add_rcpt(struct qs_msg *m, const char *addr, size_t len, bool done);
void qs_msg_note(struct qs_msg *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Record the first error only; later ones become notes. */
void qs_msg_fail(struct qs_msg *m, enum qs_error_kind kind, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
guint qs_msg_pending(const struct qs_msg *m);	/* count of pending rcpts */
/* Set *field to a copy of (s, len) with NULs and control bytes kept out. */
void qs_msg_set(char **field, const char *s, size_t len);

#endif
