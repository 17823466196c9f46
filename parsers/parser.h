/*
 * parser.h - the one interface every queue format implements.
 *
 * A walk yields message handles (qs_item) from directory entries alone,
 * checking each name's shape and skipping anything that is not a
 * regular file of the right form; it never holds the whole queue in
 * memory. load() turns one handle into a qs_msg: envelope, queue
 * metadata and the raw header block (and the body prefix when the
 * sender is "" or unknown). Parsers never classify and never change the
 * queue. All paths are relative to the queue root the user gave; files
 * are opened below `rootfd` with qs_open_file() (O_NOFOLLOW).
 *
 * Return conventions: probe 0..100 (how sure; 0 = not mine);
 * walk_next 1 = item, 0 = end, -1 = one entry could not be walked
 * (*err set; the caller warns and calls again); load 0 = ok, -1 = the
 * message could not be read (m->err/m->error set; still reported, as
 * `unsure`), QS_LOAD_SKIP = on a closer look not a finished message
 * (e.g. still being written): dropped silently, the load says why with
 * qs_info(). Walks may leave per-file checks that need a stat() to
 * load(), which runs on the worker threads.
 */
#ifndef QS_PARSER_H
#define QS_PARSER_H

#include <glib.h>
#include <stdbool.h>
#include "msg.h"

struct qs_item {
	char *queue;		/* sub-queue name */
	char *id;		/* MTA id */
	char *path;		/* content file, relative to the root */
	GPtrArray *files;	/* char *, every file of the message, path first */
	int kind;		/* parser-private (e.g. qmail todo vs info state) */
	gint64 mtime;		/* from the walk's stat, -1 unknown */
};

#define QS_LOAD_SKIP 1

struct qs_walk;

struct qs_parser {
	const char *name;
	/* is rootfd (the directory `root`) this format's queue or one of its
	 * sub-queues? Append one line of evidence to `why` either way. */
	int (*probe)(int rootfd, const char *root, GString *why);
	struct qs_walk *(*walk_new)(int rootfd, const char *root, GError **err);
	int (*walk_next)(struct qs_walk *w, struct qs_item *item, GError **err);
	void (*walk_free)(struct qs_walk *w);
	int (*load)(int rootfd, const struct qs_item *item, struct qs_msg *m);
};

void qs_item_init(struct qs_item *it);
void qs_item_clear(struct qs_item *it);	/* free contents, re-init */
void qs_item_copy(struct qs_item *dst, const struct qs_item *src);
struct qs_msg;
/* what load() knows of a message before it reads a byte: its format,
 * and the walk's queue, id, path and files */
void qs_msg_from_item(struct qs_msg *m, const char *format, const struct qs_item *item);

/* registry.c */
extern const struct qs_parser qs_parser_postfix;
extern const struct qs_parser qs_parser_qmail;
extern const struct qs_parser qs_parser_mdaemon;
extern const struct qs_parser qs_parser_icewarp;
const struct qs_parser *qs_parser_by_name(const char *name);	/* "merak" = icewarp */
/* pick the format of rootfd from its directory shape; NULL with *err
 * listing what was seen when nothing fits; `why` gets the evidence */
const struct qs_parser *qs_parser_detect(int rootfd, const char *root, GString *why, GError **err);
extern const struct qs_parser *const qs_parsers[];	/* NULL-terminated */

#endif
