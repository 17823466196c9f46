/*
 * postfix_int.h - pieces of the Postfix reader shared between its files
 * (postfix_id.c names, postfix_walk.c probe and walk, postfix.c load).
 */
#ifndef QS_POSTFIX_INT_H
#define QS_POSTFIX_INT_H

#include <glib.h>
#include <stdbool.h>
#include "parser.h"

/* message queues, in showq's scan order */
extern const char *const pf_queues[];
/* per-message logfile directories */
extern const char *const pf_logdirs[];
#define PF_NLOGDIRS 3
#define PF_LOG_BITS 5		/* hash depths 0..4 per log directory in item->kind */
#define PF_LOG_MASK ((1u << PF_LOG_BITS) - 1)

/* Postfix's mail_queue_id_ok(): 1..255 chars of [A-Za-z0-9_] */
bool pf_name_ok(const char *name);
/* a short (hex) or long (base-52 ... 'z' base-51) queue ID, §1.2 */
bool pf_id_ok(const char *name);
/* the hex string Postfix hashes the ID by (short: the ID itself; long:
 * the microseconds as %05X); buf holds at least 8 bytes */
void pf_id_hash_chars(const char *id, char *buf, size_t size);
/* is name a queue directory we walk? */
bool pf_is_queue_name(const char *name);

int pf_probe(int rootfd, const char *root, GString *why);
struct qs_walk *pf_walk_new(int rootfd, const char *root, GError **err);
int pf_walk_next(struct qs_walk *w, struct qs_item *item, GError **err);
void pf_walk_free(struct qs_walk *w);
/* add the existing logfiles of the message to m->files (item->kind hints) */
void pf_add_logfiles(int rootfd, const struct qs_item *item, struct qs_msg *m);

/* postfix_logs.c: logdir i at hash depth d of the message, e.g. defer/4/ID */
void pf_logpath(int i, int d, const char *hex, const char *id, char *buf, size_t size);
struct pf_loglists;
struct pf_loglists *pf_loglists_new(void);
void pf_loglists_free(struct pf_loglists *L);
/* answer the item's logfile hints from listings made once per walk
 * directory (epoch): found logfiles are added to item->files; returns
 * the hints left for load() to ask the file system */
unsigned pf_logs_resolve(struct pf_loglists *L, int rootfd, unsigned epoch, struct qs_item *item);

#endif
