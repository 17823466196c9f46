#!/bin/sh
# fuzz.sh - build the libFuzzer targets of fuzz/ against the qscan
# sources (clang, ASan + UBSan) and run them.
#
#   scripts/fuzz.sh [-t SECONDS] [-r RUNS] [-j JOBS] [-d SCRATCH] [-b] [-l] [-p] [TARGET...]
#
#   -t SECONDS  run each target at most this long (default 60 when no -r)
#   -r RUNS     run each target for at most this many executions
#   -l          LeakSanitizer after every input (slow: 2-3 times fewer
#               executions; t/9501 under ASan checks the replays for
#               leaks at exit either way)
#   -j JOBS     targets fuzzed at the same time (default 1)
#   -d SCRATCH  scratch directory: objects, binaries, corpora, logs,
#               crash artifacts (default /tmp/qscan-fuzz; corpora are
#               kept between runs, so a second run starts where the
#               first stopped)
#   -b          build only
#   -p          build plain drivers (fuzz/standalone.c main, no libFuzzer)
#               as SCRATCH/bin/plain-TARGET and stop: with
#               CC=afl-clang-fast they are AFL++ targets
#               (afl-fuzz -i seeds -o out -- plain-TARGET @@), with gcc
#               or clang they replay files: plain-TARGET FILE|DIR...
#   TARGET      postfix qmail mdaemon icewarp received addr hdr dsn config
#               (default: all)
#
# Seeds come from t/data (corpus, received cases, configurations, the
# regression inputs in t/data/fuzz/) and from the Postfix and notqmail
# fixture queues in $QSCAN_SHARED/fixtures (default ../shared). At the
# end one line per target: executions, executions/s, coverage (the
# libFuzzer "cov:" edge count), crashes. A crash leaves its input in
# SCRATCH/artifacts/TARGET/; copy it to t/data/fuzz/TARGET/ so that
# t/9501-harden-fuzz-regress replays it in `make check`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
secs= runs= jobs=1 leaks=0 plain= scratch=/tmp/qscan-fuzz build_only=
while getopts t:r:j:d:blp o; do
	case $o in
	t) secs=$OPTARG ;;
	r) runs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	d) scratch=$OPTARG ;;
	b) build_only=1 ;;
	l) leaks=1 ;;
	p) plain=1 ;;
	*) sed -n '2,30s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
all="postfix qmail mdaemon icewarp received addr hdr dsn config"
targets=${*:-$all}
shared=${QSCAN_SHARED:-$top/../shared}
CC=${CC:-clang}
command -v "${CC%% *}" >/dev/null || { echo "fuzz.sh: $CC not found (apt-get install clang)" >&2; exit 2; }
if [ -n "$plain" ]; then
	link="$top/fuzz/standalone.c" nolink= obj=obj-plain
else
	link="-fsanitize=fuzzer" nolink="-fsanitize=fuzzer-no-link" obj=obj
fi

# config.h and db/schema-sql.h come from an ordinary build
[ -f "$top/_build/config.h" ] || sh "$top/scripts/build.sh"
make -s -C "$top/_build" db/schema-sql.h >/dev/null
srcs=$(make -s -C "$top/_build" print-libqscan-sources | tr ' ' '\n' | grep '\.c$')

mkdir -p "$scratch/$obj" "$scratch/bin" "$scratch/seeds" "$scratch/corpus" "$scratch/logs" "$scratch/artifacts"
pkgs="glib-2.0 gmime-3.0 sqlite3 libpcre2-8 uuid"
CFLAGS_F="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
 -I$top/_build -I$top/_build/db -I$top -I$top/qscan -I$top/parsers -I$top/db -I$top/fuzz \
 -DHAVE_CONFIG_H -DSYSCONFDIR=\"/etc\" -DLOCALSTATEDIR=\"/var\" -DQS_MAX_PTR_JUMPS=100 \
 $(pkg-config --cflags $pkgs)"
LIBS_F=$(pkg-config --libs $pkgs)

echo "fuzz.sh: compiling $(echo "$srcs" | wc -l) qscan sources with $CC (ASan+UBSan${nolink:+, fuzzer-no-link})"
# objects are rebuilt when their source, any header or the flags changed
stamp="$scratch/$obj/flags"
[ "$(cat "$stamp" 2>/dev/null)" = "$CC $CFLAGS_F" ] || rm -f "$scratch/$obj"/*.o
echo "$CC $CFLAGS_F" > "$stamp"
newest_h=$(ls -t "$top"/qscan/*.h "$top"/parsers/*.h "$top"/db/*.h "$top"/fuzz/*.h "$top/_build/config.h" | head -1)
objs=
for s in $srcs fuzz/fuzzutil.c; do
	o="$scratch/$obj/$(echo "$s" | tr / _).o"
	if [ ! -f "$o" ] || [ "$top/$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS_F $nolink -c "$top/$s" -o "$o"
	fi
	objs="$objs $o"
done
for t in $targets; do
	[ -f "$top/fuzz/fuzz-$t.c" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
	name=fuzz-$t; [ -z "$plain" ] || name=plain-$t
	# shellcheck disable=SC2086
	$CC $CFLAGS_F "$top/fuzz/fuzz-$t.c" $link $objs $LIBS_F -o "$scratch/bin/$name"
done
[ -z "$build_only$plain" ] || { echo "fuzz.sh: built in $scratch/bin"; exit 0; }

# ---- seeds ---------------------------------------------------------
SEP=$(printf '\n\001QSFILE\001\nx')
SEP=${SEP%x}
fix="$scratch/fixtures"
if [ ! -d "$fix/postfix" ] && [ -d "$shared/fixtures" ]; then
	mkdir -p "$fix/postfix" "$fix/qmail"
	tar --numeric-owner -xpf "$shared/fixtures/postfix-3.7.11-queue-final.tar" -C "$fix/postfix" 2>/dev/null || :
	tar --numeric-owner -xpf "$shared/fixtures/postfix-3.7.11-queue-before-delete.tar" -C "$fix/postfix" 2>/dev/null || :
	tar --numeric-owner -xpf "$shared/fixtures/notqmail-1.08-queue-final.tar" -C "$fix/qmail" 2>/dev/null || :
	mkdir -p "$fix/qmail4"
	tar --numeric-owner -xpf "$shared/fixtures/notqmail-1.08-queue-S4-todo.tar" -C "$fix/qmail4" 2>/dev/null || :
fi
seed() {	# seed TARGET NAME < bytes
	mkdir -p "$scratch/seeds/$1"
	cat > "$scratch/seeds/$1/$2"
}
joined() {	# joined FILE... : the files joined by SEP ("-" = missing: stop)
	first=1
	for f; do
		[ "$f" = - ] && break
		[ $first = 1 ] || printf '%s' "$SEP"
		first=0
		[ -f "$f" ] && cat "$f"
	done
}
build_seeds() {
	rm -rf "$scratch/seeds"
	mkdir -p "$scratch/seeds"
	n=0
	for f in $(find "$fix/postfix" -type f -size -2M 2>/dev/null | grep -v '/pid/\|/public/\|/private/'); do
		n=$((n + 1)); seed postfix "fixture$n" < "$f"
	done
	for q in "$fix/qmail" "$fix/qmail4"; do
		for m in $(find "$q" -path '*/mess/*' -type f 2>/dev/null); do
			inode=${m##*/}; base=${m%/mess/*}
			g() { f=$(find "$base/$1" -name "$inode" -type f 2>/dev/null | head -1); echo "${f:-/nonexistent}"; }
			n=$((n + 1))
			joined "$m" "$(g info)" "$(g local)" "$(g remote)" "$(g todo)" | seed qmail "fixture$n"
			joined "$m" "$(g info)" "$(g remote)" | seed qmail "fixture$n-s5"
			seed dsn "qmail$n" < "$m"
			seed hdr "qmail$n" < "$m"
		done
	done
	for e in "$top"/t/data/corpus/*.eml; do
		b=$(basename "$e" .eml)
		seed hdr "$b" < "$e"
		seed dsn "$b" < "$e"
		seed mdaemon "$b" < "$e"
		joined "$e" "$e" | seed mdaemon "$b-rte"
		seed icewarp "$b" < "$e"
		printf 'X-Sender\nalice@example.com\n' | joined "$e" /dev/stdin | seed icewarp "$b-dat"
	done
	for c in "$top"/t/data/conf/*.conf "$top"/t/data/corpus/*.conf; do
		[ -f "$c" ] && seed config "$(basename "$c")" < "$c"
	done
	# Received values: one unfolded value per case of the table test
	mkdir -p "$scratch/seeds/received"
	awk -v dir="$scratch/seeds/received" '
		/^line:/ { if (v != "") { n++; printf "%s", v > (dir "/case" n); close(dir "/case" n) } v = substr($0, 6); sub(/^ /, "", v); next }
		/^more:/ { v = v substr($0, 6); next }
		END { if (v != "") { n++; printf "%s", v > (dir "/case" n) } }' \
		"$top/t/data/received/cases.txt"
	i=0
	for a in 'user@example.com' 'user%remote.example@example.com' '"user@remote.example"@example.com' \
		'user@remote.example@example.com' '@example.com:user@remote.example' '@a.example,@b.example:u@c.example' \
		'remote.example!user' 'remote.example!user@example.com' 'user@[192.0.2.10]' 'user@[IPv6:2001:db8::10]' \
		'user@bücher.example' 'USER@Example.COM.' 'postmaster' '"a\"b"@x.example' 'a%b%c@example.org' \
		'u@sub.example.org' 'u@xn--bcher-kva.example' '<>' 'u@[300.1.1.1]' 'a@b@c@d@e@f@g@h@i@j@k@l@m@n@o@p@q@r'; do
		i=$((i + 1)); printf '%s' "$a" | seed addr "a$i"
	done
	# regression inputs of every target
	for t in $all; do
		for f in "$top/t/data/fuzz/$t"/*; do
			[ -f "$f" ] && seed "$t" "regress-$(basename "$f")" < "$f"
		done
	done
	:
}
build_seeds

# a dictionary for the multi-file targets and the record formats
printf 'sep="\\x0a\\x01QSFILE\\x01\\x0a"\n"Received: "\n"From: "\n"Content-Type: multipart/report; report-type=delivery-status; boundary=\\"b\\""\n"--b"\n"Final-Recipient: rfc822; "\n"Status: 5.0.0"\n"message/delivery-status"\n"message/rfc822"\n"=?utf-8?b?"\n"=?ks_c_5601-1987?q?"\n"X-MDaemon-Deliver-To: "\n"X-Return-Path: "\n"X-MDRemoteIP: "\n"X-Envelope-From: "\n' > "$scratch/dict"

# ---- run -----------------------------------------------------------
run_one() {
	t=$1
	mkdir -p "$scratch/corpus/$t" "$scratch/artifacts/$t"
	lim=
	[ -z "$runs" ] || lim="-runs=$runs"
	[ -n "$secs" ] || [ -n "$runs" ] || secs=60
	[ -z "$secs" ] || lim="$lim -max_total_time=$secs"
	tmp=$(mktemp -d /dev/shm/qsfuzz-tmp.XXXXXX 2>/dev/null || mktemp -d)
	# shellcheck disable=SC2086
	TMPDIR=$tmp "$scratch/bin/fuzz-$t" $lim -print_final_stats=1 -detect_leaks=$leaks -rss_limit_mb=4096 \
		-max_len=65536 -timeout=20 -dict="$scratch/dict" \
		-artifact_prefix="$scratch/artifacts/$t/" \
		"$scratch/corpus/$t" "$scratch/seeds/$t" > "$scratch/logs/$t.log" 2>&1 || :
	rm -rf "$tmp"
}
running=0
for t in $targets; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then wait; running=0; fi
done
wait

printf '%-9s %12s %9s %7s %6s %8s\n' target executions exec/s cov ft crashes
for t in $targets; do
	l="$scratch/logs/$t.log"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$l" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$l" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$l" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$l" | tail -1 | cut -d' ' -f2)
	crashes=$(find "$scratch/artifacts/$t" -type f | wc -l)
	printf '%-9s %12s %9s %7s %6s %8s\n' "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
done
echo "logs: $scratch/logs  corpora: $scratch/corpus  crashes: $scratch/artifacts"
