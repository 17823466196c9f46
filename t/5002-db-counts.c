/* 5002-db-counts.c - runs, messages and per-IP per-day counts: each
 * message counted once (queue_root, queue_id, arrival), by arrival day
 * (scan day when unknown) and verdict; batched commits. */
#include "config.h"
#include <sqlite3.h>
#include <string.h>
#include <time.h>
#include "classify.h"
#include "db.h"
#include "tap.h"
#include "testutil.h"

static long long q(const char *path, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	long long r = -1;

	sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		r = sqlite3_column_int64(s, 0);
	else
		diag("query failed: %s: %s", sql, sqlite3_errmsg(h));
	sqlite3_finalize(s);
	sqlite3_close(h);
	return r;
}

static void record(struct qs_db *db, gint64 run, const char *id, gint64 arrival, const char *ip,
		   enum qs_verdict v)
{
	struct qs_msg *m = qs_msg_new();
	struct qs_judgement j;
	GError *err = NULL;

	qs_judgement_init(&j);
	m->id = g_strdup(id);
	m->queue = g_strdup("deferred");
	m->arrival = arrival;
	m->sender = g_strdup("spam@example.net");
	qs_msg_add_rcpt(m, "a@victim.example", 16, false);
	qs_msg_add_rcpt(m, "b@victim.example", 16, true);
	j.verdict = v;
	j.origin_ip = g_strdup(ip);
	g_ptr_array_add(j.reasons, g_strdup("open-relay"));
	if (qs_db_record(db, run, m, &j, "none", &err) < 0)
		bail("record: %s", err->message);
	qs_judgement_clear(&j);
	qs_msg_free(&m);
}

static gint64 begin(struct qs_db *db, const char *root)
{
	GError *err = NULL;
	gint64 run;

	if (qs_db_run_begin(db, root, "postfix", "qscan --delete /q", &run, &err) < 0)
		bail("run_begin: %s", err->message);
	return run;
}

static void end(struct qs_db *db, gint64 run, guint64 scanned)
{
	struct qs_run_totals t = { .scanned = scanned, .relay = 1, .elapsed_s = 0.5 };
	GError *err = NULL;

	if (qs_db_run_end(db, run, &t, &err) < 0)
		bail("run_end: %s", err->message);
}

int main(void)
{
	char *dir = tu_tmpdir(), *path = g_build_filename(dir, "qscan.db", NULL);
	GError *err = NULL;
	struct qs_db *db = qs_db_open(path, true, &err);
	const gint64 d1 = 1795356472;	/* 2026-11-22 (UTC) */
	const gint64 d2 = d1 + 86400;	/* 2026-11-23 */
	char *sql, today[16];
	time_t now = time(NULL);
	gint64 run;
	int i;

	if (db == NULL)
		bail("open: %s", err->message);
	run = begin(db, "/q");
	ok(run > 0, "a run id");
	is_int(q(path, "SELECT count(*) FROM runs"), 1, "the run row is visible at once");
	record(db, run, "AAA1", d1, "203.0.113.7", QS_VERDICT_RELAY);
	record(db, run, "AAA2", d1, "203.0.113.7", QS_VERDICT_RELAY);
	record(db, run, "AAA3", d1 + 60, "203.0.113.7", QS_VERDICT_UNSURE);
	record(db, run, "AAA4", d2, "203.0.113.7", QS_VERDICT_RELAY);
	record(db, run, "AAA5", d1, "2001:db8::7", QS_VERDICT_LEGIT);
	record(db, run, "AAA6", d1, NULL, QS_VERDICT_RELAY);	/* no origin: not counted */
	record(db, run, "AAA7", -1, "198.51.100.9", QS_VERDICT_RELAY);	/* scan day */
	end(db, run, 7);

	is_int(q(path, "SELECT count(*) FROM messages"), 7, "one messages row per message");
	is_int(q(path, "SELECT count FROM ip_counts WHERE day = '2026-11-22' AND ip = '203.0.113.7' "
		 "AND verdict = 'relay'"), 2, "two relays from 203.0.113.7 on 2026-11-22");
	is_int(q(path, "SELECT count FROM ip_counts WHERE day = '2026-11-22' AND ip = '203.0.113.7' "
		 "AND verdict = 'unsure'"), 1, "counted by verdict");
	is_int(q(path, "SELECT count FROM ip_counts WHERE day = '2026-11-23' AND ip = '203.0.113.7'"), 1,
	       "counted by arrival day");
	is_int(q(path, "SELECT count FROM ip_counts WHERE ip = '2001:db8::7' AND verdict = 'legit'"), 1,
	       "IPv6 and legit are counted too");
	is_int(q(path, "SELECT sum(count) FROM ip_counts"), 6, "a message without origin IP is not counted");
	strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
	sql = g_strdup_printf("SELECT count FROM ip_counts WHERE ip = '198.51.100.9' AND day = '%s'", today);
	is_int(q(path, sql), 1, "unknown arrival: counted on the scan day");
	g_free(sql);
	is_int(q(path, "SELECT rcpt_count FROM messages WHERE queue_id = 'AAA1'"), 1, "pending recipients counted");
	is_int(q(path, "SELECT count(*) FROM messages WHERE rcpt_domain = 'victim.example' AND "
		 "sender_domain = 'example.net' AND reasons = 'open-relay'"), 7, "domains and reasons stored");
	is_int(q(path, "SELECT scanned FROM runs WHERE finished IS NOT NULL"), 7, "run totals stored");
	is_int(q(path, "SELECT count(*) FROM runs WHERE action = 'delete'"), 1, "the action is taken from the options");

	/* the next run sees the same messages again: not counted twice */
	run = begin(db, "/q");
	record(db, run, "AAA1", d1, "203.0.113.7", QS_VERDICT_RELAY);
	record(db, run, "AAA4", d2, "203.0.113.7", QS_VERDICT_RELAY);
	/* a reused short ID with another arrival is a new message */
	record(db, run, "AAA2", d1 + 3600, "203.0.113.7", QS_VERDICT_RELAY);
	/* the same ID in another queue root is another message */
	end(db, run, 3);
	run = begin(db, "/other");
	record(db, run, "AAA1", d1, "203.0.113.7", QS_VERDICT_RELAY);
	end(db, run, 1);
	is_int(q(path, "SELECT count FROM ip_counts WHERE day = '2026-11-22' AND ip = '203.0.113.7' "
		 "AND verdict = 'relay'"), 4, "seen again: not recounted; reused ID or other root: counted");
	is_int(q(path, "SELECT count FROM ip_counts WHERE day = '2026-11-23'"), 1, "second day unchanged");
	is_int(q(path, "SELECT count(*) FROM messages"), 11, "but every sighting is a messages row");

	/* a large run: batched, all rows there after run_end */
	run = begin(db, "/big");
	for (i = 0; i < 5000; i++) {
		char id[16];
		g_snprintf(id, sizeof id, "B%05d", i);
		record(db, run, id, d1, "192.0.2.1", QS_VERDICT_RELAY);
	}
	ok(q(path, "SELECT count(*) FROM messages WHERE run_id = (SELECT max(id) FROM runs)") >= 2000,
	   "a long run commits in batches before its end");
	end(db, run, 5000);
	is_int(q(path, "SELECT count FROM ip_counts WHERE ip = '192.0.2.1'"), 5000, "5000 counted");
	qs_db_close(&db);
	g_free(path);
	tu_cleanup();
	g_free(dir);
	return done_testing();
}
