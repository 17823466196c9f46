/*
 * quarantine.c - the `qscan quarantine` subcommands; see quarantine.h.
 * Restores go through the same journal as moves (state restoring), so
 * a killed restore is finished by the next qscan.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "act-int.h"
#include "quarantine.h"
#include "util.h"

int qs_quarantine_reconcile(struct qs_db *db, const char *qdir, GString *log, GError **err)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)qs_jentry_free);
	GHashTable *roots = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter it;
	gpointer root;
	guint i;
	int rc = 0;

	if (qs_journal_pending(db, rows, err) < 0)
		rc = -1;
	if (rc == 0 && rows->len && !qs_db_writable(db)) {
		g_string_append_printf(log, "%u unfinished operation(s) in %s: open the database "
				       "for writing to finish them\n", rows->len, qs_db_path(db));
		g_ptr_array_set_size(rows, 0);
	}
	for (i = 0; rc == 0 && i < rows->len; i++)
		g_hash_table_add(roots, ((struct qs_jentry *)g_ptr_array_index(rows, i))->queue_root);
	g_hash_table_iter_init(&it, roots);
	while (rc == 0 && g_hash_table_iter_next(&it, &root, NULL)) {
		struct qs_store s;
		GError *e = NULL;

		if (qs_store_open_root(&s, db, root, qdir, &e) < 0) {
			g_string_append_printf(log, "not finished now: %s\n", e->message);
			g_error_free(e);
			continue;
		}
		rc = qs_move_reconcile(&s, log, err);
		qs_store_close(&s);
	}
	g_hash_table_destroy(roots);
	g_ptr_array_free(rows, TRUE);
	return rc;
}

/* the full uuid for an id or a unique prefix of one */
char *qs_quarantine_resolve(struct qs_db *db, const char *id, GError **err)
{
	GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
	char *hit = NULL;
	size_t n = strlen(id);
	guint i, count = 0;

	if (qs_journal_uuids(db, NULL, 0, all, err) < 0)
		goto out;
	for (i = 0; i < all->len; i++) {
		const char *u = g_ptr_array_index(all, i);
		if (strcmp(u, id) == 0) {
			g_free(hit);
			hit = g_strdup(u);
			count = 1;
			break;
		}
		if (n >= 8 && strncmp(u, id, n) == 0 && count++ == 0)
			hit = g_strdup(u);
	}
	if (count != 1) {
		g_set_error(err, QS_ERROR, 0, count ? "%s: more than one quarantined message "
			    "starts with this; give more of the id" : "%s: no such quarantined "
			    "message (see `qscan quarantine list`)", id);
		g_clear_pointer(&hit, g_free);
	}
out:
	g_ptr_array_free(all, TRUE);
	return hit;
}

static void json_list(GString *out, const char *csv)
{
	char **v = g_strsplit(csv ? csv : "", ",", -1);
	guint i, k = 0;

	g_string_append_c(out, '[');
	for (i = 0; v[i]; i++) {
		if (*v[i] == '\0')
			continue;
		if (k++)
			g_string_append_c(out, ',');
		qs_json_str(out, v[i]);
	}
	g_string_append_c(out, ']');
	g_strfreev(v);
}

static void json_field(GString *out, const char *name, const char *v)
{
	g_string_append_printf(out, ",\"%s\":", name);
	qs_json_str(out, v);
}

void qs_quarantine_entry_json(GString *out, const struct qs_jentry *e)
{
	char *t = qs_iso_time(e->created);

	g_string_append(out, "{\"type\":\"quarantine\"");
	json_field(out, "id", e->uuid);
	json_field(out, "state", e->state);
	json_field(out, "created", t);
	json_field(out, "queue_root", e->queue_root);
	json_field(out, "format", e->format);
	json_field(out, "queue_id", e->queue_id);
	json_field(out, "queue", e->queue);
	json_field(out, "sender", e->sender);
	g_string_append(out, ",\"recipients\":");
	json_list(out, e->recipients);
	json_field(out, "origin_ip", e->origin_ip);
	json_field(out, "auth_user", e->auth_user);
	g_string_append(out, ",\"reasons\":");
	json_list(out, e->reasons);
	json_field(out, "subject", e->subject);
	g_string_append_printf(out, ",\"files\":%s", e->files ? e->files : "[]");
	json_field(out, "note", e->note);
	g_string_append(out, "}\n");
	g_free(t);
}

static guint count_csv(const char *csv)
{
	guint n = 0;

	if (csv == NULL || *csv == '\0')
		return 0;
	for (n = 1; *csv; csv++)
		n += *csv == ',';
	return n;
}

static void entry_line(GString *out, const struct qs_jentry *e)
{
	char *t = qs_iso_time(e->created);
	char *snd = qs_printable(e->sender ? (*e->sender ? e->sender : "<>") : "?");
	char *sub = qs_printable(e->subject ? e->subject : "");

	g_string_append_printf(out, "%s  %s  %-11s %s %s  from %s to %u recipient(s)  %s\n",
			       e->uuid, t ? t : "?", e->state, e->format, e->queue_id, snd,
			       count_csv(e->recipients), sub);
	g_free(t);
	g_free(snd);
	g_free(sub);
}

static bool listed(const char *state)
{
	return strcmp(state, "quarantined") == 0 || strcmp(state, "moving") == 0 ||
	       strcmp(state, "restoring") == 0;
}

static void report_log(GString *out, GString *log, bool json)
{
	if (log->len == 0 || json)
		return;
	g_string_append(out, log->str);
}

int qs_quarantine_list(struct qs_db *db, const char *qdir, GString *out, bool json, GError **err)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GString *log = g_string_new(NULL);
	guint i, n = 0;
	int rc = -1;

	if (qs_quarantine_reconcile(db, qdir, log, err) < 0 ||
	    qs_journal_uuids(db, NULL, 0, ids, err) < 0)
		goto out;
	report_log(out, log, json);
	for (i = 0; i < ids->len; i++) {
		struct qs_jentry *e;
		if (qs_journal_get(db, g_ptr_array_index(ids, i), &e, err) < 0)
			goto out;
		if (e && listed(e->state)) {
			if (json)
				qs_quarantine_entry_json(out, e);
			else
				entry_line(out, e);
			n++;
		}
		qs_jentry_free(e);
	}
	if (json)
		g_string_append_printf(out, "{\"type\":\"summary\",\"count\":%u}\n", n);
	else
		g_string_append_printf(out, "%u message(s) in quarantine\n", n);
	rc = 0;
out:
	g_string_free(log, TRUE);
	g_ptr_array_free(ids, TRUE);
	return rc;
}

int qs_quarantine_show(struct qs_db *db, const char *qdir, const char *id, GString *out,
		       bool json, GError **err)
{
	GString *log = g_string_new(NULL);
	struct qs_jentry *e = NULL;
	char *uuid = NULL;
	guint i;
	int rc = -1, qfd;

	if (qs_quarantine_reconcile(db, qdir, log, err) < 0 || (uuid = qs_quarantine_resolve(db, id, err)) == NULL ||
	    qs_journal_get(db, uuid, &e, err) != 0)
		goto out;
	report_log(out, log, json);
	if (json) {
		qs_quarantine_entry_json(out, e);
		rc = 0;
		goto out;
	}
	entry_line(out, e);
	g_string_append_printf(out, "  queue root: %s\n  reasons: %s\n  origin IP: %s  AUTH user: %s\n",
			       e->queue_root, e->reasons ? e->reasons : "",
			       e->origin_ip ? e->origin_ip : "-", e->auth_user ? e->auth_user : "-");
	if (e->note)
		g_string_append_printf(out, "  note: %s\n", e->note);
	qfd = open(qdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < e->jfiles->len; i++) {
		const struct qs_jfile *f = g_ptr_array_index(e->jfiles, i);
		struct stat st;
		char *p = qfd >= 0 ? qs_store_find(qfd, e->uuid, f->path, &st) : NULL;
		char *fp = qs_printable(f->path);

		if (p) {
			char *sp = g_build_filename(qdir, p, NULL), *pp = qs_printable(sp);
			g_string_append_printf(out, "  %s  (%lld bytes, mode %04o, uid %u)\n    store: %s\n",
					       fp, (long long)st.st_size, (unsigned)(st.st_mode & 07777),
					       (unsigned)st.st_uid, pp);
			g_free(sp);
			g_free(pp);
		} else {
			g_string_append_printf(out, "  %s  (not in the store)\n", fp);
		}
		g_free(p);
		g_free(fp);
	}
	if (qfd >= 0)
		close(qfd);
	rc = 0;
out:
	qs_jentry_free(e);
	g_free(uuid);
	g_string_free(log, TRUE);
	return rc;
}
