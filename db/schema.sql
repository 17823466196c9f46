-- qscan database schema, version 1 (PRAGMA user_version).
-- Written by db/db.c (migrations keep old files working); read by
-- `qscan stats`, `qscan blocklist`, `qscan report --html` and
-- `qscan quarantine`. Times are unix seconds (UTC); days are
-- 'YYYY-MM-DD' in UTC. A dry run writes nothing.

CREATE TABLE IF NOT EXISTS runs (
	id          INTEGER PRIMARY KEY,
	started     INTEGER NOT NULL,
	finished    INTEGER,              -- NULL while running / if killed
	queue_root  TEXT NOT NULL,        -- absolute path of QUEUE_DIR
	format      TEXT NOT NULL,        -- postfix, qmail, mdaemon, icewarp
	action      TEXT NOT NULL,        -- quarantine, delete, hold
	options     TEXT,                 -- the command line, for the record
	scanned     INTEGER NOT NULL DEFAULT 0,
	relay       INTEGER NOT NULL DEFAULT 0,
	legit       INTEGER NOT NULL DEFAULT 0,
	unsure      INTEGER NOT NULL DEFAULT 0,
	errors      INTEGER NOT NULL DEFAULT 0,
	acted       INTEGER NOT NULL DEFAULT 0,
	elapsed_s   REAL
);

-- one row per message per run
CREATE TABLE IF NOT EXISTS messages (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES runs(id),
	queue_id    TEXT NOT NULL,        -- MTA id
	queue       TEXT,                 -- sub-queue
	arrival     INTEGER,              -- unix time or NULL
	day         TEXT NOT NULL,        -- arrival day (scan day when unknown)
	verdict     TEXT NOT NULL,        -- relay, legit, unsure
	reasons     TEXT NOT NULL,        -- comma-separated POLICY.md tags
	origin_ip   TEXT,                 -- external origin IP (counted)
	client_ip   TEXT,
	auth_user   TEXT,
	sender      TEXT,
	sender_domain TEXT,
	rcpt_count  INTEGER NOT NULL DEFAULT 0,
	rcpt_domain TEXT,                 -- first pending recipient's destination
	subject     TEXT,
	action      TEXT NOT NULL,        -- none, quarantined, deleted, held, failed
	quarantine  TEXT                  -- quarantine uuid when quarantined
);
CREATE INDEX IF NOT EXISTS messages_day ON messages(day);
CREATE INDEX IF NOT EXISTS messages_origin ON messages(origin_ip, day);

-- per-IP per-day counts by verdict; a message is counted once, on the
-- first run that sees it (key: queue_root, queue_id, arrival)
CREATE TABLE IF NOT EXISTS ip_counts (
	day         TEXT NOT NULL,
	ip          TEXT NOT NULL,
	verdict     TEXT NOT NULL,
	count       INTEGER NOT NULL,
	PRIMARY KEY (day, ip, verdict)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS counted (
	queue_root  TEXT NOT NULL,
	queue_id    TEXT NOT NULL,
	arrival     INTEGER NOT NULL,
	PRIMARY KEY (queue_root, queue_id, arrival)
) WITHOUT ROWID;

-- the quarantine manifest: one row per quarantined message
CREATE TABLE IF NOT EXISTS quarantine (
	uuid        TEXT PRIMARY KEY,     -- libuuid, prefix of its file names in the store
	state       TEXT NOT NULL,        -- moving, quarantined, restoring, restored, expired
	                                  -- (also `vanished`: the MTA finished it before anything moved;
	                                  -- `failed`: nothing moved, see note)
	created     INTEGER NOT NULL,
	run_id      INTEGER,
	queue_root  TEXT NOT NULL,
	format      TEXT NOT NULL,
	queue_id    TEXT NOT NULL,
	queue       TEXT,
	sender      TEXT,
	recipients  TEXT,                 -- comma-separated pending recipients
	origin_ip   TEXT,
	auth_user   TEXT,
	reasons     TEXT,
	subject     TEXT,
	files       TEXT NOT NULL,        -- JSON array of paths relative to queue_root
	updated     INTEGER,              -- last state change (added by the store work)
	note        TEXT,                 -- why: vanished, conflict, restore hint
	method      TEXT                  -- rename, copy, postsuper, qmail-live (how it was moved)
);
CREATE INDEX IF NOT EXISTS quarantine_state ON quarantine(state, created);
CREATE INDEX IF NOT EXISTS quarantine_run ON quarantine(run_id, queue_id);

-- Added by the store work (additive; readers may ignore these).

-- the crash journal of every move, delete and restore: one row per file
-- of a message, keyed by the quarantine (or deletion) uuid. `path` is
-- the original path relative to queue_root (the store name is derived
-- from it: <quarantine_dir>/<bucket>/<uuid>.<path, escaped>, see
-- qscan/act-int.h; earlier builds used <uuid>/<path>); `src` is where the file was
-- taken from when that differs (Postfix hold/ after postsuper -h);
-- dev/ino identify the exact file seen, so a reused name is never
-- mistaken for it.
CREATE TABLE IF NOT EXISTS journal_files (
	uuid        TEXT NOT NULL,
	seq         INTEGER NOT NULL,     -- move order (MTA-safe order)
	path        TEXT NOT NULL,
	src         TEXT,                 -- NULL = path
	dev         INTEGER,
	ino         INTEGER,
	btime       INTEGER,              -- birth time (ns) where the file system has one:
	                                  -- a reused inode (qmail number, Postfix ID) differs
	PRIMARY KEY (uuid, seq)
) WITHOUT ROWID;

-- deletions for good, journalled like quarantine moves so that an
-- interrupted delete is completed: state deleting, deleted
CREATE TABLE IF NOT EXISTS deletions (
	uuid        TEXT PRIMARY KEY,
	state       TEXT NOT NULL,
	created     INTEGER NOT NULL,
	run_id      INTEGER,
	queue_root  TEXT NOT NULL,
	format      TEXT NOT NULL,
	queue_id    TEXT NOT NULL,
	files       TEXT NOT NULL,
	method      TEXT                  -- unlink, qmail-live (recipients marked done)
);
CREATE INDEX IF NOT EXISTS deletions_state ON deletions(state);
