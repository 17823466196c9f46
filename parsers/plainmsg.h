/*
 * plainmsg.h - helpers the qmail, MDaemon and IceWarp readers share:
 * directory entries without needless stat calls, "still being written"
 * age checks, reading a plain RFC 5322 file into a qs_msg, and small
 * envelope-address and header helpers.
 */
#ifndef QS_PLAINMSG_H
#define QS_PLAINMSG_H

#include <dirent.h>
#include <glib.h>
#include <stdbool.h>
#include <sys/stat.h>
#include "msg.h"
#include "hdr.h"

/* MDaemon and IceWarp write queue files in place: a file modified less
 * than this many seconds ago may still be growing and is skipped. */
#define QS_YOUNG_SECONDS_DEFAULT 5
extern int qs_young_seconds;	/* tests and tools may lower it (0 = off) */
bool qs_is_young(gint64 mtime, gint64 now);
/* load()'s age check of a file the walk did not stat: young now? (then
 * says so, naming format and rel, and the caller skips the message) */
bool qs_plain_young_now(const char *format, const char *rel, gint64 mtime);

/* open the directory rel ("" = the root itself) below rootfd, no links */
DIR *qs_opendir_rel(int rootfd, const char *rel, GError **err);
/* DT_REG, DT_DIR, DT_LNK, ... of an entry; stats only when d_type is
 * unknown; -1 when it vanished */
int qs_dirent_type(DIR *d, const struct dirent *de);
/* a directory still to visit in a breadth-first walk (MDaemon, IceWarp) */
struct qs_dirq {
	char *rel;	/* relative to the root, "" = the root */
	int depth;
};
void qs_dirq_push(GQueue *q, const char *rel, int depth);
void qs_dirq_free(gpointer p);	/* for g_queue_clear_full */

/* "dir/name", or name when dir is "" */
char *qs_relpath(const char *dir, const char *name);
/* last path component of a directory name ("." -> the cwd's name) */
char *qs_dir_basename(const char *root);

/* open rel for load(); on failure qs_msg_fail(UNREADABLE), errno set, -1 */
int qs_plain_open(int rootfd, const char *rel, struct qs_msg *m, struct stat *st);
/* read the header block (and the body prefix when body) from offset 0
 * of fd into m; -1 after qs_msg_fail on a read error; an empty file or
 * a header block beyond QS_MAX_HEADER_BLOCK fails the message as
 * malformed (0 is still returned: the bytes read are kept) */
int qs_plain_read(int fd, const char *rel, struct qs_msg *m, bool body);
/* the same when the first pre_len bytes of the file are in pre already
 * (they are not read again); m->size is the file's size from fstat */
int qs_plain_read_pre(int fd, const char *rel, struct qs_msg *m, bool body,
		      const guint8 *pre, size_t pre_len);

/* envelope address from a header value or a file line: blanks and one
 * pair of <> stripped; "" for <> / empty. NULL when it is not one
 * address (blanks or a second <...> inside). */
char *qs_clean_addr(const char *v, size_t len);
/* BATV: "prvs=TAG=user@dom" -> "user@dom" (in place); true if stripped */
bool qs_strip_batv(char *addr);
/* RFC 5322 date -> unix seconds, -1 when unparsable */
gint64 qs_parse_date(const char *s);
/* index of the first field named name at or after from, or -1 */
int qs_headers_find(const struct qs_headers *h, const char *name, guint from);

#endif
