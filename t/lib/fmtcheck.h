/*
 * fmtcheck.h - helpers for the queue-reader tests: run a reader's walk
 * and load over a directory and keep the results; set file ages
 * without sleeping; write qmail queues (qq_*) byte by byte.
 */
#ifndef QS_FMTCHECK_H
#define QS_FMTCHECK_H

#include <glib.h>
#include <stdbool.h>
#include "parser.h"

struct scan {
	GPtrArray *msgs;	/* struct qs_msg *, walk order */
	GPtrArray *walk_errors;	/* char * */
	int loaded_ok, load_failed;
};

/* walk + load every item of dir with p (NULL: detect) */
struct scan *fc_scan(const char *dir, const struct qs_parser *p);
void fc_scan_free(struct scan *s);
struct qs_msg *fc_find(const struct scan *s, const char *id);
/* pending recipients joined with "," (caller frees) */
char *fc_rcpts(const struct qs_msg *m, bool with_done);
char *fc_files(const struct qs_msg *m);
bool fc_has_note(const struct qs_msg *m, const char *needle);
bool fc_any_error(const struct scan *s, const char *needle);
/* set mtime/atime of dir/rel to now - secs */
void fc_age(const char *dir, const char *rel, long secs);
/* age every file below dir */
void fc_age_all(const char *dir, long secs);

/* keep s until fc_cleanup() (test scratch strings); returns s */
char *fc_keep(char *s);
void fc_cleanup(void);	/* also tu_cleanup() */

/* qmail queue writer */
struct qq {
	char *root;
	int split;
	bool bigtodo;
};
void qq_init(struct qq *q, const char *root, int split, bool bigtodo);
void qq_mess(struct qq *q, unsigned long n, const char *text);
void qq_info(struct qq *q, unsigned long n, const void *b, size_t len);
void qq_chan(struct qq *q, const char *chan, unsigned long n, const void *b, size_t len);
void qq_todo(struct qq *q, unsigned long n, const void *b, size_t len);	/* + intd link */
char *qq_path(struct qq *q, const char *dir, unsigned long n);	/* relative */
#define QQ_BYTES(s) (s), (sizeof(s) - 1)

#endif
