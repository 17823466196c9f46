/*
 * log.h - messages on stderr, with Postfix's severities.
 *
 * qs_info: shown with -v; qs_warn: bad input, skipped and counted;
 * qs_fatal: the environment is unusable, exits with the given code;
 * qs_panic: our own bug, aborts. Thread-safe; one line per call.
 */
#ifndef QS_LOG_H
#define QS_LOG_H

#include <glib.h>

extern int qs_verbosity;	/* -1 quiet, 0 normal, 1 -v, 2 -vv */

void qs_debug(const char *fmt, ...) G_GNUC_PRINTF(1, 2);	/* -vv */
void qs_info(const char *fmt, ...) G_GNUC_PRINTF(1, 2);		/* -v */
void qs_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);		/* not with -q */
void qs_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);	/* always */
G_NORETURN void qs_fatal(int code, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
G_NORETURN void qs_panic(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
