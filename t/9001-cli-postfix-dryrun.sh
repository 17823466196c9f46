#!/bin/sh
# 9001-cli-postfix-dryrun: qscan --dry-run on the real Postfix 3.7.11
# fixture queues: JSON lines per CLI.md, the triage report, exit codes,
# and not one byte, mode, owner or timestamp changed in the queue.
. "$QSCAN_SRCDIR/t/lib/tap.sh"
fx="$QSCAN_SHARED/fixtures/postfix-3.7.11-queue-before-delete.tar"
[ -f "$fx" ] || skip_all "no shared fixtures at $QSCAN_SHARED"
command -v python3 >/dev/null || skip_all "python3 needed to check JSON"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/q" && tar --numeric-owner -xpf "$fx" -C "$tmp/q"
# contents first (reading them may move atimes), then the metadata incl. atime
sums() { (cd "$1" && find . -type f -exec sha256sum {} + | sort); }
meta() { (cd "$1" && find . -printf '%p %s %m %U %G %T@ %A@\n' | sort); }
sums "$tmp/q" > "$tmp/sums1"; meta "$tmp/q" > "$tmp/before"

"$QSCAN" --dry-run --json --local-domain example.com "$tmp/q" > "$tmp/out.json" 2> "$tmp/err"
st=$?
ok $([ $st -le 3 ] && echo 0 || echo 1) "dry run completes (exit $st)"
meta "$tmp/q" > "$tmp/after"; sums "$tmp/q" > "$tmp/sums2"
cmp -s "$tmp/before" "$tmp/after" && cmp -s "$tmp/sums1" "$tmp/sums2"
ok $? "dry run changed no byte, mode, owner or timestamp (atime included)"
python3 - "$tmp/out.json" > "$tmp/py" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
msgs = [l for l in lines if l["type"] == "message"]
summ = [l for l in lines if l["type"] == "summary"]
need = ["format","queue","id","path","files","verdict","reasons","action","sender","recipients",
        "client_ip","client_helo","auth_user","origin_ip","subject","size","arrival","error"]
print("count", len(msgs))
print("summary", len(summ), lines[-1]["type"], summ[0]["scanned"] if summ else -1)
print("keys", all(all(k in m for k in need) for m in msgs))
print("verdicts", all(m["verdict"] in ("relay","legit","unsure") for m in msgs))
print("actions", all(m["action"] == "none" for m in msgs))
by = {m["id"]: m for m in msgs}
a = by.get("A66881080C4", {})
print("xclient", a.get("client_ip"), a.get("auth_user"), a.get("queue"))
d = by.get("7486D1080C6", {})
print("done", ",".join(d.get("recipients", [])))
print("files", ",".join(by.get("5F5D41080C1", {}).get("files", [])))
m = by.get("4jXWF04Gfhz87nq", {})
print("milter", m.get("subject"))
PY
is "$(sed -n 's/^count //p' "$tmp/py")" "6" "six messages reported"
is "$(sed -n 's/^summary //p' "$tmp/py")" "1 summary 6" "one summary line, last, counting 6"
is "$(sed -n 's/^keys //p' "$tmp/py")" "True" "every message line has every CLI.md key"
is "$(sed -n 's/^verdicts //p' "$tmp/py")" "True" "verdicts are relay, legit or unsure"
is "$(sed -n 's/^actions //p' "$tmp/py")" "True" "dry run: action none everywhere"
is "$(sed -n 's/^xclient //p' "$tmp/py")" "203.0.113.77 compromised-user hold" "XCLIENT client IP and SASL user from the queue file"
is "$(sed -n 's/^done //p' "$tmp/py")" "keep@example.com" "done recipient is not pending"
is "$(sed -n 's/^files //p' "$tmp/py")" "deferred/5/5F5D41080C1,defer/5/5F5D41080C1" "defer logfile belongs to the message"
is "$(sed -n 's/^milter //p' "$tmp/py")" "[SPAM] Viagra discount" "milter-edited subject through pointer records"

"$QSCAN" --dry-run --local-domain example.com "$tmp/q" > "$tmp/human" 2>&1
grep -q "messages scanned" "$tmp/human"; ok $? "human report has the totals line"
grep -q "^Top origin IP" "$tmp/human"; ok $? "human report groups by origin IP"
awk 'length > 80 { bad = 1 } END { exit bad }' "$tmp/human"; ok $? "human report fits 80 columns"

"$QSCAN" --dry-run --format nosuch "$tmp/q" >/dev/null 2>&1; is $? 2 "unknown --format: exit 2"
"$QSCAN" --dry-run "$tmp/nonexistent" >/dev/null 2>&1; is $? 2 "missing queue dir: exit 2"
"$QSCAN" --dry-run >/dev/null 2>&1; is $? 2 "no queue dir: exit 2"
"$QSCAN" --delete --hold "$tmp/q" >/dev/null 2>&1; is $? 2 "conflicting actions: exit 2"
mkdir "$tmp/empty"
"$QSCAN" --dry-run "$tmp/empty" > /dev/null 2> "$tmp/err2"; is $? 2 "unknown layout: exit 2"
grep -q "not a queue directory" "$tmp/err2"; ok $? "unknown layout: says what was seen"
"$QSCAN" --version | grep -q '^qscan '; ok $? "--version"
done_testing
