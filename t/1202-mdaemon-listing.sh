#!/bin/sh
# 1202-mdaemon-listing.sh - the MDaemon walk reads a queue directory
# once, keeping the message names of its first pass (the one that finds
# the .rte/.lck sidecars and sub-queues); a directory with more names
# than it keeps (QSCAN_TEST_LIST_CAP lowers the cap) is read a second
# time instead: both ways must report the same messages, in the same
# order, with the same files.
set -u
: "${QSCAN:?}" "${QSCAN_GEN:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/qs1202.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
echo "1..4"
if ! "$QSCAN_GEN" --format mdaemon --count 900 --seed 3 --out "$T/q" >/dev/null 2>&1; then
	echo "not ok 1 - setup: qscan-gen failed"
	exit 1
fi
# route slips and a lock file for a few messages (the generator writes
# slips for few messages only), named after the message in another case
for f in $(ls "$T/q/Queues/Remote" | grep '\.msg$' | sed -n '1p;17p;333p;800p'); do
	b=${f%.msg}
	printf '[RemoteHost]\r\nDeliverTo=mx.isp.example\r\n[RemoteRcpts]\r\nRcpt0=a@isp.example\r\n' \
		> "$T/q/Queues/Remote/$b.RTE"
done
f=$(ls "$T/q/Queues/Remote" | grep '\.msg$' | sed -n '500p')
: > "$T/q/Queues/Remote/${f%.msg}.lck"
scan() {	# scan OUT [env...]
	out=$1; shift
	env "$@" "$QSCAN" -v -j 2 --dry-run --json --no-progress --local-domain demo.example \
		"$T/q/Queues" 2>"$out.err" | sed 's/"elapsed_s":[0-9.]*//' > "$out"
}
scan "$T/once"
scan "$T/twice" QSCAN_TEST_LIST_CAP=100
n=$(grep -c '"type":"message"' "$T/once")
rte=$(grep -c '\.RTE"' "$T/once")
lck=$(grep -c '\.lck"' "$T/once")
if [ "$n" = 900 ] && [ "$rte" -ge 4 ] && [ "$lck" = 1 ]; then
	echo "ok 1 - one listing: all 900 messages, $rte with their route slip, $lck locked"
else
	echo "not ok 1 - one listing: all 900 messages with route slips and a lock (got $n, $rte .rte, $lck .lck)"
fi
if grep -q 'read twice' "$T/once.err"; then
	echo "not ok 2 - under the cap no directory is read twice"
else
	echo "ok 2 - under the cap no directory is read twice"
fi
if grep -q 'Remote: more than 100 messages, the directory is read twice' "$T/twice.err"; then
	echo "ok 3 - over the (lowered) cap Remote/ is read twice"
else
	echo "not ok 3 - over the (lowered) cap Remote/ is read twice"
	sed 's/^/# /' "$T/twice.err" | head -5
fi
if cmp -s "$T/once" "$T/twice"; then
	echo "ok 4 - both ways report the same messages, files and order"
else
	echo "not ok 4 - both ways report the same messages, files and order"
	diff "$T/once" "$T/twice" | head -5 | sed 's/^/# /'
fi
