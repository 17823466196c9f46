/*
 * journal.c - rows of the quarantine manifest, the deletions journal
 * and their files; see journal.h.
 */
#include "config.h"
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include "db-int.h"
#include "journal.h"
#include "util.h"

static void jfile_free(gpointer p)
{
	struct qs_jfile *f = p;

	g_free(f->path);
	g_free(f->src);
	g_free(f);
}

struct qs_jentry *qs_jentry_new(void)
{
	struct qs_jentry *e = g_new0(struct qs_jentry, 1);

	e->jfiles = g_ptr_array_new_with_free_func(jfile_free);
	return e;
}

void qs_jentry_free(struct qs_jentry *e)
{
	if (e == NULL)
		return;
	g_free(e->uuid); g_free(e->state); g_free(e->queue_root); g_free(e->format);
	g_free(e->queue_id); g_free(e->queue); g_free(e->sender); g_free(e->recipients);
	g_free(e->origin_ip); g_free(e->auth_user); g_free(e->reasons); g_free(e->subject);
	g_free(e->files); g_free(e->note); g_free(e->method);
	g_ptr_array_free(e->jfiles, TRUE);
	g_free(e);
}

void qs_jentry_add_file(struct qs_jentry *e, const char *path, const char *src,
			guint64 dev, guint64 ino)
{
	struct qs_jfile *f = g_new0(struct qs_jfile, 1);

	f->path = g_strdup(path);
	f->src = src && g_strcmp0(src, path) != 0 ? g_strdup(src) : NULL;
	f->dev = dev;
	f->ino = ino;
	g_ptr_array_add(e->jfiles, f);
}

void qs_jentry_set_files_json(struct qs_jentry *e)
{
	GString *s = g_string_new("[");
	guint i;

	for (i = 0; i < e->jfiles->len; i++) {
		const struct qs_jfile *f = g_ptr_array_index(e->jfiles, i);
		if (i)
			g_string_append_c(s, ',');
		qs_json_str(s, f->path);
	}
	g_string_append_c(s, ']');
	g_free(e->files);
	e->files = g_string_free(s, FALSE);
}

static int add_files(struct qs_db *db, const struct qs_jentry *e, GError **err)
{
	guint i;

	for (i = 0; i < e->jfiles->len; i++) {
		const struct qs_jfile *f = g_ptr_array_index(e->jfiles, i);
		sqlite3_stmt *s = qs_db_stmt(db, ST_JF_INSERT, err);

		if (s == NULL)
			return -1;
		qs_db_bind_text(s, 1, e->uuid);
		sqlite3_bind_int(s, 2, (int)i);
		qs_db_bind_text(s, 3, f->path);
		qs_db_bind_text(s, 4, f->src);
		sqlite3_bind_int64(s, 5, (gint64)f->dev);
		sqlite3_bind_int64(s, 6, (gint64)f->ino);
		sqlite3_bind_int64(s, 7, f->btime);
		if (qs_db_step_done(db, s, "journalling a file", err) < 0)
			return -1;
	}
	return 0;
}

int qs_jfile_stat(int dirfd, const char *rel, struct stat *st, gint64 *btime)
{
	struct statx sx;

	if (statx(dirfd, rel, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0)
		return -1;
	memset(st, 0, sizeof *st);
	st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	st->st_ino = (ino_t)sx.stx_ino;
	st->st_mode = sx.stx_mode;
	st->st_nlink = sx.stx_nlink;
	st->st_uid = sx.stx_uid;
	st->st_gid = sx.stx_gid;
	st->st_size = (off_t)sx.stx_size;
	st->st_mtim.tv_sec = sx.stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = sx.stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = sx.stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = sx.stx_ctime.tv_nsec;
	st->st_atim.tv_sec = sx.stx_atime.tv_sec;
	st->st_atim.tv_nsec = sx.stx_atime.tv_nsec;
	*btime = sx.stx_mask & STATX_BTIME ?
		(gint64)sx.stx_btime.tv_sec * 1000000000 + sx.stx_btime.tv_nsec : 0;
	return 0;
}

gint64 qs_jfile_btime(int dirfd, const char *rel)
{
	struct statx sx;

	if (statx(dirfd, rel, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &sx) < 0 ||
	    !(sx.stx_mask & STATX_BTIME))
		return 0;
	return (gint64)sx.stx_btime.tv_sec * 1000000000 + sx.stx_btime.tv_nsec;
}

static void bind_q(sqlite3_stmt *s, const struct qs_jentry *e)
{
	qs_db_bind_text(s, 1, e->uuid);
	qs_db_bind_text(s, 2, e->state);
	sqlite3_bind_int64(s, 3, e->created);
	if (e->run_id > 0)
		sqlite3_bind_int64(s, 4, e->run_id);
	qs_db_bind_text(s, 5, e->queue_root);
	qs_db_bind_text(s, 6, e->format);
	qs_db_bind_text(s, 7, e->queue_id);
}

int qs_journal_add(struct qs_db *db, const struct qs_jentry *e, GError **err)
{
	sqlite3_stmt *s;

	if (qs_db_write_begin(db, err) < 0)
		return -1;
	s = qs_db_stmt(db, e->deletion ? ST_D_INSERT : ST_Q_INSERT, err);
	if (s == NULL)
		return -1;
	bind_q(s, e);
	if (e->deletion) {
		qs_db_bind_text(s, 8, e->files);
		qs_db_bind_text(s, 9, e->method);
	} else {
		qs_db_bind_text(s, 8, e->queue);
		qs_db_bind_text(s, 9, e->sender);
		qs_db_bind_text(s, 10, e->recipients);
		qs_db_bind_text(s, 11, e->origin_ip);
		qs_db_bind_text(s, 12, e->auth_user);
		qs_db_bind_text(s, 13, e->reasons);
		qs_db_bind_text(s, 14, e->subject);
		qs_db_bind_text(s, 15, e->files);
		qs_db_bind_text(s, 16, e->note);
		qs_db_bind_text(s, 17, e->method);
	}
	if (qs_db_step_done(db, s, "journalling a message", err) < 0 || add_files(db, e, err) < 0)
		return -1;
	return qs_db_write_done(db, err);
}

static int prune_files(struct qs_db *db, const char *uuid, GError **err)
{
	sqlite3_stmt *s = qs_db_stmt(db, ST_JF_PRUNE, err);

	if (s == NULL)
		return -1;
	qs_db_bind_text(s, 1, uuid);
	return qs_db_step_done(db, s, "pruning the journal", err);
}

int qs_journal_set_state(struct qs_db *db, bool deletion, const char *uuid, const char *state,
			 const char *note, GError **err)
{
	sqlite3_stmt *s;

	if (qs_db_write_begin(db, err) < 0 ||
	    (s = qs_db_stmt(db, deletion ? ST_D_STATE : ST_Q_STATE, err)) == NULL)
		return -1;
	qs_db_bind_text(s, 1, uuid);
	qs_db_bind_text(s, 2, state);
	if (!deletion) {
		sqlite3_bind_int64(s, 3, (gint64)time(NULL));
		qs_db_bind_text(s, 4, note);
	}
	if (qs_db_step_done(db, s, "updating the journal", err) < 0)
		return -1;
	/* a finished operation needs no file list any more (a quarantined
	 * message keeps it for its restore, an expired one until its store
	 * files are removed: they are named after it) */
	if ((strcmp(state, "deleted") == 0 || strcmp(state, "restored") == 0 ||
	     strcmp(state, "vanished") == 0 || strcmp(state, "failed") == 0) &&
	    prune_files(db, uuid, err) < 0)
		return -1;
	return qs_db_write_done(db, err);
}

int qs_journal_prune_files(struct qs_db *db, const char *uuid, GError **err)
{
	if (qs_db_write_begin(db, err) < 0 || prune_files(db, uuid, err) < 0)
		return -1;
	return qs_db_write_done(db, err);
}

static char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? g_strdup((const char *)t) : NULL;
}

static int get_files(struct qs_db *db, struct qs_jentry *e, GError **err)
{
	sqlite3_stmt *s = qs_db_stmt(db, ST_JF_GET, err);
	int rc;

	if (s == NULL)
		return -1;
	qs_db_bind_text(s, 1, e->uuid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *p = col(s, 0), *src = col(s, 1);
		qs_jentry_add_file(e, p, src, (guint64)sqlite3_column_int64(s, 2),
				   (guint64)sqlite3_column_int64(s, 3));
		((struct qs_jfile *)g_ptr_array_index(e->jfiles, e->jfiles->len - 1))->btime =
			sqlite3_column_int64(s, 4);
		g_free(p);
		g_free(src);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : qs_db_fail(db, err, "reading the journal");
}

int qs_journal_get(struct qs_db *db, const char *uuid, struct qs_jentry **out, GError **err)
{
	sqlite3_stmt *s = qs_db_stmt(db, ST_Q_GET, err);
	struct qs_jentry *e;
	int rc;

	*out = NULL;
	if (s == NULL)
		return -1;
	qs_db_bind_text(s, 1, uuid);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 1 : qs_db_fail(db, err, "reading the quarantine");
	}
	e = qs_jentry_new();
	e->uuid = col(s, 0); e->state = col(s, 1);
	e->created = sqlite3_column_int64(s, 2); e->run_id = sqlite3_column_int64(s, 3);
	e->queue_root = col(s, 4); e->format = col(s, 5); e->queue_id = col(s, 6);
	e->queue = col(s, 7); e->sender = col(s, 8); e->recipients = col(s, 9);
	e->origin_ip = col(s, 10); e->auth_user = col(s, 11); e->reasons = col(s, 12);
	e->subject = col(s, 13); e->files = col(s, 14); e->updated = sqlite3_column_int64(s, 15);
	e->note = col(s, 16); e->method = col(s, 17);
	sqlite3_reset(s);
	if (get_files(db, e, err) < 0) {
		qs_jentry_free(e);
		return -1;
	}
	*out = e;
	return 0;
}

static int collect(struct qs_db *db, sqlite3_stmt *s, GPtrArray *out, GError **err)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		g_ptr_array_add(out, col(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : qs_db_fail(db, err, "reading the quarantine");
}

static int pending_deletions(struct qs_db *db, GPtrArray *out, GError **err)
{
	sqlite3_stmt *s = qs_db_stmt(db, ST_D_PENDING, err);
	GPtrArray *rows = g_ptr_array_new();
	guint i;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct qs_jentry *e = qs_jentry_new();
		e->deletion = true;
		e->uuid = col(s, 0); e->queue_root = col(s, 1); e->format = col(s, 2);
		e->queue_id = col(s, 3); e->method = col(s, 4); e->state = g_strdup("deleting");
		g_ptr_array_add(rows, e);
	}
	sqlite3_reset(s);
	for (i = 0; i < rows->len; i++) {
		struct qs_jentry *e = g_ptr_array_index(rows, i);
		if (rc == SQLITE_DONE && get_files(db, e, err) < 0)
			rc = -1;
		g_ptr_array_add(out, e);
	}
	g_ptr_array_free(rows, TRUE);
	if (rc == SQLITE_DONE)
		return 0;
	return rc == -1 ? -1 : qs_db_fail(db, err, "reading the deletions journal");
}

int qs_journal_pending(struct qs_db *db, GPtrArray *out, GError **err)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	sqlite3_stmt *s = qs_db_stmt(db, ST_Q_PENDING, err);
	guint i;
	int rc = -1;

	if (s == NULL || collect(db, s, ids, err) < 0)
		goto out;
	for (i = 0; i < ids->len; i++) {
		struct qs_jentry *e;
		if (qs_journal_get(db, g_ptr_array_index(ids, i), &e, err) < 0)
			goto out;
		if (e)
			g_ptr_array_add(out, e);
	}
	rc = pending_deletions(db, out, err);
out:
	g_ptr_array_free(ids, TRUE);
	return rc;
}

int qs_journal_uuids(struct qs_db *db, const char *state, gint64 before, GPtrArray *out,
		     GError **err)
{
	sqlite3_stmt *s = qs_db_stmt(db, before > 0 ? ST_Q_OLDER : ST_Q_LIST, err);

	if (s == NULL)
		return -1;
	if (before > 0)
		sqlite3_bind_int64(s, 1, before);
	else
		qs_db_bind_text(s, 1, state);
	return collect(db, s, out, err);
}
