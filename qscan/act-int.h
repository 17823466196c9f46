/*
 * act-int.h - the inside of the actor, shared by qscan/act*.c,
 * qscan/move.c and qscan/quarantine.c.
 *
 * Files move in an order the MTA itself tolerates at every prefix
 * (qs_move_rank); every operation is journalled in the database first
 * (db/journal.h) and is idempotent, so the reconciler finishes an
 * interrupted one by running the same steps again ("roll forward").
 */
#ifndef QS_ACT_INT_H
#define QS_ACT_INT_H

#include <stdbool.h>
#include <sys/stat.h>
#include "act.h"
#include "journal.h"

/* the queue lock and the store, shared by the actor and `quarantine` */
struct qs_store {
	int rootfd;		/* our own descriptor of the queue root (flock'd) */
	char *root;		/* absolute, as recorded in the database */
	int qfd;		/* the quarantine store directory, or -1 */
	char *qdir;
	struct qs_db *db;
};

/* lock the queue root (flock on its directory); code QS_ACT_LOCKED when
 * another process holds it, naming its pid from /proc/locks */
int qs_store_lock(struct qs_store *s, int rootfd, const char *root, GError **err);
/* open (creating, 0700) the quarantine directory */
int qs_store_open_qdir(struct qs_store *s, const char *qdir, GError **err);
void qs_store_close(struct qs_store *s);
/* both: lock the queue root named by path and open the store */
int qs_store_open_root(struct qs_store *s, struct qs_db *db, const char *root, const char *qdir,
		       GError **err);
/* quarantine.c, for quarantine_act.c */
char *qs_quarantine_resolve(struct qs_db *db, const char *id, GError **err);
void qs_quarantine_entry_json(GString *out, const struct qs_jentry *e);
/* the absolute real path of a queue root, for the database */
char *qs_store_realroot(int rootfd, const char *root);

/* move order: lower ranks move first (satellites before the content) */
int qs_move_rank(const char *format, const char *path, const char *content_path);
/* restore order is the move order reversed, except Postfix (queue file last) */
bool qs_move_restore_reversed(const char *format);

/* the test hook QSCAN_TEST_CRASH_AFTER=N: _exit(99) after N file
 * operations in total (thread-safe) */
void qs_move_tick(void);

/*
 * Finish one journalled operation on the files of e (idempotent):
 *   quarantine (state moving):   queue -> store, in e->jfiles order
 *   deletion   (state deleting): unlink in the queue, in order
 *   restore    (state restoring): store -> queue, restore order
 * *moved counts files now at their destination; notes get one line per
 * file that could not be handled (vanished, conflict, error).
 */
int qs_move_finish(struct qs_store *s, const struct qs_jentry *e, guint *moved,
		   GString *notes);
/*
 * Run qs_move_finish and move the row to its next state (in the open
 * batch; the caller commits): moving -> quarantined when the content
 * file reached the store, otherwise everything moved is put back and
 * the row becomes vanished/failed; deleting -> deleted; restoring ->
 * restored (the store directory is removed) or stays restoring with a
 * note. *state_r (static string) tells the outcome.
 */
int qs_move_settle(struct qs_store *s, struct qs_jentry *e, const char **state_r,
		   GString *notes, GError **err);
/* its file part alone: no database access, so the actor runs it for
 * several messages at once on its file threads (each message's own
 * files in order); returns the next state (static string) */
const char *qs_move_settle_files(struct qs_store *s, struct qs_jentry *e, GString *notes);
/* qmail with qmail-send running: copy into the store, then mark every
 * pending recipient done (act_qmail.c); 0 quarantined, -1 failed */
int qs_qmail_live_finish(struct qs_store *s, const struct qs_jentry *e, GString *notes);
/* qmail live delete: mark every T record D in local/ and remote/ files,
 * unlink bounce/ (qmail-send removes the rest itself) */
int qs_qmail_live_delete(struct qs_store *s, const struct qs_jentry *e, GString *notes);
/* is qmail-send running on this queue (lock/sendmutex held)? 1 yes,
 * 0 no and *fd holds the mutex for us (close to release), -1 no mutex */
int qs_qmail_sendmutex(int rootfd, int *fd);
/* copy sd/sp to dd/dp (temporary name, metadata, fsync, rename) */
int qs_move_copy(int sd, const char *sp, int dd, const char *dp, GString *notes);
int qs_move_mkparents(int dirfd, const char *rel, mode_t mode, bool inherit);
/* rename that never replaces an existing file (RENAME_NOREPLACE) */
int qs_move_rename(int sd, const char *sp, int dd, const char *dp);

/* Postfix (act_postfix.c): master running for this queue? */
bool qs_postfix_live(int rootfd);
/* does `postconf -h queue_directory` (MAIL_CONFIG honoured) name root? */
bool qs_postfix_own_queue(const char *root);
/* run `postsuper <op> -` with ids on stdin; stderr's last line to *diag */
int qs_postsuper(const char *op, GPtrArray *ids, char **diag);

/* make the file moves durable: syncfs of the queue, and of the store
 * when it is on another file system */
void qs_move_sync(struct qs_store *s);
/* qs_move_sync, then commit the rows that describe the moves */
int qs_move_commit(struct qs_store *s, GError **err);
/* reconcile every unfinished operation of this queue root (locked) */
int qs_move_reconcile(struct qs_store *s, GString *log, GError **err);
/*
 * The store (move.c): each file of entry uuid is <qdir>/<uu>/<uuid>.<esc>
 * where uu is two random hex digits of the uuid (the last two of a
 * version 7, the first two of a version 4) and esc the relative path
 * with '%' '/' '#' escaped as %25 %2F %23, or <uuid>.#<32 hex of the
 * SHA-256 of the path> when that name would exceed 200 bytes. Stores
 * written by earlier builds used <qdir>/<uuid>/<relpath>; they stay
 * readable: qs_store_find/locate try the flat name, then the old one.
 */
char *qs_store_name(const char *uuid, const char *relpath);
/* the name (relative to qfd) under which the file exists, with its
 * lstat in *st (optional); NULL when it is in neither layout */
char *qs_store_find(int qfd, const char *uuid, const char *relpath, struct stat *st);
/* qs_store_find, or the flat name when the file is in neither layout */
char *qs_store_locate(int qfd, const char *uuid, const char *relpath);
/* remove every store file of e: each flat name and its .qscan-tmp
 * leftover, and an old-layout <uuid>/ directory (the bucket stays) */
int qs_store_remove(int qfd, const struct qs_jentry *e, GError **err);
/* a new version 7 uuid (time-ordered, 74 random bits), lower-case text */
char *qs_move_uuid(void);

#endif
