/* 6008-act-store-layout.c - the flat quarantine store: names are
 * injective (escaped '%' '/' '#', hashed when long), files with such
 * names go in and come back byte-identical, and stores written by
 * earlier builds (<qdir>/<uuid>/<relpath>) still restore, reconcile
 * and expire. */
#include "config.h"
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "act-int.h"
#include "db.h"
#include "parser.h"
#include "quarantine.h"
#include "storeutil.h"
#include "tap.h"
#include "testutil.h"

#define U1 "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"

static char *dir, *root, *realroot, *qdir, *dbpath;
static struct qs_db *db;

static void test_names(void)
{
	char *a = qs_store_name(U1, "deferred/A/AB12345");
	char *b = qs_store_name(U1, "deferred%2FA/AB12345");
	char *c = qs_store_name(U1, "x%y#z");
	char *longp = g_strnfill(300, 'L'), *long2 = g_strdup(longp);
	char *l1, *l2, *h;

	long2[299] = 'M';
	l1 = qs_store_name(U1, longp);
	l2 = qs_store_name(U1, long2);
	is_str(a, "0f/" U1 ".deferred%2FA%2FAB12345", "one bucket level, '/' escaped");
	is_str(b, "0f/" U1 ".deferred%252FA%2FAB12345", "'%%' escaped, so a literal %%2F differs");
	is_str(c, "0f/" U1 ".x%25y%23z", "'#' escaped too");
	h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, longp, -1);
	h[32] = '\0';
	ok(g_str_has_prefix(l1, "0f/" U1 ".#") && strcmp(l1 + 3 + 36 + 2, h) == 0,
	   "a long path becomes <uuid>.#<32 hex of its SHA-256> (%s)", l1);
	ok(strlen(l1) - 3 <= 200 && strcmp(l1, l2) != 0, "short, and two long paths differ");
	g_free(a); g_free(b); g_free(c); g_free(longp); g_free(long2); g_free(l1); g_free(l2);
	g_free(h);
}

/* new uuids are version 7: time-ordered (so the database keys are
 * appended), unique, and bucketed by their random last two digits */
static void test_uuid_v7(void)
{
	char *prev = NULL, *n, hex[13];
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *buckets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	int bad = 0, unordered = 0, i;
	guint64 before = (guint64)(g_get_real_time() / 1000), ms;

	for (i = 0; i < 4000; i++) {
		char *u = qs_move_uuid();
		if (strlen(u) != 36 || u[14] != '7' || !strchr("89ab", u[19]))
			bad++;
		if (prev && strcmp(prev, u) > 0 && strncmp(prev, u, 13) != 0)
			unordered++;	/* only within one millisecond may they be unordered */
		n = qs_store_name(u, "x");
		g_hash_table_add(buckets, g_strndup(n, 3));
		if (strncmp(n, u + 34, 2) != 0 || n[2] != '/')
			bad++;
		g_free(n);
		if (!g_hash_table_add(seen, g_strdup(u)))
			bad++;
		g_free(prev);
		prev = u;
	}
	memcpy(hex, prev, 8);
	memcpy(hex + 8, prev + 9, 4);
	hex[12] = '\0';
	ms = g_ascii_strtoull(hex, NULL, 16);
	ok(bad == 0, "4000 uuids: version 7, RFC variant, unique, bucket = last two digits");
	ok(unordered == 0, "they sort in creation order");
	ok(ms >= before && ms <= (guint64)(g_get_real_time() / 1000),
	   "their first 48 bits are the Unix time in milliseconds");
	ok(g_hash_table_size(buckets) > 200, "spread over the 256 buckets (%u used)",
	   g_hash_table_size(buckets));
	n = qs_store_name(U1, "x");
	ok(g_str_has_prefix(n, "0f/"), "a version 4 uuid (earlier builds) keeps its first-two bucket");
	g_free(n);
	g_free(prev);
	g_hash_table_destroy(seen);
	g_hash_table_destroy(buckets);
}

/* a MDaemon-like message whose names need escaping and hashing */
static void test_odd_names(void)
{
	char *n220 = g_strnfill(220, 'n');
	char *longname = g_strdup_printf("Remote/sub/%s.rte", n220);
	struct su_file f[] = {
		{ "Remote/sub/a%2Fb#c.msg", "X-MDaemon-Deliver-To: v@example.com\n\nspam\n", 0644, 7, 8,
		  1795356600 },
		{ longname, "[RemoteRcpts]\nRcpt0=victim@example.com\n", 0640, 9, 10, 1795356601 },
		{ "Remote/sub%2Fa/b#c.msg", "a different file\n", 0600, 0, 0, 1795356602 },
	};
	struct qs_msg *m = qs_msg_new();
	struct su_result r = { 0 };
	const char *ids[2] = { NULL, NULL };
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	char *ref = g_build_filename(dir, "ref-odd", NULL), *uuid;
	guint i;
	bool same = true;

	m->format = "mdaemon";
	m->queue = g_strdup("Remote");
	m->id = g_strdup("odd");
	m->sender = g_strdup("spam@example.net");
	qs_msg_add_rcpt(m, "victim@example.com", 18, false);
	for (i = 0; i < G_N_ELEMENTS(f); i++) {
		su_file(root, &f[i]);
		qs_msg_add_file(m, f[i].rel);
	}
	m->path = g_strdup(f[0].rel);
	m->mtime = f[0].mtime;
	tu_sh("rm -rf '%s' && cp -a '%s' '%s'", ref, root, ref);
	su_act(&qs_parser_mdaemon, root, qdir, db, QS_ACTION_QUARANTINE, &m, 1, &r);
	is_str(r.action, "quarantined", "odd names: quarantined (%s)", r.error ? r.error : "");
	uuid = su_uuid_of(dbpath, "odd", "quarantined");
	for (i = 0; uuid && i < G_N_ELEMENTS(f); i++) {
		char *a = su_stored(qdir, uuid, f[i].rel), *b = g_build_filename(ref, f[i].rel, NULL);
		same &= su_same_meta(a, b);
		g_free(a);
		g_free(b);
	}
	ok(uuid && same && su_store_count(qdir, uuid) == 3,
	   "odd names: three distinct store files, byte-identical with metadata");
	ids[0] = uuid;
	ok(uuid && qs_quarantine_restore(db, qdir, ids, out, false, &err) == 0,
	   "odd names: restored (%s)", err ? err->message : "");
	same = true;
	for (i = 0; i < G_N_ELEMENTS(f); i++) {
		char *a = g_build_filename(root, f[i].rel, NULL), *b = g_build_filename(ref, f[i].rel, NULL);
		same &= su_same_meta(a, b);
		g_free(a);
		g_free(b);
	}
	ok(same && uuid && su_store_count(qdir, uuid) == 0,
	   "odd names: back under their own names, store files gone");
	g_clear_error(&err);
	for (i = 0; i < G_N_ELEMENTS(f); i++) {
		char *p = g_build_filename(root, f[i].rel, NULL);
		unlink(p);
		g_free(p);
	}
	g_string_free(out, TRUE);
	g_free(uuid);
	g_free(ref);
	g_free(longname);
	g_free(n220);
	qs_msg_free(&m);
}

/* a row as an earlier build wrote it; files listed as (rel, in_store) */
static void legacy_row(const char *uuid, const char *id, const char *state, gint64 created,
		       const char *const *rels, const bool *in_store, int n)
{
	struct qs_jentry *e = qs_jentry_new();
	GError *err = NULL;
	int i;

	e->uuid = g_strdup(uuid);
	e->state = g_strdup(state);
	e->created = created;
	e->queue_root = g_strdup(realroot);
	e->format = g_strdup("mdaemon");
	e->queue_id = g_strdup(id);
	e->queue = g_strdup("Remote");
	e->sender = g_strdup("spam@example.net");
	e->method = g_strdup("move");
	for (i = 0; i < n; i++) {
		char *q = g_build_filename(root, rels[i], NULL);
		struct stat st;
		if (in_store[i]) {
			char *s = g_build_filename(uuid, rels[i], NULL);
			tu_write(qdir, s, rels[i], strlen(rels[i]), 0600);
			g_free(s);
			qs_jentry_add_file(e, rels[i], NULL, 0, 0);
		} else {
			tu_write(root, rels[i], rels[i], strlen(rels[i]), 0600);
			if (lstat(q, &st) < 0)
				bail("lstat %s", q);
			qs_jentry_add_file(e, rels[i], NULL, (guint64)st.st_dev, (guint64)st.st_ino);
		}
		g_free(q);
	}
	qs_jentry_set_files_json(e);
	if (qs_journal_add(db, e, &err) < 0 || qs_db_commit(db, &err) < 0)
		bail("journal: %s", err->message);
	qs_jentry_free(e);
}

static bool queue_has(const char *const *rels, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!su_has(root, rels[i], rels[i]))
			return false;
	return true;
}

static void test_legacy(void)
{
	static const char *const rels[] = { "Remote/L1.msg", "Remote/L1.rte" };
	static const char *const rels2[] = { "Remote/L2.msg", "Remote/L2.rte" };
	static const char *const rels3[] = { "Remote/L3.msg", "Remote/L3.rte" };
	static const bool both[] = { true, true }, first[] = { true, false };
	const char *u1 = "a1b2c3d4-0000-4000-8000-000000000001";
	const char *u2 = "a1b2c3d4-0000-4000-8000-000000000002";
	const char *u3 = "a1b2c3d4-0000-4000-8000-000000000003";
	const char *ids[2] = { NULL, NULL };
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	char *flat;

	/* a quarantined message in the old layout: shown, restored */
	legacy_row(u1, "L1", "quarantined", (gint64)time(NULL), rels, both, 2);
	ok(qs_quarantine_show(db, qdir, u1, out, false, &err) == 0 && strstr(out->str, u1) &&
	   strstr(out->str, "Remote/L1.rte") && !strstr(out->str, "not in the store"),
	   "legacy: show finds the files under <uuid>/");
	ids[0] = u1;
	g_string_truncate(out, 0);
	ok(qs_quarantine_restore(db, qdir, ids, out, false, &err) == 0 && queue_has(rels, 2),
	   "legacy: restored into the queue (%s)", err ? err->message : "");
	ok(su_store_count(qdir, u1) == 0, "legacy: its <uuid>/ directory is gone");
	g_clear_error(&err);

	/* an old-layout quarantine killed half-way: the .msg went into
	 * <uuid>/, the .rte is still queued; the reconciler finishes it */
	legacy_row(u2, "L2", "moving", (gint64)time(NULL), rels2, first, 2);
	g_string_truncate(out, 0);
	ok(qs_quarantine_reconcile(db, qdir, out, &err) == 0 &&
	   su_q(dbpath, "SELECT count(*) FROM quarantine WHERE uuid = 'a1b2c3d4-0000-4000-8000-"
		"000000000002' AND state = 'quarantined'") == 1,
	   "legacy moving row: reconciled to quarantined (%s)", out->str);
	flat = qs_store_name(u2, "Remote/L2.rte");
	ok(su_has(qdir, "a1b2c3d4-0000-4000-8000-000000000002/Remote/L2.msg", "Remote/L2.msg") &&
	   su_has(qdir, flat, "Remote/L2.rte") && !su_exists(root, "Remote/L2.rte"),
	   "legacy moving row: the rest moved to the flat name, the old file kept");
	ids[0] = u2;
	g_string_truncate(out, 0);
	ok(qs_quarantine_restore(db, qdir, ids, out, false, &err) == 0 && queue_has(rels2, 2) &&
	   su_store_count(qdir, u2) == 0, "legacy + flat: restored from both layouts, store empty (%s)",
	   err ? err->message : "");
	g_clear_error(&err);
	g_free(flat);

	/* an old-layout message past its time: expired, directory removed */
	legacy_row(u3, "L3", "quarantined", (gint64)time(NULL) - 10 * 86400, rels3, both, 2);
	g_string_truncate(out, 0);
	ok(qs_quarantine_expire(db, qdir, 5, out, false, &err) == 0 && strstr(out->str, u3),
	   "legacy: expired (%s)", err ? err->message : out->str);
	ok(su_store_count(qdir, u3) == 0 && !su_exists(qdir, u3), "legacy: its <uuid>/ directory is gone");
	g_clear_error(&err);
	g_string_free(out, TRUE);
}

/* a move by link + unlink (rename without RENAME_NOREPLACE) killed
 * between the two: the content file has a name in the queue and one
 * in the store; the reconciler removes the queue name, keeps the file */
static void test_interrupted_link(void)
{
	static const char *const rels[] = { "Remote/L4.msg", "Remote/L4.rte" };
	static const bool queued[] = { false, false };
	const char *u = "01a2b3c4-d5e6-7f00-8000-0000000000a4";
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	char *flat = qs_store_name(u, rels[0]), *q, *sdir, *sp;
	struct stat st;

	legacy_row(u, "L4", "moving", (gint64)time(NULL), rels, queued, 2);
	q = g_build_filename(root, rels[0], NULL);
	sp = g_build_filename(qdir, flat, NULL);
	sdir = g_path_get_dirname(sp);
	g_mkdir_with_parents(sdir, 0700);
	if (link(q, sp) < 0)
		bail("link %s %s", q, sp);
	ok(qs_quarantine_reconcile(db, qdir, out, &err) == 0 &&
	   su_q(dbpath, "SELECT count(*) FROM quarantine WHERE uuid = "
		"'01a2b3c4-d5e6-7f00-8000-0000000000a4' AND state = 'quarantined'") == 1,
	   "link done, unlink not: reconciled to quarantined (%s)", out->str);
	ok(!su_exists(root, rels[0]) && !su_exists(root, rels[1]) &&
	   su_has(qdir, flat, rels[0]) && lstat(sp, &st) == 0 && st.st_nlink == 1,
	   "the queue name is gone, the store holds the one file (one link)");
	g_free(q); g_free(sp); g_free(sdir); g_free(flat);
	g_string_free(out, TRUE);
	g_clear_error(&err);
}

int main(void)
{
	GError *err = NULL;
	char buf[PATH_MAX];

	dir = tu_tmpdir();
	root = g_build_filename(dir, "Queues", NULL);
	qdir = g_build_filename(dir, "quarantine", NULL);
	dbpath = g_build_filename(dir, "qscan.db", NULL);
	g_mkdir_with_parents(root, 0755);
	if (realpath(root, buf) == NULL)
		bail("realpath %s", root);
	realroot = g_strdup(buf);
	db = qs_db_open(dbpath, true, &err);
	if (db == NULL)
		bail("db: %s", err->message);
	test_names();
	test_uuid_v7();
	test_odd_names();
	test_legacy();
	test_interrupted_link();
	qs_db_close(&db);
	tu_cleanup();
	g_free(dir); g_free(root); g_free(realroot); g_free(qdir); g_free(dbpath);
	return done_testing();
}
