#!/bin/sh
# 9101-crossfmt-verdicts.sh - every labelled corpus case written into a
# Postfix, a qmail, an MDaemon and an IceWarp queue (t/qwrite-tool, laid out
# as each MTA does) must get the golden verdict and reasons
# (t/data/corpus/expected.txt) from `qscan --dry-run --json`, with the
# format given and detected; Postfix, qmail and MDaemon exactly, IceWarp by
# the rule in t/data/crossfmt/README, and the same as the file judged as a
# plain message. Sender, pending recipients, client IP and AUTH user must
# be the case's. Cases with their own NNN-name.conf get a queue of their own.
set -u
: "${QSCAN:?}" "${QSCAN_TEST_DATA:?}" "${QSCAN_SRCDIR:?}" "${QSCAN_BUILDDIR:?}"
C=$QSCAN_TEST_DATA/corpus
D=$QSCAN_TEST_DATA/crossfmt
TOOL=$QSCAN_BUILDDIR/t/qwrite-tool
CMP=$QSCAN_SRCDIR/t/lib/crossfmt-compare.py

if [ ! -f "$C/expected.txt" ]; then
	echo "1..0 # SKIP no labelled corpus (t/data/corpus/expected.txt)"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not installed (scripts/deps.sh --test)"
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/qs9101.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
mkdir "$T/explain"

fail() {
	echo "not ok 1 - setup: $*"
	echo "1..1"
	exit 1
}

# qscan exits 0 (no relay), 1 (relay found) or 3 (unreadable messages)
scan() {
	"$QSCAN" --dry-run --json --min-age 0 --no-progress -j 2 "$@"
	rc=$?
	[ $rc -le 1 ] || [ $rc -eq 3 ]
}

# write cases into queue NAME of format FMT, scan it with CONF
queue() {
	fmt=$1 name=$2 conf=$3
	shift 3
	"$TOOL" "$conf" "$fmt" "$T/$name" "$@" > "$T/$name.map" 2> "$T/$name.err" ||
		fail "qwrite-tool $fmt: $(cat "$T/$name.err")"
	[ -d "$T/$name" ] || return 0	# every case skipped
	scan -c "$conf" --format "$fmt" "$T/$name" > "$T/$name.json" 2>> "$T/$name.err" ||
		fail "qscan --format $fmt $T/$name: $(tail -3 "$T/$name.err")"
	scan -c "$conf" "$T/$name" > "$T/$name.auto.json" 2>> "$T/$name.err" ||
		fail "qscan (detected) $T/$name: $(tail -3 "$T/$name.err")"
	# Postfix's own postcat must read every file the writer made
	if [ "$fmt" = postfix ] && command -v postcat >/dev/null 2>&1; then
		find "$T/$name/deferred" -type f | while read -r f; do
			postcat "$f" > /dev/null 2> "$T/postcat.err"
			echo "$(basename "$f") $? $(wc -c < "$T/postcat.err")"
		done >> "$T/postcat"
	fi
	if [ "$fmt" = icewarp ]; then
		for f in "$T/$name"/_outgoing/priority_2/*.tmp; do
			[ -f "$f" ] || continue
			id=$(basename "$f" .tmp)
			"$QSCAN" explain --json -c "$conf" "$f" > "$T/explain/$id.json" 2>> "$T/$name.err"
		done
	fi
}

common=
special=
for f in "$C"/[0-9]*.eml; do
	if [ -f "${f%.eml}.conf" ]; then special="$special $f"; else common="$common $f"; fi
done
for fmt in postfix qmail mdaemon icewarp; do
	# shellcheck disable=SC2086
	queue "$fmt" "$fmt" "$C/qscan.conf" $common
	for f in $special; do
		case=$(basename "$f" .eml)
		python3 "$CMP" merge-conf "$C/qscan.conf" "$C/$case.conf" "$T/$case.conf" ||
			fail "merge $case.conf"
		queue "$fmt" "$fmt-$case" "$T/$case.conf" "$f"
	done
done
python3 "$CMP" verdicts "$C" "$T" "$D"
