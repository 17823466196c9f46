#!/bin/sh
# 4005-cpu-pipeline-runs.sh - the pipeline hands the walked messages to
# its workers in runs (pipeline.c RUN_BATCH) and publishes their states
# without the lock: a dry run with 2, 3 and 7 workers must print exactly
# what the inline run (-j 1) prints, in the same order, on a queue that
# wraps the result ring (WINDOW 1024) twice and is no multiple of a run.
# The workers render the JSON line of a message nothing acts on
# (pipeline.h prerender); the main thread renders the ones the actor
# took: a quarantine run must print the dry run's lines but for the action.
set -u
: "${QSCAN:?}" "${QSCAN_GEN:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/qs4005.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
echo "1..5"
if ! "$QSCAN_GEN" --format mdaemon --count 2651 --seed 7 --out "$T/q" >/dev/null 2>&1; then
	echo "not ok 1 - setup: qscan-gen failed"
	exit 1
fi
scan() {	# scan JOBS OUT
	"$QSCAN" -j "$1" --dry-run --json --no-progress --local-domain demo.example \
		--db "$T/$1.db" "$T/q/Queues" 2>"$T/$1.err" | sed 's/"elapsed_s":[0-9.]*//' > "$2"
	rc=$?
	[ $rc -le 1 ] || [ $rc -eq 3 ]
}
scan 1 "$T/ref"
n=$(grep -c '"type":"message"' "$T/ref")
if [ "$n" = 2651 ] && grep -q '"type":"summary","scanned":2651' "$T/ref"; then
	echo "ok 1 - inline run reports all 2651 messages"
else
	echo "not ok 1 - inline run reports all 2651 messages (got $n)"
fi
i=2
for j in 2 3 7; do
	scan "$j" "$T/out$j"
	if cmp -s "$T/ref" "$T/out$j"; then
		echo "ok $i - -j $j prints what -j 1 prints, in the same order"
	else
		echo "not ok $i - -j $j prints what -j 1 prints, in the same order"
		diff "$T/ref" "$T/out$j" | head -5 | sed 's/^/# /'
	fi
	i=$((i + 1))
done
cp -a "$T/q" "$T/q2"
"$QSCAN" -j 2 --quarantine --yes --json --no-progress --local-domain demo.example \
	--db "$T/act.db" --quarantine-dir "$T/store" "$T/q2/Queues" 2>"$T/act.err" |
	sed 's/"elapsed_s":[0-9.]*//; s/"action":"quarantined"/"action":"none"/' |
	grep '"type":"message"' > "$T/act"
grep '"type":"message"' "$T/ref" > "$T/ref.msg"
q=$(grep -c '"verdict":"relay"' "$T/act")
if [ "$q" -gt 100 ] && cmp -s "$T/ref.msg" "$T/act"; then
	echo "ok 5 - quarantine run: the $q lines rendered by the main thread read as the workers render them"
else
	echo "not ok 5 - quarantine run: lines rendered by the main thread differ ($q relay)"
	diff "$T/ref.msg" "$T/act" | head -5 | sed 's/^/# /'
fi
