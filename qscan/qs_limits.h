/*
 * qs_limits.h - every size cap qscan applies to untrusted input, in one place.
 *
 * Queue files are written by the MTA from bytes that remote senders choose.
 * Each reader enforces these caps and turns anything beyond them into an
 * `unsure` verdict with reason `malformed` (never a crash, never a purge).
 */
#ifndef QS_LIMITS_H
#define QS_LIMITS_H

#define QS_MAX_HEADER_BLOCK   (256 * 1024)   /* header block bytes kept per message */
#define QS_READ_STEP          (16 * 1024)    /* read() granularity for plain files */
#define QS_MAX_BODY           (1024 * 1024)  /* body bytes read for DSN (null sender) */
#define QS_MAX_RECORD         (1024 * 1024)  /* one Postfix record's data length */
/* Postfix 'p' records followed per file (as Postfix's own rec_goto).
 * scripts/fuzz.sh builds with 100: a pointer loop then costs 100 record
 * reads instead of 10,000, the same code path, 25 times more inputs a
 * second; t/1002 checks the real cap */
#ifndef QS_MAX_PTR_JUMPS
#define QS_MAX_PTR_JUMPS      10000
#endif
#define QS_MAX_RCPTS          100000         /* envelope recipients per message */
#define QS_MAX_ADDR           2048           /* one envelope address, bytes */
#define QS_MAX_RECEIVED       100            /* Received lines examined per message */
#define QS_MAX_HEADER_LINE    (64 * 1024)    /* one unfolded header value */
#define QS_MAX_ENVELOPE_FILE  (4 * 1024 * 1024) /* qmail info/local/remote/todo, MDaemon .rte */
#define QS_MAX_MIME_DEPTH     8              /* nesting walked in a DSN */
#define QS_MAX_DIR_DEPTH      4              /* sub-directory levels a walker descends */
#define QS_MAX_FILES_PER_MSG  16             /* files that belong to one message */
#define QS_MAX_RULES          256            /* named rules in the configuration */

#endif
