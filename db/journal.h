/*
 * journal.h - the quarantine manifest and the crash journal of moves,
 * deletes and restores (tables quarantine, deletions, journal_files).
 * Used by qscan/act*.c and qscan/quarantine.c; the rows are the truth
 * about where a message is: a row `moving`/`restoring`/`deleting` is an
 * operation that may have been interrupted and is finished by the
 * reconciler before anything else happens to that queue.
 */
#ifndef QS_JOURNAL_H
#define QS_JOURNAL_H

#include <glib.h>
#include <stdbool.h>
#include "db.h"

struct qs_jfile {
	char *path;		/* original path relative to queue_root (= path in the store) */
	char *src;		/* where it was taken from, when not path (Postfix hold/) */
	guint64 dev, ino;	/* the exact file seen before moving (0 unknown) */
	gint64 btime;		/* its birth time in ns (statx), 0 unknown */
};

struct qs_jentry {
	bool deletion;		/* row of `deletions`, not `quarantine` */
	char *uuid, *state;
	gint64 created, updated, run_id;
	char *queue_root, *format, *queue_id, *queue;
	char *sender, *recipients, *origin_ip, *auth_user, *reasons, *subject;
	char *files;		/* JSON array of paths */
	char *note;
	char *method;		/* "move" (rename, copy across file systems) or "qmail-live" */
	GPtrArray *jfiles;	/* struct qs_jfile *, in move order */
	bool fresh;		/* just journalled by this process under a new random
				 * uuid: nothing of it can be in the store yet */
};

struct qs_jentry *qs_jentry_new(void);
void qs_jentry_free(struct qs_jentry *e);
void qs_jentry_add_file(struct qs_jentry *e, const char *path, const char *src,
			guint64 dev, guint64 ino);
/* the birth time of rel below dirfd in ns (statx), 0 when unknown */
gint64 qs_jfile_btime(int dirfd, const char *rel);
struct stat;
/* lstat and birth time of rel in one statx call (st_dev as fstatat
 * gives it); -1 with errno */
int qs_jfile_stat(int dirfd, const char *rel, struct stat *st, gint64 *btime);
/* JSON array of e->jfiles paths into e->files */
void qs_jentry_set_files_json(struct qs_jentry *e);

/* insert the row and its files (in the open batch; commit before moving) */
int qs_journal_add(struct qs_db *db, const struct qs_jentry *e, GError **err);
int qs_journal_set_state(struct qs_db *db, bool deletion, const char *uuid, const char *state,
			 const char *note, GError **err);
/* forget the file list of a finished row (an expired row keeps it
 * until its store files are gone) */
int qs_journal_prune_files(struct qs_db *db, const char *uuid, GError **err);
/* one quarantine row with its files; 0 ok, 1 no such uuid, -1 error */
int qs_journal_get(struct qs_db *db, const char *uuid, struct qs_jentry **out, GError **err);
/* unfinished operations: quarantine rows moving/restoring, deletions
 * deleting (with their files) */
int qs_journal_pending(struct qs_db *db, GPtrArray *out, GError **err);
/* uuids of quarantine rows in `state` (NULL = all), or quarantined rows
 * created before `before` when before > 0 */
int qs_journal_uuids(struct qs_db *db, const char *state, gint64 before, GPtrArray *out,
		     GError **err);

#endif
