/*
 * eml.h - load a plain RFC 5322 message file (.eml) into a qs_msg.
 *
 * Used by `qscan explain FILE` (envelope unknown: sender NULL,
 * rcpts_known false, no client) and by the labelled corpus
 * (t/data/corpus/), whose files carry the envelope in leading
 * pseudo-headers. With envelope_headers true, the fields below are read
 * ONLY while they are the first lines of the header block (the first
 * other field ends them), each on one line (no folding), and are
 * removed from m->hdr, so the rest is exactly what a queue would hold:
 *
 *   X-Qscan-Sender: <addr>        envelope sender; "<>" or "" = null sender
 *   X-Qscan-Rcpt: <addr>          a pending recipient (repeat for more)
 *   X-Qscan-Rcpt-Done: <addr>     a recipient already delivered/bounced
 *   X-Qscan-Client: IP [helo=H] [name=N]
 *                                 who handed it over (queue metadata);
 *                                 "[1.2.3.4]", "[IPv6:...]" are accepted
 *   X-Qscan-Auth: user            SMTP AUTH user from queue metadata
 *   X-Qscan-Local: yes            local submission (sendmail, pickup)
 *   X-Qscan-Arrival: T            unix seconds or ISO 8601 ("...Z")
 *   X-Qscan-Suspect: yes          envelope_suspect (e.g. MDaemon
 *                                 duplicated envelope headers)
 *
 * Angle brackets around addresses are optional. Any X-Qscan-Rcpt or
 * X-Qscan-Rcpt-Done makes rcpts_known true; without them the
 * recipients are unknown, as for a plain file. A queue-format writer
 * should map: Sender -> the envelope sender record, Rcpt -> pending
 * recipients, Rcpt-Done -> done ones, Client/Auth/Local -> the
 * format's metadata where it has any (and drop what it cannot store).
 *
 * The file is opened with O_NOFOLLOW (qs_open_file relative to the
 * current directory): a symbolic link, a FIFO or a missing file is
 * `unreadable`. The header block is bounded by QS_MAX_HEADER_BLOCK, the
 * body kept (for bounces) by QS_MAX_BODY, and only when the sender is
 * <> or unknown. A header block that is empty, over the cap, holds a NUL
 * byte or has no "Name: value" field at all is `malformed`.
 * Returns 0 when loaded (m->err may say malformed), -1 when unreadable
 * (m->err and m->error set).
 */
#ifndef QS_EML_H
#define QS_EML_H

#include <stdbool.h>
#include "msg.h"

int qs_eml_load(const char *path, struct qs_msg *m, bool envelope_headers);

#endif
