/* 7002-stats-store: what db/db.c writes, stats and blocklist read back:
 * two runs over the same queue count each message once */
#include <string.h>
#include "blocklist.h"
#include "classify.h"
#include "db.h"
#include "msg.h"
#include "stats.h"
#include "tap.h"
#include "testutil.h"

static void record(struct qs_db *db, gint64 run, const char *id, gint64 arrival, enum qs_verdict v,
		   const char *ip, const char *user, const char *sender)
{
	struct qs_msg *m = qs_msg_new();
	struct qs_judgement j;
	GError *err = NULL;

	qs_judgement_init(&j);
	m->id = g_strdup(id);
	m->queue = g_strdup("deferred");
	m->arrival = arrival;
	m->sender = g_strdup(sender);
	j.verdict = v;
	j.origin_ip = g_strdup(ip);
	j.auth_user = g_strdup(user);
	g_ptr_array_add(j.reasons, g_strdup(v == QS_VERDICT_RELAY ? "open-relay" : "authenticated"));
	if (qs_db_record(db, run, m, &j, "none", &err) < 0)
		bail("record %s: %s", id, err->message);
	qs_judgement_clear(&j);
	qs_msg_free(&m);
}

static void two_runs(struct qs_db *db, gint64 now)
{
	struct qs_run_totals t = { .scanned = 26, .relay = 25, .legit = 1 };
	GError *err = NULL;
	gint64 run;
	int r, i;

	for (r = 0; r < 2; r++) {
		if (qs_db_run_begin(db, "/var/spool/postfix", "postfix", "qscan --yes", &run, &err) < 0)
			bail("run begin: %s", err->message);
		for (i = 0; i < 25; i++) {
			char id[16];
			g_snprintf(id, sizeof id, "4F%02dA", i);
			record(db, run, id, now - 600 - i, QS_VERDICT_RELAY, "203.0.113.50",
			       i % 2 ? "webmaster" : NULL, "x@spam.example");
		}
		record(db, run, "5A1", now - 60, QS_VERDICT_LEGIT, "198.51.100.1", "alice", "a@example.com");
		if (qs_db_run_end(db, run, &t, &err) < 0)
			bail("run end: %s", err->message);
	}
}

int main(void)
{
	char *dir = tu_tmpdir(), *path = g_build_filename(dir, "qscan.db", NULL);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	struct qs_db *db = qs_db_open(path, true, &err);

	if (db == NULL)
		bail("qs_db_open: %s", err ? err->message : "?");
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		qs_db_close(&db);
		tu_cleanup();
		skip_all("db/db.c is the STUB in this branch (the writer comes from branch store)");
	}
	two_runs(db, now);
	qs_db_close(&db);
	is_int(qs_stats_print(path, 7, true, out, &err), 0, "stats reads what the store wrote");
	ok(strstr(out->str, "\"relay\":25,\"legit\":1,\"unsure\":0,\"total\":26,\"ips\":2,") != NULL,
	   "two runs over one queue: each message once");
	ok(strstr(out->str, "{\"type\":\"ip\",\"rank\":1,\"ip\":\"203.0.113.50\",\"relay\":25,") != NULL,
	   "per-IP count from ip_counts");
	ok(strstr(out->str, "\"auth_user\":\"webmaster\",\"relay\":12,") != NULL, "AUTH user counted");
	ok(strstr(out->str, "\"sender_domain\":\"spam.example\",\"relay\":25,") != NULL, "sender domain counted");
	ok(strstr(out->str, "\"runs\":2,") != NULL, "both runs in the window");
	if (!ok(strstr(out->str, "\"type\":\"summary\"") != NULL, "summary line"))
		diag("%s", out->str);
	g_string_truncate(out, 0);
	is_int(qs_blocklist_print(path, NULL, "plain", 0, 0, out, &err), 0, "blocklist reads it");
	is_str(out->str, "203.0.113.50\n", "25 relay messages: a block candidate (20 in 3 days)");
	g_string_free(out, TRUE);
	g_free(path);
	tu_cleanup();
	g_free(dir);
	return done_testing();
}
