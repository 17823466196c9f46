#!/bin/sh
# 0801-gen-determinism - qscan-gen writes the same tree for the same seed,
# a different one for another seed, the right number of messages, and
# files each MTA (and an independent reader) accepts.
GEN=${QSCAN_GEN:-$(dirname "$0")/../_build/scripts/qscan-gen}
if [ ! -x "$GEN" ]; then
	echo "1..0 # SKIP qscan-gen not built ($GEN)"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not installed"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qscan-0801-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
N=0
FAILED=0
ok() {	# ok CONDITION-STATUS DESCRIPTION
	N=$((N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=1; fi
}
echo "1..37"

# tree_sum DIR - one checksum over names, types, modes, mtimes and bytes
tree_sum() {
	# directory mtimes are the time of the run; everything else is fixed
	(cd "$1" && find . \( -type d -printf '%P %y %m\n' \) -o -printf '%P %y %m %T@\n' |
		LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}

COUNT=400
for fmt in postfix qmail mdaemon icewarp; do
	"$GEN" --format $fmt --count $COUNT --seed 7 --out "$tmp/$fmt-a" --manifest "$tmp/$fmt-a.man" 2>/dev/null
	st1=$?
	"$GEN" --format $fmt --count $COUNT --seed 7 --out "$tmp/$fmt-b" --manifest "$tmp/$fmt-b.man" 2>/dev/null
	st2=$?
	"$GEN" --format $fmt --count $COUNT --seed 8 --out "$tmp/$fmt-c" 2>/dev/null
	ok $((st1 + st2 + $?)) "$fmt: three runs exit 0"
	# qmail's lock/trigger is a FIFO, which diff -r cannot compare
	diff -r -x trigger "$tmp/$fmt-a" "$tmp/$fmt-b" >/dev/null && cmp -s "$tmp/$fmt-a.man" "$tmp/$fmt-b.man"
	ok $? "$fmt: same seed, identical trees and manifests (diff -r)"
	[ "$(tree_sum "$tmp/$fmt-a")" = "$(tree_sum "$tmp/$fmt-b")" ]
	ok $? "$fmt: same seed, same checksum of names, modes, mtimes and bytes"
	[ "$(tree_sum "$tmp/$fmt-a")" != "$(tree_sum "$tmp/$fmt-c")" ]
	ok $? "$fmt: different seed, different tree"
	lines=$(wc -l < "$tmp/$fmt-a.man")
	ids=$(cut -f1 "$tmp/$fmt-a.man" | sort -u | wc -l)
	[ "$lines" -eq $COUNT ] && [ "$ids" -eq $COUNT ]
	ok $? "$fmt: manifest has $COUNT unique ids (got $lines lines, $ids ids)"
done

# on-disk message counts per format
n=$(find "$tmp/postfix-a/deferred" "$tmp/postfix-a/incoming" -type f | wc -l)
[ "$n" -eq $COUNT ]; ok $? "postfix: $COUNT queue files (got $n)"
n=$(find "$tmp/qmail-a/mess" -type f | wc -l)
[ "$n" -eq $COUNT ]; ok $? "qmail: $COUNT mess files (got $n)"
n=$(find "$tmp/mdaemon-a/Queues" -type f -name 'md50*.msg' | wc -l)
[ "$n" -eq $COUNT ]; ok $? "mdaemon: $COUNT .msg files (got $n)"
n=$(find "$tmp/icewarp-a/_outgoing" -type f -name '*.tmp' | wc -l)
[ "$n" -eq $COUNT ]; ok $? "icewarp: $COUNT .tmp files (got $n)"

# both verdicts present, and every legit kind at least once (seeded positions)
for k in local-recipient authenticated local-submission bounce; do
	grep -q "	legit	$k\$" "$tmp/postfix-a.man"
	ok $? "postfix manifest has a legit $k message"
done
grep -q '	relay	open-relay$' "$tmp/postfix-a.man" && grep -q '	relay	auth-abuse$' "$tmp/postfix-a.man"
ok $? "postfix manifest has open-relay and auth-abuse messages"

# an independent record-level reader for the Postfix files
python3 - "$tmp/postfix-a" "$tmp/postfix-a.man" > "$tmp/pfcheck.out" 2>&1 <<'EOF'
import os, re, sys, stat
root, man = sys.argv[1], sys.argv[2]
def records(data):
    i = 0
    while i < len(data):
        off, t = i, chr(data[i]); i += 1
        ln = sh = 0
        while True:
            b = data[i]; i += 1
            ln |= (b & 0x7f) << sh; sh += 7
            if not b & 0x80: break
            if sh >= 28: raise ValueError("length too long at %d" % off)
        if i + ln > len(data): raise ValueError("truncated record at %d" % off)
        yield off, t, data[i:i + ln], i
        i += ln
bad = 0
ids = {l.split('\t')[0] for l in open(man)}
seen = set()
for q in ('deferred', 'incoming'):
    for dp, dn, fn in os.walk(os.path.join(root, q)):
        for f in fn:
            p = os.path.join(dp, f); seen.add(f)
            try:
                st = os.lstat(p)
                if stat.S_IMODE(st.st_mode) != 0o700: raise ValueError("mode %o" % st.st_mode)
                if not re.fullmatch(r'[0-9A-F]{6,}', f): raise ValueError("bad id")
                if q == 'deferred' and os.path.basename(dp) != f[0]: raise ValueError("wrong hash dir")
                data = open(p, 'rb').read()
                recs = list(records(data))
                if recs[0][1] != 'C' or len(recs[0][2]) != 95: raise ValueError("no C record")
                if recs[-1][1] != 'E' or recs[-1][3] != len(data): raise ValueError("E is not last")
                c = [int(x) for x in recs[0][2].split()]
                m = [r for r in recs if r[1] == 'M']; x = [r for r in recs if r[1] == 'X']
                rc = [r for r in recs if r[1] == 'R']
                if len(m) != 1 or len(x) != 1: raise ValueError("M/X count")
                if c[1] != m[0][3]: raise ValueError("data offset %d != %d" % (c[1], m[0][3]))
                if c[0] != x[0][0] - c[1] or c[4] != c[0]: raise ValueError("content size")
                if c[2] != len(rc) or c[3] != 0 or c[5] != 0: raise ValueError("rcpt count/flags")
                if not any(r[1] == 'S' for r in recs): raise ValueError("no S")
                if not re.fullmatch(rb'\d+ \d+', [r for r in recs if r[1] == 'T'][0][2]): raise ValueError("T")
                if any(r[1] == 'L' and len(r[2]) != 2048 for r in recs): raise ValueError("L not 2048")
                if any(r[1] in 'NL' and len(r[2]) > 2048 for r in recs): raise ValueError("line > 2048")
                order = ''.join(r[1] for r in recs if r[1] in 'CTSMXE')
                if order != 'CTSMXE': raise ValueError("record order " + order)
                d = os.path.join(root, 'defer', f[0], f)
                if os.path.exists(d):
                    offs = {r[0]: r[2].decode() for r in rc}
                    for blk in open(d).read().split('\n\n'):
                        kv = dict(l.split('=', 1) for l in blk.splitlines() if '=' in l and not l.startswith('<'))
                        if kv and offs.get(int(kv['offset'])) != kv['recipient']: raise ValueError("defer offset")
            except Exception as e:
                bad += 1; print("%s: %s" % (p, e))
if seen != ids: print("manifest ids != files"); bad += 1
print("checked", len(seen), "bad", bad)
sys.exit(1 if bad else 0)
EOF
ok $? "postfix: every queue file parses record by record (C fields, M/X/E, L/N split, defer offsets)"
tail -1 "$tmp/pfcheck.out" | sed 's/^/# /'

if command -v postcat >/dev/null 2>&1; then
	pc_bad=0
	for f in $(find "$tmp/postfix-a/deferred" -type f | LC_ALL=C sort | head -5); do
		postcat "$f" > "$tmp/pc.out" 2> "$tmp/pc.err" || pc_bad=1
		[ -s "$tmp/pc.err" ] && pc_bad=1
		grep -q '^sender: ' "$tmp/pc.out" && grep -q '^recipient: ' "$tmp/pc.out" &&
			grep -q '^\*\*\* MESSAGE CONTENTS' "$tmp/pc.out" || pc_bad=1
	done
	ok $pc_bad "postfix: postcat reads 5 files without a warning and shows sender and recipients"
else
	N=$((N + 1)); echo "ok $N # SKIP postcat not installed"
fi

# qmail: info = F<sender>\0, remote/local = (T<rcpt>\0)+, split by N % 23
python3 - "$tmp/qmail-a" <<'EOF'
import os, re, sys
root = sys.argv[1]; bad = 0
for dp, dn, fn in os.walk(os.path.join(root, 'mess')):
    for n in fn:
        s = int(n) % 23
        if os.path.basename(dp) != str(s): bad += 1; continue
        info = open(os.path.join(root, 'info', str(s), n), 'rb').read()
        if not re.fullmatch(rb'F[^\0]*\0', info): bad += 1
        chans = [os.path.join(root, c, str(s), n) for c in ('local', 'remote')]
        chans = [c for c in chans if os.path.exists(c)]
        if not chans: bad += 1
        for c in chans:
            if not re.fullmatch(rb'(T[^\0]+\0)+', open(c, 'rb').read()): bad += 1
        head = open(os.path.join(dp, n), 'rb').read(200)
        if not head.startswith(b'Received: (qmail '): bad += 1
sys.exit(1 if bad else 0)
EOF
ok $? "qmail: info, local/remote records and split directories are well formed"

# MDaemon: CRLF only, envelope block present, route slips sit next to a .msg
python3 - "$tmp/mdaemon-a/Queues" <<'EOF'
import os, sys
root = sys.argv[1]; bad = 0
for dp, dn, fn in os.walk(root):
    for f in fn:
        data = open(os.path.join(dp, f), 'rb').read()
        if f.endswith('.rte') and not os.path.exists(os.path.join(dp, f[:-4] + '.msg')): bad += 1
        if not f.endswith('.msg'): continue
        if data.count(b'\n') != data.count(b'\r\n'): bad += 1
        hdr = data.split(b'\r\n\r\n', 1)[0]
        for h in (b'\r\nX-MDaemon-Deliver-To: ', b'\r\nX-Return-Path: ', b'\r\nX-MDArrival-Date: '):
            if h not in hdr: bad += 1
        if b' (MDaemon PRO v23.5.1)\r\n with ' not in hdr: bad += 1
sys.exit(1 if bad else 0)
EOF
ok $? "mdaemon: .msg files are CRLF with MDaemon's envelope headers"

python3 - "$tmp/icewarp-a/_outgoing" <<'EOF'
import os, re, sys
root = sys.argv[1]; bad = 0
for dp, dn, fn in os.walk(root):
    for f in fn:
        data = open(os.path.join(dp, f), 'rb').read(4096)
        if not re.fullmatch(r'\d{18}\.tmp', f) or not re.fullmatch(r'priority_[0-4]', os.path.basename(dp)): bad += 1
        if not re.match(rb'Received: from \S+ \(\[[0-9.]+\]\) by mail\.demo\.example \(IceWarp [^)]*\) with (ASMTP|ESMTP)( \(SSL\))? id ' + f[:18].encode() + rb' for <[^>]+>; ', data): bad += 1
sys.exit(1 if bad else 0)
EOF
ok $? "icewarp: names, priority folders and Received lines are well formed"

# --legit-ratio 0: only relay; a used --out is refused
"$GEN" --format postfix --count 300 --seed 1 --legit-ratio 0 --out "$tmp/r0" --manifest "$tmp/r0.man" 2>/dev/null
! grep -q '	legit	' "$tmp/r0.man" && [ "$(wc -l < "$tmp/r0.man")" -eq 300 ]
ok $? "--legit-ratio 0 gives relay messages only"
"$GEN" --format postfix --count 10 --seed 1 --out "$tmp/r0" 2>/dev/null
[ $? -ne 0 ] && [ "$(find "$tmp/r0/deferred" "$tmp/r0/incoming" -type f | wc -l)" -eq 300 ]
ok $? "a non-empty --out directory is refused"
"$GEN" --format exim --count 10 --seed 1 --out "$tmp/x" 2>/dev/null
[ $? -ne 0 ] && [ ! -e "$tmp/x" ]
ok $? "an unknown --format is refused before anything is written"
exit $FAILED
