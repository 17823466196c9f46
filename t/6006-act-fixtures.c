/* 6006-act-fixtures.c - the real Postfix 3.7.11 and notqmail 1.08 queues
 * of shared/fixtures: quarantine every message (all its files), check
 * the queue holds none of them, restore them all, and compare the tree
 * with the original: names, bytes, modes, owners, mtimes, link counts
 * (qmail's todo/intd hard links). */
#include "config.h"
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "act.h"
#include "db.h"
#include "parser.h"
#include "quarantine.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"

static char *listing(const char *root)
{
	char *cmd = g_strdup_printf("cd '%s' && find . -type f -printf '%%P %%m %%U %%G %%T@ %%s %%n ' "
				    "-exec md5sum {} \\; | sort", root);
	char *argv[] = { (char *)"sh", (char *)"-c", cmd, NULL };
	char *out = NULL;

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, NULL))
		bail("cannot list %s", root);
	g_free(cmd);
	return out;
}

static bool all_gone(const char *root, GPtrArray *v)
{
	guint i, k;

	for (i = 0; i < v->len; i++) {
		struct qs_msg *m = g_ptr_array_index(v, i);
		for (k = 0; k < m->files->len; k++)
			if (su_exists(root, g_ptr_array_index(m->files, k))) {
				diag("still in the queue: %s", (char *)g_ptr_array_index(m->files, k));
				return false;
			}
	}
	return true;
}

static void add_glob(struct qs_msg *m, const char *root, const char *pattern)
{
	char *pat = g_build_filename(root, pattern, NULL);
	glob_t g;
	size_t i;

	if (glob(pat, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			qs_msg_add_file(m, g.gl_pathv[i] + strlen(root) + 1);
		globfree(&g);
	}
	g_free(pat);
}

/* messages of the queue: one per content file matching `content` */
static GPtrArray *messages(const char *root, const char *format, const char *content,
			   const char *const *satellites)
{
	GPtrArray *v = g_ptr_array_new();
	char *pat = g_build_filename(root, content, NULL);
	glob_t g;
	size_t i, k;

	if (glob(pat, 0, NULL, &g) != 0)
		bail("no messages in %s", pat);
	for (i = 0; i < g.gl_pathc; i++) {
		struct qs_msg *m = qs_msg_new();
		const char *rel = g.gl_pathv[i] + strlen(root) + 1;
		m->format = format;
		m->id = g_path_get_basename(rel);
		m->path = g_strdup(rel);
		m->queue = g_strndup(rel, strcspn(rel, "/"));
		qs_msg_add_file(m, rel);
		for (k = 0; satellites[k]; k++) {
			char *s = g_strconcat(satellites[k], m->id, NULL);
			add_glob(m, root, s);
			g_free(s);
		}
		g_ptr_array_add(v, m);
	}
	globfree(&g);
	g_free(pat);
	return v;
}

static void round_trip(const char *name, const char *tarball, const char *sub, const char *format,
		       const struct qs_parser *p, const char *content, const char *const *sats)
{
	char *dir = tu_tmpdir(), *tar = tu_shared(tarball);
	char *root = g_build_filename(dir, "x", sub, NULL);
	char *qdir = g_build_filename(dir, "quarantine", NULL);
	char *dbpath = g_build_filename(dir, "qscan.db", NULL);
	char *before, *after = NULL;
	GPtrArray *v, *ids = g_ptr_array_new_with_free_func(g_free);
	struct su_result *r;
	struct qs_db *db;
	GError *err = NULL;
	GString *out = g_string_new(NULL);
	guint i, q = 0, files = 0;

	if (tar == NULL) {
		skip("%s: %s not found", name, tarball);
		skip("%s", name);
		skip("%s", name);
		return;
	}
	tu_sh("mkdir -p '%s/x' && tar --numeric-owner -xpf '%s' -C '%s/x'", dir, tar, dir);
	before = listing(root);
	{
		char **lines = g_strsplit(before, "\n", -1);
		diag("%s: %u files before", name, g_strv_length(lines) - 1);
		g_strfreev(lines);
	}
	v = messages(root, format, content, sats);
	r = g_new0(struct su_result, v->len);
	db = qs_db_open(dbpath, true, &err);
	if (db == NULL)
		bail("db: %s", err->message);
	su_act(p, root, qdir, db, QS_ACTION_QUARANTINE, (struct qs_msg **)v->pdata, (int)v->len, r);
	for (i = 0; i < v->len; i++) {
		struct qs_msg *m = g_ptr_array_index(v, i);
		char *u = su_uuid_of(dbpath, m->id, "quarantined");
		q += g_strcmp0(r[i].action, "quarantined") == 0;
		files += m->files->len;
		if (r[i].error)
			diag("%s: %s", m->id, r[i].error);
		if (u)
			g_ptr_array_add(ids, u);
	}
	ok(q == v->len && ids->len == v->len, "%s: all %u messages (%u files) quarantined", name, v->len, files);
	ok(all_gone(root, v), "%s: none of their files is left in the queue", name);
	g_ptr_array_add(ids, NULL);
	ok(strchr(before, '\n') != NULL && strstr(before, " 1 ") != NULL &&
	   qs_quarantine_restore(db, qdir, (const char *const *)ids->pdata, out, false, &err) == 0 &&
	   strcmp((after = listing(root)), before) == 0,
	   "%s: restored tree identical (names, bytes, modes, owners, mtimes, links)", name);
	if (err)
		diag("%s", err->message);
	g_clear_error(&err);
	qs_db_close(&db);
	g_free(r);
	g_free(before);
	g_free(after);
	g_string_free(out, TRUE);
	g_ptr_array_free(ids, TRUE);
	for (i = 0; i < v->len; i++) {
		struct qs_msg *m = g_ptr_array_index(v, i);
		qs_msg_free(&m);
	}
	g_ptr_array_free(v, TRUE);
	g_free(root); g_free(qdir); g_free(dbpath); g_free(tar); g_free(dir);
}

int main(void)
{
	static const char *const pf_sats[] = { "defer/*/", "bounce/", "trace/", NULL };
	static const char *const qm_sats[] = { "info/*/", "local/*/", "remote/*/",
					       "bounce/", "todo/", "intd/", NULL };

	round_trip("postfix deferred", "fixtures/postfix-3.7.11-queue-final.tar", "", "postfix",
		   &qs_parser_postfix, "deferred/*/*", pf_sats);
	round_trip("postfix hold+maildrop", "fixtures/postfix-3.7.11-queue-final.tar", "", "postfix",
		   &qs_parser_postfix, "[hm][oa][li][dl]*/*", pf_sats);
	round_trip("notqmail final", "fixtures/notqmail-1.08-queue-final.tar", "queue", "qmail",
		   &qs_parser_qmail, "mess/*/*", qm_sats);
	round_trip("notqmail todo", "fixtures/notqmail-1.08-queue-S4-todo.tar", "queue", "qmail",
		   &qs_parser_qmail, "mess/*/*", qm_sats);
	tu_cleanup();
	return done_testing();
}
