#!/bin/sh
# 9601-live-postfix-purge: a real, running private Postfix receives mail
# over loopback in a bounded loop while qscan purges the relay mail at
# the same time (through postsuper, as for a live instance). Afterwards
# every legitimate message is still queued, every relay message is gone
# (deleted or quarantined, restorable), and Postfix logged no queue file
# errors.
. "$QSCAN_SRCDIR/t/lib/tap.sh"
. "$QSCAN_SRCDIR/t/lib/postfix-instance.sh"
why=$(pf_check_tools) || skip_all "$why"
tmp=$(mktemp -d); chmod 755 "$tmp"
trap 'pf_stop; rm -rf "$tmp"' EXIT
# the harness's mynetworks lets the XCLIENT test nets relay (an open relay
# as far as qscan is concerned: they are not in its trusted_networks)
pf_start "$tmp/pf" >"$tmp/start.log" 2>&1 ||
	{ cat "$tmp/start.log"; skip_all "the private Postfix instance did not start"; }
export MAIL_CONFIG="$PF_CONF"	# makes the instance "the running instance" for qscan
N=40

inject() {	# inject I: even = legit (trusted 127.0.0.1), odd = relay (XCLIENT external)
	if [ $(($1 % 2)) -eq 0 ]; then
		pf_inject_smtp --timeout 10 --helo ok.live.example --from "alice@live.example" \
			--to "bob$1@partner.example" --header "Subject: legit $1" --body "legit $1"
	else
		pf_inject_smtp --timeout 10 --helo bad.example --xclient "ADDR=203.0.113.$(($1 % 200 + 1)) NAME=bad.example" \
			--from "spam@spam.example" --to "v$1@victim.example,w$1@victim.example" \
			--header "Subject: relay $1" --body "relay $1"
	fi
}

# the sender loop and qscan run at the same time, both bounded (each
# injection at most 10 s, the whole loop at most 3 minutes)
end=$(($(date +%s) + 180))
( i=0; while [ $i -lt $N ] && [ "$(date +%s)" -lt $end ]; do
	inject $i >/dev/null 2>&1; i=$((i + 1)); done; [ $i -eq $N ] && touch "$tmp/sent"; touch "$tmp/done" ) &
loop=$!
runs=0 bad=0
while [ ! -f "$tmp/done" ] && [ $runs -lt 200 ]; do
	"$QSCAN" --delete --yes -q --json --local-domain live.example --db "$tmp/q.db" \
		--quarantine-dir "$tmp/qd" "$PF_QUEUE" >>"$tmp/scan.out" 2>>"$tmp/scan.err"
	st=$?
	# 3 is fair while Postfix moves files between queues under our feet
	# (a message gone since the walk is reported); checked below
	[ $st -le 3 ] || { bad=$((bad + 1)); echo "exit $st" >> "$tmp/scan.err"; }
	runs=$((runs + 1))
done
wait $loop
# four more relay messages for the final run, so that the live
# quarantine path (postsuper -h, then into the store) runs for sure
for i in 1 3 5 7; do inject $((N + i)) >/dev/null 2>&1; done
pf_wait_queued $((N / 2 + 4)) 60 >/dev/null 2>&1
ok $([ -f "$tmp/sent" ] && echo 0 || echo 1) "all $N messages were sent while qscan ran ($runs runs)"
is "$bad" 0 "no concurrent run failed (exit 2 or 4)"
[ "$bad" -gt 0 ] && sed 's/^/# /' "$tmp/scan.err" | head -20
# races with the MTA: gone between readdir and read, between judging and
# acting (qmgr moved incoming/ -> active/), locked or in active/
grep '"type":"message"' "$tmp/scan.out" | grep -v '"error":null' | grep -v 'gone since the walk' |
	grep -v '"error":"busy: the MTA has it' | grep -v ': vanished (delivered or moved by the MTA)"' |
	grep -v '"error":"being delivered (' > "$tmp/errs"
ok $([ ! -s "$tmp/errs" ] && echo 0 || echo 1) "the only per-message errors were files Postfix moved or was delivering"
head -3 "$tmp/errs" | sed 's/^/# /'
grep '"type":"message"' "$tmp/scan.out" | grep '"verdict":"legit"' | grep -v '"action":"none"' > "$tmp/legit-acted"
ok $([ ! -s "$tmp/legit-acted" ] && echo 0 || echo 1) "no legit message was ever acted on"

# the final purge, this time into the quarantine, with -v to see the method
"$QSCAN" --quarantine --yes -v --local-domain live.example --db "$tmp/q.db" \
	--quarantine-dir "$tmp/qd" "$PF_QUEUE" >"$tmp/final.out" 2>"$tmp/final.err"
st=$?
is "$st" 1 "final quarantine run found and acted on relay messages (exit 1)"
grep -q "method postsuper" "$tmp/final.err"; ok $? "live instance acted on through postsuper"
pf_queue_json > "$tmp/queue.json"
legit=$(grep -c '"sender": "alice@live.example"' "$tmp/queue.json")
relay=$(grep -c '"sender": "spam@spam.example"' "$tmp/queue.json")
is "$legit" $((N / 2)) "every legitimate message is still queued"
is "$relay" 0 "no relay message is left in the queue"
grep -E "warning: .*(queue file|corrupt|No such file)|fatal:|panic:" "$PF_LOG" > "$tmp/pferr"
ok $([ ! -s "$tmp/pferr" ] && echo 0 || echo 1) "Postfix logged no queue file errors"
sed 's/^/# /' "$tmp/pferr" | head -10
q=$("$QSCAN" quarantine list --json --db "$tmp/q.db" --quarantine-dir "$tmp/qd" | grep -c '"type":"quarantine"')
del=$(sqlite3 "$tmp/q.db" "select count(*) from messages where action='deleted'")
ok $([ "$q" -ge 4 ] && echo 0 || echo 1) "the final run quarantined the late relay messages ($q)"
is "$((q + del))" $((N / 2 + 4)) "each relay message was deleted or quarantined exactly once"
done_testing
