# hostile.sh - helpers for the hostile-environment tests (t/95NN-harden-*).
# Source after tap.sh. Needs $tmp.
#
# snap NAME PATH...   record content hash and stat (mode, links, size,
#                     mtime, ctime; atime with snap_a) of each path
#                     without following links (readlink for links)
# same NAME DESC      ok when the same paths still look the same
# listq DIR OUT       every entry below DIR, NUL-separated, with its type
# jsonck OUT          python check of qscan --json output (see below)

_snapline() {	# one line per path: type, hash or link target, stat
	if [ -L "$1" ]; then
		printf '%s L %s %s\n' "$1" "$(readlink "$1")" "$(stat -c '%h %Y %Z' "$1")"
	elif [ -f "$1" ]; then
		printf '%s F %s %s\n' "$1" "$(sha256sum < "$1" | cut -c1-64)" "$(stat -c "%a %h %s %Y %Z$_snap_atime" "$1")"
	elif [ -e "$1" ]; then
		printf '%s %s\n' "$1" "$(stat -c "%F %a %h %t:%T %Y$_snap_atime" "$1")"
	else
		printf '%s MISSING\n' "$1"
	fi
}
snap() {
	_n=$1; shift
	_snap_atime=
	printf '%s' "$_snap_atime" > "$tmp/snap.$_n.fmt"
	for _p; do _snapline "$_p"; done > "$tmp/snap.$_n"
}
snap_a() {	# as snap, with atime (for our own decoys, whose atime we set)
	_n=$1; shift
	_snap_atime=' %X'
	printf '%s' "$_snap_atime" > "$tmp/snap.$_n.fmt"
	for _p; do _snapline "$_p"; done > "$tmp/snap.$_n"
	_snap_atime=
}
same() {
	_n=$1
	_snap_atime=$(cat "$tmp/snap.$_n.fmt")
	while read -r _p _rest; do _snapline "$_p"; done < "$tmp/snap.$_n" > "$tmp/snap.$_n.now"
	_snap_atime=
	if cmp -s "$tmp/snap.$_n" "$tmp/snap.$_n.now"; then ok 0 "$2"; else
		ok 1 "$2"; diff "$tmp/snap.$_n" "$tmp/snap.$_n.now" | sed 's/^/# /'
	fi
}

# make a file's atime old so that any ordinary read (relatime) moves it
age_atime() { touch -a -d '2001-01-01 00:00:00' "$@"; }

# listq DIR OUT: "TYPE<TAB>relative path" records, NUL-separated, sorted
listq() {
	(cd "$1" && find . -mindepth 1 -printf '%y\t%P\0' | sort -z) > "$2"
}

# jsonck OUT.json [KEY=VALUE...]: validate qscan --json output strictly
# (UTF-8, no raw control bytes, every line an object with "type", a
# summary last) and print facts, one "key value" line each:
#   valid True|False (with "why" on failure), messages N,
#   paths (NUL-free, one per line, \n escaped as \\n) in paths.txt,
#   acted files (quarantined/deleted) in acted.txt
jsonck() {
	python3 - "$@" <<'PY'
import json, sys, os
out = sys.argv[1]
d = os.path.dirname(out)
raw = open(out, "rb").read()
why = None
msgs = []
try:
    text = raw.decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    objs = [json.loads(l) for l in lines]   # strict: raw control bytes fail
    if not objs or objs[-1].get("type") != "summary":
        why = "last line is not the summary"
    for o in objs:
        if not isinstance(o, dict) or "type" not in o:
            why = "a line without type"
    msgs = [o for o in objs if o.get("type") == "message"]
except Exception as e:
    why = "%s: %s" % (type(e).__name__, e)
print("valid", why is None)
if why:
    print("why", why)
print("messages", len(msgs))
esc = lambda s: s.replace("\\", "\\\\").replace("\n", "\\n")
with open(os.path.join(d, "paths.txt"), "w") as f:
    for m in msgs:
        for p in [m.get("path") or ""] + list(m.get("files") or []):
            f.write(esc(p) + "\n")
with open(os.path.join(d, "acted.txt"), "w") as f:
    for m in msgs:
        if m.get("action") in ("quarantined", "deleted"):
            if m.get("verdict") != "relay":
                print("acted_not_relay", esc(m.get("path") or ""))
            for p in m.get("files") or []:
                f.write(esc(p) + "\n")
special = set()
sp = os.environ.get("SPECIAL")
if sp and os.path.exists(sp):
    special = set(l.rstrip("\n") for l in open(sp, encoding="utf-8", errors="surrogateescape"))
for m in msgs:
    if (m.get("path") or "") in special and (m.get("verdict") != "unsure" or not m.get("error")
                                              or m.get("action") not in ("none", None)):
        print("special", esc(m.get("path")), m.get("verdict"), m.get("action"))
with open(os.path.join(d, "senders.txt"), "w") as f:
    for m in msgs:
        f.write(esc(m.get("sender") or "") + "\n")
PY
}

# gone BEFORE AFTER: entries of BEFORE (listq) missing from AFTER, as
# "\n"-escaped paths one per line
gone() {
	python3 - "$1" "$2" <<'PY'
import sys
def load(p):
    return set(x for x in open(p, "rb").read().split(b"\0") if x)
a, b = load(sys.argv[1]), load(sys.argv[2])
for e in sorted(a - b):
    t, p = e.split(b"\t", 1)
    if t != b"d":
        print(p.decode("utf-8", "surrogateescape").replace("\\", "\\\\").replace("\n", "\\n"))
PY
}
