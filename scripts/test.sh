#!/bin/sh
# test.sh - quick start, command 2: install what is missing, build, run
# the whole suite (make check: unit tests, the real-Postfix tests, the
# CLI tests), then once more under AddressSanitizer+UBSan, and print
# "N passed, N failed". Exit status 0 only when nothing failed.
#   scripts/test.sh            both passes
#   scripts/test.sh --quick    the plain pass only
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh --test || exit 1
pass=0 fail=0 skip=0 st=0
log=$(mktemp)

run_pass() {	# name builddir configure-args...
	name=$1 b=$2
	shift 2
	echo "== $name: building in $b" >&2
	if ! sh scripts/build.sh "$b" "$@" >"$log" 2>&1; then
		cat "$log" >&2
		echo "== $name: build failed" >&2
		fail=$((fail + 1))
		st=1
		return
	fi
	echo "== $name: make check" >&2
	(cd "$b" && make -k check -j2) >"$log" 2>&1 || st=1
	grep -E '^(FAIL|ERROR|XPASS):' "$log" >&2
	p=$(sed -n 's/^# PASS: *//p' "$log" | tail -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | tail -1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | tail -1)
	x=$(sed -n 's/^# XPASS: *//p' "$log" | tail -1)
	s=$(sed -n 's/^# SKIP: *//p' "$log" | tail -1)
	if [ -z "$p" ]; then
		tail -40 "$log" >&2
		fail=$((fail + 1))
		st=1
		return
	fi
	echo "== $name: ${p} passed, $((f + e + x)) failed, ${s:-0} skipped" >&2
	pass=$((pass + p)) fail=$((fail + f + e + x)) skip=$((skip + ${s:-0}))
}

run_pass plain _build
if [ "${1:-}" != "--quick" ]; then
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_pass sanitizers _build-asan --enable-sanitizers
fi
rm -f "$log"
[ "$fail" -gt 0 ] && st=1
echo "$pass passed, $fail failed, $skip skipped"
exit $st
