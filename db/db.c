/*
 * db.c - opening the database: create its directory, check that it is
 * an SQLite file we can use (and write, when asked), WAL mode, busy
 * timeout, schema creation and migration by PRAGMA user_version, and
 * the batch transaction shared by every writer in db/.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "db-int.h"
#include "util.h"

const char qs_db_schema_sql[] =
#include "db/schema-sql.h"
	;

/* migrations[v] takes a database from user_version v to v + 1 */
static const char *const migrations[QS_DB_VERSION] = {
	qs_db_schema_sql,	/* 0 -> 1: empty (new) file */
};

#define BUSY_MS_DEFAULT 5000

static int busy_ms(void)
{
	const char *e = getenv("QSCAN_DB_BUSY_TIMEOUT_MS");	/* tests */
	guint64 v;

	if (e && qs_parse_uint(e, 0, 600000, &v))
		return (int)v;
	return BUSY_MS_DEFAULT;
}

static bool dir_writable(const char *path)
{
	char *dir = g_path_get_dirname(path);
	bool w = access(dir, W_OK) == 0;

	g_free(dir);
	return w;
}

/* explain an SQLite result code as what happened and what to do */
static void explain(GError **err, const char *path, int rc, const char *what, const char *msg)
{
	int prim = rc & 0xff;
	const char *todo;

	switch (prim) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		todo = "another process (qscan, or a reader holding a write lock) is using it; "
		       "wait for it to finish or find it with `fuser`";
		g_set_error(err, QS_ERROR, 0, "database %s is locked (%s, waited %d ms): %s",
			    path, what, busy_ms(), todo);
		return;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		todo = dir_writable(path) ? "check the permissions of the file (qscan needs to "
			"write it and its -wal/-shm companions), or give another path with --db" :
			"its directory is not writable (read-only file system or permissions; "
			"qscan needs to write the file and its -wal/-shm companions): check the "
			"permissions or give another path with --db";
		break;
	case SQLITE_NOTADB:
		todo = "it is not an SQLite database: give the right path with --db, or move the file away";
		break;
	case SQLITE_CORRUPT:
		todo = "the database is damaged: move it away (qscan creates a new one) and try "
		       "`sqlite3 FILE .recover` on the copy";
		break;
	case SQLITE_FULL:
		todo = "the file system is full: free some space";
		break;
	default:
		todo = "see the SQLite message";
	}
	g_set_error(err, QS_ERROR, 0, "database %s: %s: %s: %s", path, what, msg, todo);
}

int qs_db_fail(struct qs_db *db, GError **err, const char *what)
{
	explain(err, db->path, sqlite3_extended_errcode(db->h), what, sqlite3_errmsg(db->h));
	return -1;
}

static int exec(struct qs_db *db, const char *sql, const char *what, GError **err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		explain(err, db->path, rc, what, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int user_version(struct qs_db *db, int *v, GError **err)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &s, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return qs_db_fail(db, err, "reading the schema version");
	return 0;
}

/* bring the schema to QS_DB_VERSION inside one immediate transaction;
 * this also proves that we can write (locked/read-only show up here) */
static int migrate(struct qs_db *db, GError **err)
{
	int v;
	char *sql;

	if (exec(db, "BEGIN IMMEDIATE", "starting a write transaction", err) < 0)
		return -1;
	if (user_version(db, &v, err) < 0)
		goto fail;
	if (v > QS_DB_VERSION) {
		g_set_error(err, QS_ERROR, 0, "database %s has schema version %d, newer than this "
			    "qscan understands (%d): use a newer qscan or another --db", db->path, v,
			    QS_DB_VERSION);
		goto fail;
	}
	for (; v < QS_DB_VERSION; v++)
		if (exec(db, migrations[v], "creating/migrating the schema", err) < 0)
			goto fail;
	sql = g_strdup_printf("PRAGMA user_version = %d", QS_DB_VERSION);
	v = exec(db, sql, "writing the schema version", err);
	g_free(sql);
	if (v < 0 || exec(db, "COMMIT", "committing the schema", err) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int check_readable(struct qs_db *db, GError **err)
{
	int v;

	if (user_version(db, &v, err) < 0)
		return -1;
	if (v != QS_DB_VERSION) {
		g_set_error(err, QS_ERROR, 0, "database %s has schema version %d, this qscan reads "
			    "version %d: run a scan (which migrates it) or use the matching qscan",
			    db->path, v, QS_DB_VERSION);
		return -1;
	}
	/* reading the schema catches most damage early */
	return exec(db, "SELECT count(*) FROM sqlite_master", "reading the schema", err);
}

/* a WAL database in a directory nobody can write (read-only media, a
 * backup) cannot create its -shm file: read it as immutable, which is
 * true there since no one can change it either */
static int open_readonly(struct qs_db *db, GError **err)
{
	char *uri, *esc;
	int rc;

	if (check_readable(db, NULL) == 0)
		return 0;
	if (dir_writable(db->path))
		return check_readable(db, err);
	sqlite3_close(db->h);
	esc = g_uri_escape_string(db->path, "/", FALSE);
	uri = g_strdup_printf("file:%s?immutable=1", esc);
	g_free(esc);
	rc = sqlite3_open_v2(uri, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	g_free(uri);
	if (rc != SQLITE_OK)
		return qs_db_fail(db, err, "opening");
	sqlite3_extended_result_codes(db->h, 1);
	return check_readable(db, err);
}

static int make_parent(const char *path, GError **err)
{
	char *dir = g_path_get_dirname(path);
	int rc = 0;

	if (g_mkdir_with_parents(dir, 0750) < 0) {
		int e = errno;
		g_set_error(err, QS_ERROR, e, "cannot create the database directory %s: %s; "
			    "create it or give another path with --db", dir, g_strerror(e));
		rc = -1;
	}
	g_free(dir);
	return rc;
}

/* no global memory statistics: SQLite otherwise takes a process-wide
 * mutex around every allocation, several dozen per recorded message
 * (sqlite3_config must precede the first open; later calls are refused
 * and harmless) */
static void db_config_once(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		g_once_init_leave(&once, 1);
	}
}

static int db_connect(struct qs_db *db, GError **err)
{
	int flags = SQLITE_OPEN_NOMUTEX | (db->writable ?
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
	int rc;

	if (!db->writable && access(db->path, F_OK) < 0) {
		g_set_error(err, QS_ERROR, ENOENT, "database %s does not exist yet: run a scan "
			    "without --dry-run first, or give the right path with --db", db->path);
		return -1;
	}
	if (db->writable && make_parent(db->path, err) < 0)
		return -1;
	db_config_once();
	rc = sqlite3_open_v2(db->path, &db->h, flags, NULL);
	if (rc != SQLITE_OK)
		return qs_db_fail(db, err, "opening");
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, busy_ms());
	if (!db->writable)
		return open_readonly(db, err);
	/* WAL: readers (stats, reports) never block the writer. FULL sync:
	 * the quarantine journal must be on disk before files move. */
	if (exec(db, "PRAGMA journal_mode = WAL", "switching to WAL mode", err) < 0 ||
	    exec(db, "PRAGMA synchronous = FULL", "setting synchronous", err) < 0 ||
	    exec(db, "PRAGMA foreign_keys = OFF", "setting foreign_keys", err) < 0)
		return -1;
	return migrate(db, err);
}

struct qs_db *qs_db_open(const char *path, bool writable, GError **err)
{
	struct qs_db *db = g_new0(struct qs_db, 1);

	db->path = g_strdup(path);
	db->writable = writable;
	if (db_connect(db, err) < 0) {
		qs_db_close(&db);
		return NULL;
	}
	return db;
}

void qs_db_close(struct qs_db **dbp)
{
	struct qs_db *db = *dbp;
	int i;

	if (db == NULL)
		return;
	if (db->in_tx && db->h)
		qs_db_commit(db, NULL);
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(db->st[i]);
	if (db->h)
		sqlite3_close(db->h);
	g_free(db->path);
	g_free(db->run_root);
	g_free(db->scan_day);
	g_free(db);
	*dbp = NULL;
}

const char *qs_db_path(const struct qs_db *db)
{
	return db->path;
}

bool qs_db_writable(const struct qs_db *db)
{
	return db && db->writable;
}

gint64 qs_db_current_run(const struct qs_db *db)
{
	return db ? db->run_id : 0;
}

int qs_db_write_begin(struct qs_db *db, GError **err)
{
	if (!db->writable) {
		g_set_error(err, QS_ERROR, 0, "database %s was opened read-only", db->path);
		return -1;
	}
	if (db->in_tx)
		return 0;
	if (exec(db, "BEGIN IMMEDIATE", "starting a write transaction", err) < 0)
		return -1;
	db->in_tx = true;
	db->pending = 0;
	return 0;
}

int qs_db_write_done(struct qs_db *db, GError **err)
{
	if (++db->pending >= QS_DB_BATCH && !db->in_savepoint)
		return qs_db_commit(db, err);
	return 0;
}

int qs_db_commit(struct qs_db *db, GError **err)
{
	if (!db->in_tx)
		return 0;
	if (exec(db, "COMMIT", "committing", err) < 0) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		db->in_tx = false;
		db->in_savepoint = false;
		return -1;
	}
	db->in_tx = false;
	db->in_savepoint = false;
	db->pending = 0;
	return 0;
}

void qs_db_rollback(struct qs_db *db)
{
	if (db->in_tx)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = false;
	db->in_savepoint = false;
	db->pending = 0;
}

int qs_db_savepoint(struct qs_db *db, GError **err)
{
	if (qs_db_write_begin(db, err) < 0 ||
	    exec(db, "SAVEPOINT qs_group", "starting a savepoint", err) < 0)
		return -1;
	db->in_savepoint = true;
	return 0;
}

int qs_db_release(struct qs_db *db, GError **err)
{
	db->in_savepoint = false;
	return exec(db, "RELEASE qs_group", "releasing a savepoint", err);
}

void qs_db_rollback_to(struct qs_db *db)
{
	if (db->in_savepoint)
		sqlite3_exec(db->h, "ROLLBACK TO qs_group; RELEASE qs_group", NULL, NULL, NULL);
	db->in_savepoint = false;
}

static const char *const sql[ST__COUNT] = {
	[ST_RUN_BEGIN] = "INSERT INTO runs(started, queue_root, format, action, options) "
			 "VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_RUN_END] = "UPDATE runs SET finished = ?2, scanned = ?3, relay = ?4, legit = ?5, "
		       "unsure = ?6, errors = ?7, acted = ?8, elapsed_s = ?9 WHERE id = ?1",
	[ST_MSG_INSERT] = "INSERT INTO messages(run_id, queue_id, queue, arrival, day, verdict, "
			  "reasons, origin_ip, client_ip, auth_user, sender, sender_domain, "
			  "rcpt_count, rcpt_domain, subject, action, quarantine) VALUES "
			  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
			  "coalesce(?17, CASE WHEN ?16 = 'quarantined' THEN (SELECT uuid FROM quarantine "
			  "WHERE run_id = ?1 AND queue_id = ?2 AND +state = 'quarantined' "
			  "ORDER BY created DESC LIMIT 1) END))",
	[ST_COUNTED] = "INSERT OR IGNORE INTO counted(queue_root, queue_id, arrival) VALUES (?1, ?2, ?3)",
	[ST_IPCOUNT] = "INSERT INTO ip_counts(day, ip, verdict, count) VALUES (?1, ?2, ?3, 1) "
		       "ON CONFLICT(day, ip, verdict) DO UPDATE SET count = count + 1",
	[ST_Q_INSERT] = "INSERT INTO quarantine(uuid, state, created, run_id, queue_root, format, "
			"queue_id, queue, sender, recipients, origin_ip, auth_user, reasons, subject, "
			"files, updated, note, method) VALUES "
			"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?3, ?16, ?17)",
	[ST_D_INSERT] = "INSERT INTO deletions(uuid, state, created, run_id, queue_root, format, "
			"queue_id, files, method) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_JF_INSERT] = "INSERT INTO journal_files(uuid, seq, path, src, dev, ino, btime) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_Q_STATE] = "UPDATE quarantine SET state = ?2, updated = ?3, note = coalesce(?4, note) "
		       "WHERE uuid = ?1",
	[ST_D_STATE] = "UPDATE deletions SET state = ?2 WHERE uuid = ?1",
	[ST_Q_GET] = "SELECT uuid, state, created, run_id, queue_root, format, queue_id, queue, "
		     "sender, recipients, origin_ip, auth_user, reasons, subject, files, updated, note, "
		     "method "
		     "FROM quarantine WHERE uuid = ?1",
	[ST_JF_PRUNE] = "DELETE FROM journal_files WHERE uuid = ?1",
	[ST_JF_GET] = "SELECT path, src, dev, ino, btime FROM journal_files WHERE uuid = ?1 ORDER BY seq",
	[ST_Q_PENDING] = "SELECT uuid FROM quarantine WHERE state IN ('moving', 'restoring') "
			 "ORDER BY created, uuid",
	[ST_D_PENDING] = "SELECT uuid, queue_root, format, queue_id, method FROM deletions "
			 "WHERE state = 'deleting' ORDER BY created, uuid",
	[ST_Q_LIST] = "SELECT uuid FROM quarantine WHERE (?1 IS NULL OR state = ?1) "
		      "ORDER BY created, uuid",
	[ST_Q_OLDER] = "SELECT uuid FROM quarantine WHERE state = 'quarantined' AND created < ?1 "
		       "ORDER BY created, uuid",
};

sqlite3_stmt *qs_db_stmt(struct qs_db *db, enum qs_stmt id, GError **err)
{
	sqlite3_stmt *s = db->st[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(db->h, sql[id], -1, SQLITE_PREPARE_PERSISTENT,
				       &db->st[id], NULL) != SQLITE_OK) {
			qs_db_fail(db, err, "preparing a query");
			return NULL;
		}
		return db->st[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

int qs_db_step_done(struct qs_db *db, sqlite3_stmt *s, const char *what, GError **err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		explain(err, db->path, rc, what, sqlite3_errmsg(db->h));
		return -1;
	}
	return 0;
}

/* SQLITE_STATIC: every caller binds strings that outlive the step
 * (qs_db_step_done resets right after it, and qs_db_stmt clears the
 * bindings before the next use); SQLITE_TRANSIENT copied each value
 * into a fresh allocation, about 40 per quarantined message */
void qs_db_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}
