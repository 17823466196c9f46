/*
 * quarantine_act.c - `qscan quarantine restore` and `expire`.
 *
 * Restore refuses to start when any target file exists (it never
 * overwrites, and never half-restores a message for that reason), then
 * journals `restoring`, moves the files back in the MTA's safe order
 * (Postfix: logfiles first, queue file last; qmail: mess first, todo
 * last; MDaemon/IceWarp: the .msg last) and marks the row restored.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "act-int.h"
#include "quarantine.h"
#include "util.h"

/* what to tell the user after a restore */
static char *restore_hint(const struct qs_jentry *e, int rootfd)
{
	const struct qs_jfile *last;
	int mutex = -1;

	if (g_strcmp0(e->format, "postfix") == 0) {
		last = e->jfiles->len ? g_ptr_array_index(e->jfiles, e->jfiles->len - 1) : NULL;
		if (last && strncmp(last->path, "hold/", 5) == 0)
			return g_strdup_printf("it is on hold again: `postsuper -H %s` releases it",
					       e->queue_id);
		if (last && strncmp(last->path, "active/", 7) == 0)
			return g_strdup_printf("it went back to active/: if Postfix runs, "
					       "`postsuper -r %s` requeues it", e->queue_id);
		return g_strdup_printf("Postfix retries it at its next retry time; `postqueue -i %s` "
				       "(or `postqueue -f`) delivers it now", e->queue_id);
	}
	if (g_strcmp0(e->format, "qmail") == 0) {
		if (qs_qmail_sendmutex(rootfd, &mutex) == 1)
			return g_strdup("qmail-send reads info/ only when it starts: restart "
					"qmail-send to deliver it");
		if (mutex >= 0)
			close(mutex);
		return g_strdup("qmail-send delivers it when it starts");
	}
	return g_strdup("the MTA picks it up on its next queue run");
}

/* every target must be free and every file present in the store */
static int restore_check(struct qs_store *s, const struct qs_jentry *e, GError **err)
{
	guint i;

	if (strcmp(e->state, "quarantined") != 0) {
		g_set_error(err, QS_ERROR, 0, "%s is %s, not quarantined; nothing to restore",
			    e->uuid, e->state);
		return -1;
	}
	for (i = 0; i < e->jfiles->len; i++) {
		const struct qs_jfile *f = g_ptr_array_index(e->jfiles, i);
		char *sp = qs_store_find(s->qfd, e->uuid, f->path, NULL);
		struct stat st;

		if (fstatat(s->rootfd, f->path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			g_set_error(err, QS_ERROR, EEXIST, "%s/%s already exists (a new message with "
				    "the same ID?); not overwritten, nothing restored", s->root, f->path);
			g_free(sp);
			return -1;
		}
		if (sp == NULL) {
			char *want = qs_store_name(e->uuid, f->path);
			g_set_error(err, QS_ERROR, ENOENT, "%s (%s/%s) is missing from the store; "
				    "nothing restored", f->path, s->qdir, want);
			g_free(want);
			return -1;
		}
		g_free(sp);
	}
	return 0;
}

static int restore_one(struct qs_db *db, const char *qdir, struct qs_jentry *e, char **hint,
		       GError **err)
{
	struct qs_store s;
	GString *notes;
	const char *st;
	int rc;

	if (qs_store_open_root(&s, db, e->queue_root, qdir, err) < 0)
		return -1;
	rc = restore_check(&s, e, err);
	if (rc == 0) {
		g_free(e->state);
		e->state = g_strdup("restoring");
		rc = qs_journal_set_state(db, false, e->uuid, "restoring", NULL, err);
	}
	if (rc == 0)
		rc = qs_db_commit(db, err);	/* journal first */
	if (rc == 0) {
		notes = g_string_new(NULL);
		rc = qs_move_settle(&s, e, &st, notes, err);
		if (rc == 0 && strcmp(st, "restored") != 0) {
			g_set_error(err, QS_ERROR, 0, "restore of %s incomplete: %s", e->uuid,
				    notes->str);
			rc = -1;
		}
		g_string_free(notes, TRUE);
		if (qs_move_commit(&s, rc == 0 ? err : NULL) < 0)
			rc = -1;
	}
	if (rc == 0) {
		struct stat a, b;
		char *h = restore_hint(e, s.rootfd);
		/* copied back across file systems: new inodes */
		bool other_fs = fstat(s.rootfd, &a) == 0 && fstat(s.qfd, &b) == 0 &&
				a.st_dev != b.st_dev;

		if (other_fs && g_strcmp0(e->format, "postfix") == 0)
			*hint = g_strdup_printf("%s; it was copied back from another file system, so "
						"its queue ID no longer matches its inode: run `postsuper` "
						"once to fix the name", h);
		else if (other_fs && g_strcmp0(e->format, "qmail") == 0)
			*hint = g_strdup_printf("%s; it was copied back from another file system, so "
						"mess/ no longer has the inode its number says: repair the "
						"queue (e.g. queue-repair) before qmail-send starts", h);
		else
			*hint = g_strdup(h);
		g_free(h);
	}
	qs_store_close(&s);
	return rc;
}

static void restore_out(GString *out, bool json, const char *id, const struct qs_jentry *e,
			const char *error, const char *hint)
{
	if (json) {
		g_string_append(out, "{\"type\":\"restore\",\"id\":");
		qs_json_str(out, e ? e->uuid : id);
		g_string_append(out, ",\"queue_id\":");
		qs_json_str(out, e ? e->queue_id : NULL);
		g_string_append_printf(out, ",\"result\":\"%s\",\"error\":", error ? "failed" : "restored");
		qs_json_str(out, error);
		g_string_append(out, ",\"hint\":");
		qs_json_str(out, hint);
		g_string_append(out, "}\n");
	} else if (error) {
		char *p = qs_printable(error);
		g_string_append_printf(out, "%s: not restored: %s\n", id, p);
		g_free(p);
	} else {
		g_string_append_printf(out, "%s: restored %s %s to %s; %s\n", e->uuid, e->format,
				       e->queue_id, e->queue_root, hint);
	}
}

int qs_quarantine_restore(struct qs_db *db, const char *qdir, const char *const *ids,
			  GString *out, bool json, GError **err)
{
	GString *log = g_string_new(NULL);
	GError *first = NULL;
	guint i;

	if (qs_quarantine_reconcile(db, qdir, log, err) < 0) {
		g_string_free(log, TRUE);
		return -1;
	}
	if (!json)
		g_string_append(out, log->str);
	for (i = 0; ids[i]; i++) {
		struct qs_jentry *e = NULL;
		GError *e1 = NULL;
		char *uuid = qs_quarantine_resolve(db, ids[i], &e1), *hint = NULL;

		if (uuid && qs_journal_get(db, uuid, &e, &e1) == 0)
			restore_one(db, qdir, e, &hint, &e1);
		restore_out(out, json, ids[i], e, e1 ? e1->message : NULL, hint);
		if (e1 && first == NULL)
			first = e1;
		else if (e1)
			g_error_free(e1);
		qs_jentry_free(e);
		g_free(uuid);
		g_free(hint);
	}
	g_string_free(log, TRUE);
	if (first) {
		g_propagate_error(err, first);
		return -1;
	}
	return 0;
}

static void expire_out(GString *out, bool json, const struct qs_jentry *e)
{
	char *t = qs_iso_time(e->created);

	if (json) {
		g_string_append(out, "{\"type\":\"expire\",\"id\":");
		qs_json_str(out, e->uuid);
		g_string_append(out, ",\"queue_id\":");
		qs_json_str(out, e->queue_id);
		g_string_append(out, ",\"created\":");
		qs_json_str(out, t);
		g_string_append(out, "}\n");
	} else {
		g_string_append_printf(out, "%s: expired (%s %s, quarantined %s)\n", e->uuid,
				       e->format, e->queue_id, t ? t : "?");
	}
	g_free(t);
}

/* remove the store files of rows already marked expired (also what an
 * expire killed half-way left behind); an expired row keeps its file
 * list (the store names) until they are gone */
static void sweep(struct qs_db *db, int qfd)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	guint i;

	if (qs_journal_uuids(db, "expired", 0, ids, NULL) == 0)
		for (i = 0; i < ids->len; i++) {
			struct qs_jentry *e = NULL;
			if (qs_journal_get(db, g_ptr_array_index(ids, i), &e, NULL) == 0 &&
			    qs_store_remove(qfd, e, NULL) == 0 && e->jfiles->len)
				qs_journal_prune_files(db, e->uuid, NULL);
			qs_jentry_free(e);
		}
	qs_db_commit(db, NULL);
	g_ptr_array_free(ids, TRUE);
}

int qs_quarantine_expire(struct qs_db *db, const char *qdir, guint days, GString *out,
			 bool json, GError **err)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GString *log = g_string_new(NULL);
	gint64 before = (gint64)time(NULL) - (gint64)days * 86400 + 1;
	int qfd = -1, rc = -1;
	guint i, n = 0;

	if (qs_quarantine_reconcile(db, qdir, log, err) < 0 ||
	    qs_journal_uuids(db, NULL, before, ids, err) < 0)
		goto out;
	if (!json)
		g_string_append(out, log->str);
	for (i = 0; i < ids->len; i++) {
		struct qs_jentry *e;
		if (qs_journal_get(db, g_ptr_array_index(ids, i), &e, err) < 0)
			goto out;
		if (e && qs_journal_set_state(db, false, e->uuid, "expired", NULL, err) < 0) {
			qs_jentry_free(e);
			goto out;
		}
		if (e) {
			expire_out(out, json, e);
			n++;
		}
		qs_jentry_free(e);
	}
	/* rows first, files after: a killed expire leaves files to sweep */
	if (qs_db_commit(db, err) < 0)
		goto out;
	qfd = open(qdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (qfd >= 0)
		sweep(db, qfd);
	if (json)
		g_string_append_printf(out, "{\"type\":\"summary\",\"count\":%u}\n", n);
	else
		g_string_append_printf(out, "%u message(s) expired\n", n);
	rc = 0;
out:
	if (qfd >= 0)
		close(qfd);
	g_string_free(log, TRUE);
	g_ptr_array_free(ids, TRUE);
	return rc;
}
