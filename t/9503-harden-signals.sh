#!/bin/sh
# 9503-harden-signals: faults while qscan quarantines a Postfix queue of
# relay messages (each a queue file plus its defer logfile):
#   - SIGTERM mid-run: exit 0..3, no message half-moved or lost, no
#     journal row left `moving`, the run marked finished;
#   - kill -9 mid-quarantine, then a second run: every message in exactly
#     one place (queue or one quarantine entry), both files together;
#   - quarantine on a full 64k tmpfs: fails cleanly (exit 3), no message
#     lost or split;
#   - database locked, read-only, corrupt, in a missing directory: exit
#     2 naming the file, queue untouched;
#   - out-of-range or malformed configuration values: exit 2 naming the
#     file and the key, queue untouched.
. "$QSCAN_SRCDIR/t/lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "runs as root (mount, like the real thing)"
command -v python3 >/dev/null || skip_all "python3 needed to check the store"
pfx="$QSCAN_SHARED/fixtures/postfix-3.7.11-queue-before-delete.tar"
[ -f "$pfx" ] || skip_all "no shared fixtures at $QSCAN_SHARED"
tmp=$(mktemp -d)
mounts= bg=
cleanup() {
	[ -z "$bg" ] || kill "$bg" 2>/dev/null
	for m in $mounts; do umount -l "$m" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
T=${QSCAN_HARDEN_TIMEOUT:-120}
tar --numeric-owner -xpf "$pfx" -C "$tmp" deferred/9/4jXWF04Gfhz87nq defer/9/4jXWF04Gfhz87nq

mkqueue() {	# mkqueue DIR N: N relay messages (queue file + defer logfile)
	python3 - "$tmp" "$1" "$2" <<'PY'
import os, shutil, sys
src, q, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
qf = open(os.path.join(src, "deferred/9/4jXWF04Gfhz87nq"), "rb").read()
lf = open(os.path.join(src, "defer/9/4jXWF04Gfhz87nq"), "rb").read()
for d in ("deferred/E", "defer/E", "active", "incoming", "hold"):
    os.makedirs(os.path.join(q, d), exist_ok=True)
for i in range(n):
    name = "E%010X" % i
    open(os.path.join(q, "deferred/E", name), "wb").write(qf)
    os.chmod(os.path.join(q, "deferred/E", name), 0o700)   # Postfix: finished
    open(os.path.join(q, "defer/E", name), "wb").write(lf)
    os.chmod(os.path.join(q, "defer/E", name), 0o600)
PY
}

# places Q QDIR DB N: print "lost K", "dup K", "split K", "moving K",
# "rows_without_files K", "files_without_rows K", "integrity X"
places() {
	python3 - "$@" <<'PY'
import os, sqlite3, sys
q, qdir, db, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
where = {}
stored = {}   # uuid -> number of files in the store
# the flat store: <qdir>/<uu>/<uuid>.<relpath with % / # escaped>
def unesc(s):
    return s.replace("%2F", "/").replace("%23", "#").replace("%25", "%")
buckets = os.listdir(qdir) if os.path.isdir(qdir) else []
for b in buckets:
    for name in os.listdir(os.path.join(qdir, b)):
        u, _, esc = name.partition(".")
        rel = unesc(esc)
        stored[u] = stored.get(u, 0) + 1
        where.setdefault((os.path.dirname(rel), os.path.basename(rel)), []).append(u)
lost = dup = split = 0
for i in range(n):
    name = "E%010X" % i
    pl = []
    for rel in ("deferred/E", "defer/E"):
        here = ["queue"] if os.path.exists(os.path.join(q, rel, name)) else []
        pl.append(here + where.get((rel, name), []))
    main, log = pl
    if not main:
        lost += 1
    if len(main) > 1 or len(log) > 1:
        dup += 1
    if main != log:
        split += 1
print("lost", lost)
print("dup", dup)
print("split", split)
try:
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    print("integrity", c.execute("PRAGMA integrity_check").fetchone()[0])
    rows = c.execute("SELECT uuid, state FROM quarantine").fetchall()
    print("moving", sum(1 for r in rows if r[1] == "moving"))
    q_uuids = set(r[0] for r in rows if r[1] == "quarantined")
    with_files = set(stored)
    print("rows_without_files", len(q_uuids - with_files))
    print("files_without_rows", len(with_files - q_uuids))
    print("unfinished_runs", c.execute("SELECT count(*) FROM runs WHERE finished IS NULL").fetchone()[0])
except Exception as e:
    print("integrity", "error: %s" % e)
PY
}
fact() { sed -n "s/^$1 //p" "$2"; }
nentries() {	# nentries QDIR: quarantine entries (distinct uuids) in the flat store
	find "$1" -mindepth 2 -maxdepth 2 -type f 2>/dev/null | sed 's,.*/,,; s,\..*,,' | sort -u | wc -l
}
sums() { (cd "$1" && find . -printf '%y %p %s %T@\n' | sort; find . -type f -exec sha256sum {} + | sort); }

wait_for_entries() {	# wait_for_entries DIR PID: until DIR has an entry or PID exits (<= 20 s)
	_i=0
	while [ $_i -lt 2000 ]; do
		[ -n "$(ls -A "$1" 2>/dev/null | head -1)" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.01
		_i=$((_i + 1))
	done
	return 1
}
N=3000
QS="--quarantine --yes --json --no-progress --local-domain mail.test"

# ---- SIGTERM mid-run ----------------------------------------------------------
mkqueue "$tmp/q1" $N
mkdir -p "$tmp/qd1"
# 8 file threads move thousands of messages a second: each file
# operation is slowed to 20 ms so that the moment of the signal is
# known to within a few messages
QSCAN_TEST_TICK_USEC=20000 "$QSCAN" $QS --db "$tmp/db1" --quarantine-dir "$tmp/qd1" "$tmp/q1" > "$tmp/out1" 2> "$tmp/err1" &
pid=$!
( sleep "$T"; kill -KILL $pid 2>/dev/null ) &	# watchdog: a hang shows as 137
dog=$!
at_term=0
if wait_for_entries "$tmp/qd1" $pid; then
	sleep 0.2
	at_term=$(nentries "$tmp/qd1")
	kill -TERM $pid; mid=1
else
	mid=0
fi
wait $pid; st=$?
kill $dog 2>/dev/null; wait $dog 2>/dev/null
[ $mid = 1 ] || diag "SIGTERM: qscan finished before the first quarantine entry appeared"
ok $([ $st -le 3 ] && echo 0 || echo 1) "SIGTERM mid-quarantine: clean exit (status $st)"
places "$tmp/q1" "$tmp/qd1" "$tmp/db1" $N > "$tmp/f1"
is "$(fact lost "$tmp/f1") $(fact dup "$tmp/f1") $(fact split "$tmp/f1")" "0 0 0" \
	"SIGTERM: no message lost, duplicated or split between queue and quarantine"
is "$(fact integrity "$tmp/f1")" ok "SIGTERM: database passes integrity_check"
is "$(fact moving "$tmp/f1") $(fact rows_without_files "$tmp/f1") $(fact files_without_rows "$tmp/f1")" "0 0 0" \
	"SIGTERM: no journal row left moving; store and database agree"
is "$(fact unfinished_runs "$tmp/f1")" 0 "SIGTERM: the run is marked finished"
moved=$(nentries "$tmp/qd1")
ok $([ "$moved" -lt $N ] || [ $mid = 0 ] && echo 0 || echo 1) "SIGTERM: the run stopped early ($moved of $N moved)"
# "finishes the current message": what was judged but not yet acted on
# when the signal came stays in the queue (reported, not acted on). The
# count is taken a moment before the signal is sent, and moves go on
# meanwhile on a busy machine, so allow a few dozen; before this was
# fixed, the whole window of up to 1024 messages was acted on.
after=$((moved - at_term))
ok $([ $mid = 0 ] || [ $after -le 64 ] && echo 0 || echo 1) \
	"SIGTERM: at most the messages in hand are acted on after the signal ($after were)"

# ---- kill -9 mid-quarantine, then a second run ------------------------------
mkqueue "$tmp/q2" $N
mkdir -p "$tmp/qd2"
"$QSCAN" $QS --db "$tmp/db2" --quarantine-dir "$tmp/qd2" "$tmp/q2" > "$tmp/out2" 2> "$tmp/err2" &
pid=$!
if wait_for_entries "$tmp/qd2" $pid; then sleep 0.05; kill -KILL $pid; mid=1; else mid=0; fi
wait $pid 2>/dev/null
[ $mid = 1 ] || diag "kill -9: qscan finished before the first quarantine entry appeared"
places "$tmp/q2" "$tmp/qd2" "$tmp/db2" $N > "$tmp/f2a"
is "$(fact lost "$tmp/f2a") $(fact dup "$tmp/f2a")" "0 0" "kill -9: right after, no message lost or duplicated"
timeout -k 5 "$T" "$QSCAN" $QS --db "$tmp/db2" --quarantine-dir "$tmp/qd2" "$tmp/q2" > "$tmp/out2b" 2> "$tmp/err2b"
st=$?
ok $([ $st -le 3 ] && echo 0 || echo 1) "kill -9: the second run completes (status $st)"
places "$tmp/q2" "$tmp/qd2" "$tmp/db2" $N > "$tmp/f2"
is "$(fact lost "$tmp/f2") $(fact dup "$tmp/f2") $(fact split "$tmp/f2")" "0 0 0" \
	"kill -9 + second run: every message in exactly one place, its files together"
is "$(fact integrity "$tmp/f2")" ok "kill -9 + second run: database passes integrity_check"
is "$(fact moving "$tmp/f2") $(fact rows_without_files "$tmp/f2") $(fact files_without_rows "$tmp/f2")" "0 0 0" \
	"kill -9 + second run: journal reconciled, store and database agree"
is "$(find "$tmp/q2/deferred/E" -type f | wc -l)" 0 "kill -9 + second run: every relay message ends up quarantined"

# ---- a full file system under the quarantine -----------------------------------
mkdir -p "$tmp/small"
if mount -t tmpfs -o size=64k tmpfs "$tmp/small" 2>/dev/null; then
	mounts="$mounts $tmp/small"
	mkqueue "$tmp/q3" 200
	sums "$tmp/q3" > /dev/null
	timeout -k 5 "$T" "$QSCAN" $QS --db "$tmp/db3" --quarantine-dir "$tmp/small/qd" "$tmp/q3" > "$tmp/out3" 2> "$tmp/err3"
	st=$?
	is "$st" 3 "full quarantine file system: exit 3 (some messages could not be acted on)"
	places "$tmp/q3" "$tmp/small/qd" "$tmp/db3" 200 > "$tmp/f3"
	is "$(fact lost "$tmp/f3") $(fact dup "$tmp/f3") $(fact split "$tmp/f3")" "0 0 0" \
		"full file system: no message lost, duplicated or split"
	is "$(fact moving "$tmp/f3") $(fact rows_without_files "$tmp/f3")" "0 0" \
		"full file system: no journal row left moving, no row without its files"
	# what stayed in the queue is intact (a failed copy never truncates the original)
	bad=0
	for f in "$tmp/q3"/deferred/E/*; do
		[ -f "$f" ] || continue
		cmp -s "$f" "$tmp/deferred/9/4jXWF04Gfhz87nq" || bad=$((bad + 1))
	done
	is "$bad" 0 "full file system: queue files left behind are byte-identical"
	grep -qi 'space\|ENOSPC\|full' "$tmp/err3" "$tmp/out3"
	ok $? "full file system: the error says the disk is full"
else
	for i in 1 2 3 4 5; do echo "ok # SKIP mount -t tmpfs refused here (no CAP_SYS_ADMIN?)"; _tap_n=$((_tap_n + 1)); done
fi

# ---- database faults: exit 2, naming the file, queue untouched --------------------
mkqueue "$tmp/q4" 20
sums "$tmp/q4" > "$tmp/q4.before"
dbfault() {	# dbfault DESC DBFILE [extra args]
	_desc=$1 _db=$2; shift 2
	timeout -k 5 "$T" "$QSCAN" $QS --db "$_db" --quarantine-dir "$tmp/qd4" "$@" "$tmp/q4" > "$tmp/out4" 2> "$tmp/err4"
	_st=$?
	is "$_st" 2 "$_desc: exit 2"
	grep -qF -e "$_db" -e "$(dirname "$_db")" "$tmp/err4"
	ok $? "$_desc: the message names $_db (or its directory)"
	[ "$_st" = 2 ] || sed 's/^/# /' "$tmp/err4" | head -3
	sums "$tmp/q4" > "$tmp/q4.after"
	cmp -s "$tmp/q4.before" "$tmp/q4.after"
	ok $? "$_desc: queue untouched"
	is "$(ls -A "$tmp/qd4" 2>/dev/null | wc -l)" 0 "$_desc: nothing quarantined"
}
# locked: another process holds an exclusive transaction
"$QSCAN" --dry-run --db "$tmp/db4" --local-domain mail.test "$tmp/q4" >/dev/null 2>&1
"$QSCAN" $QS --db "$tmp/db4" --quarantine-dir "$tmp/qd4" --dry-run "$tmp/q4" >/dev/null 2>&1
[ -f "$tmp/db4" ] || sqlite3 "$tmp/db4" 'CREATE TABLE x(y);'
mkfifo "$tmp/lockfifo"
sqlite3 "$tmp/db4" < "$tmp/lockfifo" > "$tmp/lockout" 2>&1 &
bg=$!
exec 7> "$tmp/lockfifo"
printf 'PRAGMA busy_timeout=1;\nBEGIN EXCLUSIVE;\nSELECT 1;\n' >&7
i=0; while [ $i -lt 500 ] && ! grep -q 1 "$tmp/lockout"; do sleep 0.01; i=$((i + 1)); done
dbfault "database locked by another process" "$tmp/db4"
exec 7>&-
wait $bg 2>/dev/null; bg=

# read-only: a read-only bind mount of the database's directory
mkdir -p "$tmp/rosrc" "$tmp/ro"
"$QSCAN" --dry-run --db "$tmp/rosrc/qscan.db" --local-domain mail.test "$tmp/q4" >/dev/null 2>&1
[ -f "$tmp/rosrc/qscan.db" ] || sqlite3 "$tmp/rosrc/qscan.db" 'CREATE TABLE x(y);'
if mount --bind "$tmp/rosrc" "$tmp/ro" 2>/dev/null && mount -o remount,bind,ro "$tmp/ro" 2>/dev/null; then
	mounts="$tmp/ro $mounts"
	dbfault "database on a read-only mount" "$tmp/ro/qscan.db"
	dbfault "new database in a read-only directory" "$tmp/ro/new.db"
else
	umount "$tmp/ro" 2>/dev/null
	for i in 1 2 3 4 5 6 7 8; do echo "ok # SKIP read-only bind mount refused here"; _tap_n=$((_tap_n + 1)); done
fi
# corrupt: garbage where the database should be
head -c 65536 /dev/urandom > "$tmp/garbage.db"
dbfault "corrupt database (random bytes)" "$tmp/garbage.db"
printf 'SQLite format 3\000' > "$tmp/trunc.db"; head -c 3000 /dev/urandom >> "$tmp/trunc.db"
dbfault "corrupt database (SQLite magic, garbage after)" "$tmp/trunc.db"
: > "$tmp/plainfile"
dbfault "database below a regular file" "$tmp/plainfile/qscan.db"
mkdir "$tmp/dbdir.db"
dbfault "database path is a directory" "$tmp/dbdir.db"

# ---- configuration values out of range -------------------------------------------
conffault() {	# conffault DESC KEY-LINE
	printf '[qscan]\nlocal_domains = mail.test\n%s\n' "$2" > "$tmp/bad.conf"
	timeout -k 5 "$T" "$QSCAN" --quarantine --yes --json --no-progress -c "$tmp/bad.conf" \
		--db "$tmp/db5" --quarantine-dir "$tmp/qd5" "$tmp/q4" > "$tmp/out5" 2> "$tmp/err5"
	_st=$?
	_key=${2%% *}
	is "$_st" 2 "config $1: exit 2"
	grep -q "bad.conf" "$tmp/err5" && grep -q "$_key" "$tmp/err5"
	ok $? "config $1: the message names the file and the key"
	sums "$tmp/q4" > "$tmp/q4.after"
	cmp -s "$tmp/q4.before" "$tmp/q4.after"
	ok $? "config $1: queue untouched"
}
conffault "block_threshold 0" "block_threshold = 0"
conffault "block_threshold too large" "block_threshold = 1000001"
conffault "block_threshold negative" "block_threshold = -5"
conffault "block_threshold overflow" "block_threshold = 99999999999999999999999"
conffault "block_window 0" "block_window = 0"
conffault "block_window too large" "block_window = 3651"
conffault "block_window not a number" "block_window = 7days"
conffault "strict not a boolean" "strict = maybe"
conffault "relative database" "database = qscan.db"
conffault "relative quarantine_dir" "quarantine_dir = quarantine"
conffault "action unknown" "action = shred"
conffault "bad trusted network" "trusted_networks = 10.0.0.0/33"
conffault "network with host bits" "trusted_networks = 10.0.0.1/8"
is "$(ls -A "$tmp/qd5" 2>/dev/null | wc -l)" 0 "config errors: nothing ever quarantined"
done_testing
