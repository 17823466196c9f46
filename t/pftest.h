/*
 * pftest.h - helpers for the Postfix reader tests: walk a directory
 * with qs_parser_postfix and load every message.
 */
#ifndef QS_PFTEST_H
#define QS_PFTEST_H

#include <glib.h>
#include "msg.h"

/* every message of dir, in walk order (struct qs_msg *); walk errors
 * (char *) go to errs when not NULL; NULL when dir is not Postfix */
GPtrArray *pft_scan(const char *dir, GPtrArray *errs);
struct qs_msg *pft_find(GPtrArray *msgs, const char *id);
void pft_free(GPtrArray *msgs);
/* recipients as "a,b" (pending only, or all with done ones as "-addr") */
char *pft_rcpts(const struct qs_msg *m, bool all);
bool pft_has_file(const struct qs_msg *m, const char *rel);
bool pft_hdr_has(const struct qs_msg *m, const char *needle);

#endif
