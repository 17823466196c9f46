/*
 * progress.h - a one-line progress display on stderr (messages, rate)
 * for runs longer than a second; only ever on a terminal, never in cron
 * or with --json to a pipe (the caller decides `enabled`).
 */
#ifndef QS_PROGRESS_H
#define QS_PROGRESS_H

#include <stdbool.h>

struct qs_progress;
struct qs_progress *qs_progress_new(bool enabled);
/* add to the number of messages expected (for the ETA) */
void qs_progress_set_total(struct qs_progress *p, unsigned long long total);
bool qs_progress_enabled(const struct qs_progress *p);
void qs_progress_tick(struct qs_progress *p);
void qs_progress_free(struct qs_progress **p);	/* clears the line */

#endif
