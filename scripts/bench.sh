#!/bin/sh
# bench.sh - measure qscan against the I/O floor and against what admins
# run today (postqueue -j | filter | postsuper), on generated outboxes.
#
#   scripts/bench.sh [--big] [--dir DIR] [--runs N] [--act-runs N]
#                    [--act-timeout SEC] [--no-qscan-act] [--count N]
#                    [--formats "postfix qmail mdaemon icewarp"]
#                    [--pause-reclaim]
#
# Writes 55,000-message outboxes (qscan-gen, seed 1) under DIR (default
# /var/tmp/qscan-bench; reused while the generator is unchanged), and with
# --big also a 1,000,000-message Postfix queue.  Everything is measured
# with a warm page cache: hyperfine (--export-json) when installed, else
# a loop around `date +%s.%N`.  Destructive runs (quarantine, delete,
# postsuper) each get a fresh `cp -a` copy made by --prepare (not timed;
# the used copy is removed then).  A
# destructive qscan run longer than --act-timeout (default 900 s) is
# killed and reported as such; --no-qscan-act skips those runs.
# qscan rows say "not available" while ./_build/qscan/qscan cannot scan
# the outbox.  The markdown table goes to stdout; logs stay in DIR/logs.
# Binaries: $QSCAN_GEN, $QSCAN, $QSCAN_FLOOR or the ones in ./_build.
# Some VMs page out file cache that was not touched for a while (DAMON
# "pageout", 60 s on the machine these numbers come from): a queue that
# takes longer than that to read is then never warm. The table says
# whether it was on; --pause-reclaim turns it off for the run (root) and
# back on at the end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${QSCAN_BUILDDIR:-$top/_build}
GEN=${QSCAN_GEN:-$B/scripts/qscan-gen}
FLOOR=${QSCAN_FLOOR:-$B/scripts/floor}
QSCAN=${QSCAN:-$B/qscan/qscan}
dir=/var/tmp/qscan-bench runs=5 act_runs=3 big=0 count=55000 bigcount=1000000
act_timeout=900 qscan_act=1 pause=0
formats="postfix qmail mdaemon icewarp"
while [ $# -gt 0 ]; do
	case $1 in
	--big) big=1 ;;
	--dir) dir=$2; shift ;;
	--runs) runs=$2; shift ;;
	--act-runs) act_runs=$2; shift ;;
	--act-timeout) act_timeout=$2; shift ;;
	--no-qscan-act) qscan_act=0 ;;
	--count) count=$2; shift ;;
	--formats) formats=$2; shift ;;
	--pause-reclaim) pause=1 ;;
	*) echo "usage: $0 [--big] [--dir DIR] [--runs N] [--act-runs N] [--act-timeout SEC] [--no-qscan-act] [--count N] [--formats LIST] [--pause-reclaim]" >&2; exit 2 ;;
	esac
	shift
done
for b in "$GEN" "$FLOOR"; do
	[ -x "$b" ] || { echo "bench.sh: $b is missing: run scripts/build.sh first" >&2; exit 2; }
done
mkdir -p "$dir/logs" "$dir/work" || exit 2
dir=$(cd "$dir" && pwd)
res=$dir/results.tsv
: > "$res"
have_hf=0
command -v hyperfine >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 && have_hf=1
say() { echo "bench: $*" >&2; }

# gen NAME FORMAT COUNT - (re)generate $dir/NAME unless the stamp matches
gen() {
	stamp="$1 $2 $3 seed=1 $(cksum < "$GEN" | cut -d' ' -f1)"
	if [ -d "$dir/$1" ] && [ "$(cat "$dir/$1.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	say "generating $1 ($3 $2 messages)"
	rm -rf "$dir/$1" "$dir/$1.stamp"
	"$GEN" --format "$2" --count "$3" --seed 1 --out "$dir/$1" --manifest "$dir/$1.manifest" \
		2>"$dir/logs/gen-$1.log" || { cat "$dir/logs/gen-$1.log" >&2; exit 1; }
	echo "$stamp" > "$dir/$1.stamp"
}

# qdir NAME FORMAT - the directory qscan is pointed at
qdir() { if [ "$2" = mdaemon ]; then echo "$dir/$1/Queues"; else echo "$dir/$1"; fi; }

# fdirs NAME FORMAT - the directories holding what a scanner must read
fdirs() {
	case $2 in
	postfix) echo "$dir/$1/deferred $dir/$1/incoming $dir/$1/active $dir/$1/hold" ;;
	qmail) echo "$dir/$1/mess $dir/$1/info $dir/$1/local $dir/$1/remote" ;;
	mdaemon) echo "$dir/$1/Queues" ;;
	icewarp) echo "$dir/$1/_outgoing" ;;
	esac
}

# measure KEY RUNS PREPARE COMMAND - time COMMAND (stdout discarded);
# appends "KEY min median runs" to results.tsv
measure() {
	key=$1 n=$2 prep=$3 cmd=$4
	say "measuring $key ($n runs): $cmd"
	if [ $have_hf = 1 ]; then
		if [ -n "$prep" ]; then
			hyperfine -i --runs "$n" --prepare "$prep" --export-json "$dir/logs/$key.json" "$cmd" \
				>"$dir/logs/$key.log" 2>&1
		else
			hyperfine -i --warmup 1 --runs "$n" --export-json "$dir/logs/$key.json" "$cmd" \
				>"$dir/logs/$key.log" 2>&1
		fi
		python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f %.3f" % (r["min"], r["median"])); print(*r.get("exit_codes", []), file=open(sys.argv[2], "w"))' \
			"$dir/logs/$key.json" "$dir/logs/$key.codes" > "$dir/logs/$key.mm" 2>/dev/null ||
			echo "- -" > "$dir/logs/$key.mm"
	else
		[ -z "$prep" ] && sh -c "$cmd" >/dev/null 2>&1	# warm-up
		i=0
		: > "$dir/logs/$key.times"
		: > "$dir/logs/$key.codes"
		while [ $i -lt "$n" ]; do
			[ -n "$prep" ] && sh -c "$prep" >/dev/null 2>&1
			t0=$(date +%s.%N)
			sh -c "$cmd" >/dev/null 2>>"$dir/logs/$key.log"
			echo $? >> "$dir/logs/$key.codes"
			t1=$(date +%s.%N)
			echo "$t1 - $t0" | bc -l >> "$dir/logs/$key.times"
			i=$((i + 1))
		done
		sort -n "$dir/logs/$key.times" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f\n", a[1], m}' \
			> "$dir/logs/$key.mm"
	fi
	printf '%s\t%s\t%s\n' "$key" "$(cat "$dir/logs/$key.mm")" "$n" >> "$res"
}

mm() { awk -v k="$1" -F'\t' '$1 == k {print $2}' "$res"; }	# "min median"
med() { mm "$1" | cut -d' ' -f2; }
ratio() {	# ratio KEY BASEKEY
	a=$(med "$1") b=$(med "$2")
	case "$a$b" in *-*|"") echo "-" ;; *) echo "$a $b" | awk '{ if ($2 > 0) printf "%.2fx", $1 / $2; else print "-" }' ;; esac
}

# qscan_ok DIR LOG - qscan exists and finishes a dry run on DIR with a summary
qscan_ok() {
	[ -x "$QSCAN" ] || return 1
	"$QSCAN" --dry-run --json --local-domain demo.example --db "$dir/work/probe.db" "$1" \
		>"$2.out" 2>"$2.err"
	st=$?
	[ $st -le 1 ] || [ $st -eq 3 ] || return 1
	grep -q '"type":"summary"' "$2.out"
}

# fresh NAME PATH... - a --prepare command (not timed): remove the used
# PATHs (a dozen kept copies run a small file system out of inodes) and
# copy the pristine outbox again; then sync, so that the copy's
# write-back does not run (and is not timed) with the command: an MTA's
# outbox is not a fresh copy
fresh() {
	n=$1 w=$2
	shift
	echo "rm -rf $* && cp -a $dir/$n $w && sync"
}

# pf_conf NAME QUEUEDIR - a private Postfix configuration for QUEUEDIR
pf_conf() {
	c=$dir/work/pfconf-$1
	mkdir -p "$c" "$dir/work/pfdata"
	chown postfix "$dir/work/pfdata" 2>/dev/null
	cp /etc/postfix/master.cf "$c/" 2>/dev/null || : > "$c/master.cf"
	cat > "$c/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $2
data_directory = $dir/work/pfdata
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.demo.example
mydestination = demo.example
inet_interfaces = loopback-only
EOF
	echo "$c"
}

FILTER='select(all(.recipients[]; .address | endswith("@demo.example") | not)) | .queue_id'
filter_cmd() {
	if command -v jq >/dev/null 2>&1; then
		echo "jq -r '$FILTER'"
	else
		echo "python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if all(not r[\"address\"].endswith(\"@demo.example\") for r in m[\"recipients\"]): print(m[\"queue_id\"])'"
	fi
}

notes=$dir/logs/notes.txt
: > "$notes"
# proactive reclaim: which DAMON daemons run a pageout scheme
reclaim=$(for k in /sys/kernel/mm/damon/admin/kdamonds/[0-9]*; do
	[ "$(cat "$k/state" 2>/dev/null)" = on ] &&
		grep -qs pageout "$k"/contexts/*/schemes/*/action && echo "$k"
done)
paused=
if [ -n "$reclaim" ] && [ $pause = 1 ]; then
	for k in $reclaim; do echo off > "$k/state" && paused="$paused $k"; done
	trap 'for k in $paused; do echo on > "$k/state"; done' EXIT
	trap 'exit 130' INT TERM
fi
if [ -n "$paused" ]; then
	echo "proactive reclaim (DAMON pageout) was paused for this run (--pause-reclaim):$paused" >> "$notes"
elif [ -n "$reclaim" ]; then
	echo "proactive reclaim (DAMON pageout) was on: file cache idle for about a minute is paged out, so a queue that takes longer to read is never warm (--pause-reclaim)" >> "$notes"
fi
for fmt in $formats; do
	name=$fmt-55k
	[ "$count" -ne 55000 ] && name=$fmt-$count
	gen "$name" "$fmt" "$count"
	src=$(qdir "$name" "$fmt")
	measure "$name.floor" "$runs" "" "$FLOOR $(fdirs "$name" "$fmt")"
	if qscan_ok "$src" "$dir/logs/$name.probe"; then
		sed -n 's/.*"type":"summary"/summary/p' "$dir/logs/$name.probe.out" |
			sed "s|^|$name qscan dry-run |" >> "$notes"
		measure "$name.qscan-dry" "$runs" "" \
			"$QSCAN --dry-run --json --local-domain demo.example --db $dir/work/dry.db $src"
		w=$dir/work/$name
		for act in quarantine delete; do
			if [ $qscan_act = 0 ] || [ "$act_runs" -lt 1 ]; then
				printf '%s\t- -\tskipped\n' "$name.qscan-$act" >> "$res"
				continue
			fi
			wq=$(qdir "work/$name" "$fmt")
			measure "$name.qscan-$act" "$act_runs" \
				"$(fresh "$name" "$w" "$dir/work/q-$name" "$dir/work/$name.db")" \
				"timeout $act_timeout $QSCAN --$act --yes --local-domain demo.example --db $dir/work/$name.db --quarantine-dir $dir/work/q-$name $wq"
			if grep -qw 124 "$dir/logs/$name.qscan-$act.codes" 2>/dev/null; then
				echo "$name qscan --$act: killed after $act_timeout s in at least one run" >> "$notes"
			fi
		done
	else
		say "qscan cannot scan $src yet: its rows say not available (see $dir/logs/$name.probe.err)"
		for k in qscan-dry qscan-quarantine qscan-delete; do
			printf '%s\t- -\t0\n' "$name.$k" >> "$res"
		done
	fi
	if [ "$fmt" = postfix ] && command -v postqueue >/dev/null 2>&1; then
		c=$(pf_conf "$name" "$dir/$name")
		measure "$name.postqueue-j" "$runs" "" "postqueue -c $c -j 2>/dev/null"
		w=$dir/work/$name-pipe
		cw=$(pf_conf "$name-pipe" "$w")
		for act in d h; do
			[ "$act_runs" -lt 1 ] && continue
			measure "$name.pipeline-$act" "$act_runs" "$(fresh "$name" "$w")" \
				"postqueue -c $cw -j 2>/dev/null | $(filter_cmd) | postsuper -c $cw -$act - 2>/dev/null"
		done
		left=$(find "$w/deferred" "$w/incoming" -type f 2>/dev/null | wc -l)
		echo "$name pipeline (after the last postsuper -h run): $left messages left in deferred+incoming" >> "$notes"
	fi
	# the last used copies of this outbox go now (not timed)
	rm -rf "$dir/work/$name" "$dir/work/$name-pipe" "$dir/work/q-$name"
done

if [ $big = 1 ]; then
	name=postfix-1m
	gen "$name" postfix "$bigcount"
	measure "$name.floor" 3 "" "$FLOOR $(fdirs "$name" postfix)"
	/usr/bin/time -v "$FLOOR" $(fdirs "$name" postfix) >/dev/null 2>"$dir/logs/$name.floor.rss"
	if qscan_ok "$dir/$name" "$dir/logs/$name.probe"; then
		measure "$name.qscan-dry" 3 "" \
			"$QSCAN --dry-run --json --local-domain demo.example --db $dir/work/dry.db $dir/$name"
		/usr/bin/time -v "$QSCAN" --dry-run --json --local-domain demo.example --db "$dir/work/dry.db" \
			"$dir/$name" >/dev/null 2>"$dir/logs/$name.qscan.rss"
	else
		printf '%s\t- -\t0\n' "$name.qscan-dry" >> "$res"
	fi
	if command -v postqueue >/dev/null 2>&1; then
		c=$(pf_conf "$name" "$dir/$name")
		measure "$name.postqueue-j" 3 "" "postqueue -c $c -j 2>/dev/null"
		/usr/bin/time -v sh -c "postqueue -c $c -j 2>/dev/null >/dev/null" 2>"$dir/logs/$name.postqueue.rss"
	fi
	for k in floor qscan postqueue; do
		f=$dir/logs/$name.$k.rss
		[ -s "$f" ] && echo "$name peak RSS $k: $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$f") KiB" >> "$notes"
	done
fi

# the table
row() {	# row KEY OUTBOX WHAT FLOORKEY PFKEY
	v=$(mm "$1")
	[ -z "$v" ] && return
	if [ "$v" = "- -" ] && awk -v k="$1" -F'\t' '$1 == k && $3 == "skipped" {f=1} END {exit !f}' "$res"; then
		echo "| $2 | $3 | not measured (--no-qscan-act) | | | |"
	elif [ "$v" = "- -" ]; then
		echo "| $2 | $3 | not available | | | |"
	else
		fr="-"; pr="-"
		[ -n "$4" ] && fr=$(ratio "$1" "$4")
		[ -n "$5" ] && pr=$(ratio "$1" "$5")
		what=$3
		grep -qw 124 "$dir/logs/$1.codes" 2>/dev/null && what="$3 (KILLED by --act-timeout: time is a lower bound)"
		echo "| $2 | $what | $(echo "$v" | cut -d' ' -f1) | $(echo "$v" | cut -d' ' -f2) | $fr | $pr |"
	fi
}
echo "## Results ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1))"
echo
echo "| outbox | what | min s | median s | vs floor | vs Postfix tools |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for name in $(cut -f1 "$res" | sed 's/\..*//' | uniq); do
	row "$name.floor" "$name" "I/O floor (open+read 16 KiB+close, 1 thread)" "" ""
	row "$name.qscan-dry" "$name" "qscan --dry-run --json" "$name.floor" "$name.postqueue-j"
	row "$name.qscan-quarantine" "$name" "qscan --quarantine --yes" "$name.floor" "$name.pipeline-h"
	row "$name.qscan-delete" "$name" "qscan --delete --yes" "$name.floor" "$name.pipeline-d"
	row "$name.postqueue-j" "$name" "postqueue -j (list only)" "$name.floor" ""
	row "$name.pipeline-h" "$name" "postqueue -j \| jq \| postsuper -h -" "$name.floor" ""
	row "$name.pipeline-d" "$name" "postqueue -j \| jq \| postsuper -d -" "$name.floor" ""
done
echo
echo "Runs: $runs (read-only), $act_runs (destructive, each on a fresh copy); timer: $([ $have_hf = 1 ] && hyperfine --version || echo 'date +%s.%N loop')."
echo "\"vs Postfix tools\": qscan dry-run vs postqueue -j, quarantine vs the hold pipeline, delete vs the delete pipeline."
# unlink and mkdir costs depend on the mount: with online `discard` every
# unlink waits for the device to trim the freed blocks
fs=$(findmnt -no FSTYPE,OPTIONS -T "$dir" 2>/dev/null | head -1)
echo "File system of $dir: ${fs:-unknown}$(echo ",${fs#* }," | grep -q ',discard,' && echo ' (online discard: deletions wait for the device)')."
[ -s "$notes" ] && { echo; sed 's/^/- /' "$notes"; }
say "removing used copies"
rm -rf "$dir/work"
exit 0
