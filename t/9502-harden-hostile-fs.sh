#!/bin/sh
# 9502-harden-hostile-fs: queues whose entries were replaced by what an
# attacker (or a broken disk) can put there: symbolic links to
# /etc/passwd, to other queue files and to directories outside the
# queue, hard links to outside files, FIFOs, device nodes, directories
# where files belong, names with newline/ESC/invalid UTF-8/255 bytes,
# 400-deep nesting, 100,000 entries in one directory, and files renamed,
# deleted and replaced while qscan runs. For Postfix, qmail, MDaemon and
# IceWarp, in dry-run and with --quarantine:
#   - qscan never hangs (timeout) or crashes: exit status 0..3;
#   - stdout is valid JSON (strict UTF-8, no raw control bytes);
#   - no link is followed: /etc/passwd and the decoys outside the queue
#     keep content, mode, link count, mtime, ctime (decoys: atime too,
#     set old so any ordinary read moves it), no path through a linked
#     directory is reported, a link/FIFO/device/directory entry is never
#     a readable message, the quarantine holds no copy of outside data;
#   - nothing leaves the queue that was not judged relay and acted on,
#     and every link, FIFO and device node is still where it was.
# Runs as root, like the real thing (mknod; root reads chmod-000 files,
# so FIFOs and vanishing files stand in for unreadable ones).
. "$QSCAN_SRCDIR/t/lib/tap.sh"
[ "$(id -u)" = 0 ] || skip_all "runs as root (mknod, and root is what qscan runs as)"
command -v python3 >/dev/null || skip_all "python3 needed to check JSON"
pfx="$QSCAN_SHARED/fixtures/postfix-3.7.11-queue-before-delete.tar"
qmx="$QSCAN_SHARED/fixtures/notqmail-1.08-queue-final.tar"
[ -f "$pfx" ] && [ -f "$qmx" ] || skip_all "no shared fixtures at $QSCAN_SHARED"
tmp=$(mktemp -d)
bgpid=
cleanup() { [ -z "$bgpid" ] || kill "$bgpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$QSCAN_SRCDIR/t/lib/hostile.sh"
T=${QSCAN_HARDEN_TIMEOUT:-120}

# ---- decoys outside every queue ------------------------------------
out="$tmp/outside"
mkdir -p "$out/pfdir/4" "$out/qmess" "$out/iwdir" "$out/mddir"
printf 'secret: do not read me\n' > "$out/secret.txt"
tar --numeric-owner -xpf "$pfx" -C "$tmp" deferred/9/4jXWF04Gfhz87nq
relayfile="$tmp/deferred/9/4jXWF04Gfhz87nq"	# judged relay with --local-domain mail.test
cp "$relayfile" "$out/pfdir/4/4D0C0FFEE01"
cp "$relayfile" "$out/pfdir/4D0C0FFEE02"
cp "$relayfile" "$out/hard"
relay_hdr='Received: from spam.example ([203.0.113.9]) by mx.mail.test with ESMTP id 1; Mon, 23 Nov 2026 10:00:00 +0000
From: spam@spam.example
Subject: cheap pills
'
relay_eml="X-Decoy: outside, unique bytes
$relay_hdr"
printf '%sX-MDRemoteIP: 203.0.113.9\nX-Envelope-From: spam@spam.example\nX-MDaemon-Deliver-To: victim@far.example\n\nbody\n' "$relay_eml" > "$out/mddir/md50000000077.msg"
printf '%s\nbody\n' "$relay_eml" > "$out/iwdir/202001170000000077.tmp"
mdmsg=$(printf '%sX-MDRemoteIP: 203.0.113.9\nX-Envelope-From: spam@spam.example\nX-MDaemon-Deliver-To: victim@far.example\n\nbody\n' "$relay_hdr")
iwmsg=$(printf '%s\nbody\n' "$relay_hdr")
tar --numeric-owner -xpf "$qmx" -C "$tmp" queue/mess/10/10994539
mv "$tmp/queue/mess/10/10994539" "$out/qmess/99995"
decoys="$out/secret.txt $out/pfdir/4/4D0C0FFEE01 $out/pfdir/4D0C0FFEE02 $out/mddir/md50000000077.msg $out/iwdir/202001170000000077.tmp $out/qmess/99995"
age_atime $decoys
snap_a decoys $decoys
snap system /etc/passwd /etc/shadow /etc/hostname
hard_sum=$(sha256sum < "$out/hard")
# content hashes of the outside files no queue file equals: the
# quarantine must hold none of them
(sha256sum "$out/secret.txt" "$out/mddir/md50000000077.msg" "$out/iwdir/202001170000000077.tmp" \
	/etc/passwd /etc/shadow | cut -c1-64) > "$tmp/outside.sums"

# ---- helpers ----------------------------------------------------------
run() {	# run NAME ARGS...: qscan with a timeout; exit status in $st
	_name=$1; shift
	mkdir -p "$tmp/r/$_name"
	timeout -k 5 "$T" "$QSCAN" --json --no-progress -j 2 --min-age 0 "$@" \
		> "$tmp/r/$_name/out.json" 2> "$tmp/r/$_name/err"
	st=$?
}
check() {	# check NAME DESC [SPECIAL-LIST]: exit status and JSON
	_d="$tmp/r/$1"
	ok $([ "$st" -le 3 ] && echo 0 || echo 1) "$2: exits cleanly (status $st; 124 = hung, >128 = crashed)"
	[ "$st" -le 3 ] || sed 's/^/# stderr: /' "$_d/err" | head -5
	SPECIAL=${3:-/dev/null} jsonck "$_d/out.json" > "$_d/facts"
	is "$(sed -n 's/^valid //p' "$_d/facts")" True "$2: output is valid JSON, names escaped"
	grep '^why' "$_d/facts" | sed 's/^/# /'
	is "$(grep -c '^special\|^acted_not_relay' "$_d/facts")" 0 \
		"$2: no link, FIFO, device or directory read as a message; only relay acted on"
	grep '^special\|^acted_not_relay' "$_d/facts" | sed 's/^/# /' | head -5
}
no_path() {	# no_path NAME PREFIX DESC: no reported path starts with PREFIX
	is "$(grep -c "^$2" "$tmp/r/$1/paths.txt")" 0 "$3"
}
left_alone() {	# left_alone NAME BEFORE AFTER DESC: only acted files left the queue
	gone "$2" "$3" > "$tmp/r/$1/gone"
	sort -u "$tmp/r/$1/acted.txt" > "$tmp/r/$1/acted.sorted"
	is "$(sort -u "$tmp/r/$1/gone" | comm -23 - "$tmp/r/$1/acted.sorted" | head -3 | tr '\n' ' ')" "" "$4"
}
qdir_clean() {	# qdir_clean DIR DESC: no copy of outside data in the quarantine
	_hits=0
	if [ -d "$1" ]; then
		_hits=$(find "$1" -type f -exec sha256sum {} + | cut -c1-64 | grep -c -F -f "$tmp/outside.sums")
	fi
	is "$_hits" 0 "$2"
}
special_list() {	# special_list ROOT REL...: the entries that are not messages
	_r=$1; shift
	for _p; do printf '%s\n' "$_p"; done > "$_r.special"
}
devnode() {	# devnode PATH: a character device like /dev/zero (endless data)
	mknod -m 644 "$1" c 1 5 2>/dev/null
}

# ---- Postfix ------------------------------------------------------------
pf="$tmp/pf"
mkdir "$pf" && tar --numeric-owner -xpf "$pfx" -C "$pf"
mkdir -p "$pf/deferred/2" "$pf/deferred/3" "$pf/deferred/8" "$pf/deferred/B" "$pf/deferred/C" "$pf/incoming" "$pf/active"
ln -s /etc/passwd "$pf/deferred/2/2B0C0FFEE11"
ln -s ../5/5F5D41080C1 "$pf/deferred/3/3C0FFEE0001"
ln -s "$out/pfdir/4" "$pf/deferred/4"			# a hash directory that is a link
ln -s "$out/pfdir" "$pf/maildrop"			# a whole sub-queue that is a link
ln -s 5 "$pf/deferred/D"				# a hash directory linked to another one
ln -s "$out/pfdir/4D0C0FFEE02" "$pf/hold/4D0C0FFEE02"
ln -s /etc "$pf/deferred/C/C0FFEE00D1R"			# a link to a directory as a file
ln "$out/hard" "$pf/deferred/8/8A4D0C0FFEE"		# hard link to an outside file
mkfifo "$pf/deferred/B/B1F0F1F0F10" "$pf/incoming/1F1F0F1F0F1"
devok=0
devnode "$pf/deferred/B/B0DE0DE0DE0" && devnode "$pf/active/A0DE0DE0DE0" && devok=1
mkdir -p "$pf/deferred/A/AD1D1D1D1D1/x" && cp "$relayfile" "$pf/deferred/A/AD1D1D1D1D1/x/AD1D1D1D1D1"
for n in "$(printf 'A\nBAD')" "$(printf 'A\033[2J\033]0;pwned\007')" "$(printf 'A\377\376')" \
	"A$(printf '%0254d' 0)"; do
	cp "$relayfile" "$pf/deferred/A/$n"
done
# 400 directories deep, a queue file at the bottom
(cd "$pf/deferred/1" && i=0 && while [ $i -lt 400 ]; do mkdir d && cd d || exit 1; i=$((i + 1)); done &&
	cp "$relayfile" 1DEE9DEE9DE) || bail_out=1
special_list "$pf" deferred/2/2B0C0FFEE11 deferred/3/3C0FFEE0001 hold/4D0C0FFEE02 \
	deferred/C/C0FFEE00D1R deferred/B/B1F0F1F0F10 incoming/1F1F0F1F0F1 deferred/B/B0DE0DE0DE0 \
	active/A0DE0DE0DE0 deferred/A/AD1D1D1D1D1
specials="$pf/deferred/2/2B0C0FFEE11 $pf/deferred/3/3C0FFEE0001 $pf/deferred/4 $pf/maildrop $pf/deferred/D \
	$pf/hold/4D0C0FFEE02 $pf/deferred/C/C0FFEE00D1R $pf/deferred/B/B1F0F1F0F10 $pf/incoming/1F1F0F1F0F1"
[ $devok = 1 ] && specials="$specials $pf/deferred/B/B0DE0DE0DE0 $pf/active/A0DE0DE0DE0"
[ $devok = 1 ] || diag "mknod refused here: device-node cases left out"
snap pfspecial $specials

run pf-dry --dry-run --local-domain mail.test "$pf"
check pf-dry "postfix dry run" "$pf.special"
no_path pf-dry 'deferred/4/' "postfix: the linked hash directory deferred/4 is not walked"
no_path pf-dry 'maildrop/' "postfix: the linked sub-queue maildrop is not walked"
no_path pf-dry 'deferred/D/' "postfix: deferred/D, a link to the queue's own deferred/5, is not walked"
no_path pf-dry 'deferred/1/d/d/d/d/d/d/d/d/d/d' "postfix: 400-deep nesting is not descended"
same decoys "postfix dry run: decoys outside the queue untouched (content, mtime, ctime, atime)"
same system "postfix dry run: /etc/passwd, /etc/shadow untouched"

listq "$pf" "$tmp/pf.before"
run pf-q --quarantine --yes --db "$tmp/pf.db" --quarantine-dir "$tmp/pf.qdir" --local-domain mail.test "$pf"
check pf-q "postfix quarantine" "$pf.special"
listq "$pf" "$tmp/pf.after"
left_alone pf-q "$tmp/pf.before" "$tmp/pf.after" "postfix quarantine: only files of relay messages acted on left the queue"
is "$(grep -c . "$tmp/r/pf-q/acted.txt")" "$(grep -c . "$tmp/r/pf-q/gone")" "postfix quarantine: every acted file really left the queue"
same pfspecial "postfix quarantine: every link, FIFO and device node is still in place"
same decoys "postfix quarantine: decoys outside the queue untouched"
same system "postfix quarantine: /etc/passwd, /etc/shadow untouched"
is "$(sha256sum < "$out/hard")" "$hard_sum" "postfix quarantine: the hard-linked outside file keeps its content"
qdir_clean "$tmp/pf.qdir" "postfix quarantine: no copy of outside data in the quarantine"

# ---- qmail ----------------------------------------------------------------
qm="$tmp/qm"
mkdir "$qm" && tar --numeric-owner -xpf "$qmx" -C "$qm"
q="$qm/queue"
for s in 0 1 2 3 4; do mkdir -p "$q/mess/$s" "$q/info/$s" "$q/remote/$s" "$q/local/$s"; done
M="$q/mess/10/10994539" I="$q/info/10/10994539" R="$q/remote/10/10994539"
ln -s /etc/passwd "$q/mess/0/99991"; cp "$I" "$q/info/0/99991"; cp "$R" "$q/remote/0/99991"
cp "$M" "$q/mess/1/99992"; ln -s "$out/secret.txt" "$q/info/1/99992"; cp "$R" "$q/remote/1/99992"
cp "$M" "$q/mess/2/99993"; mkfifo "$q/todo/99993"
cp "$M" "$q/mess/3/99994"; mkdir "$q/info/3/99994"; cp "$R" "$q/remote/3/99994"
cp "$M" "$q/mess/4/99996"; cp "$I" "$q/info/4/99996"
devnode "$q/remote/4/99996" || cp "$R" "$q/remote/4/99996"
ln -s "$out/qmess" "$q/mess/23"; mkdir -p "$q/info/23" && cp "$I" "$q/info/23/99995"
special_list "$q" mess/0/99991 mess/23/99995
snap qmspecial "$q/mess/0/99991" "$q/info/1/99992" "$q/todo/99993" "$q/info/3/99994" "$q/remote/4/99996" "$q/mess/23"
run qm-dry --dry-run --local-domain mail.test "$q"
check qm-dry "qmail dry run" "$q.special"
no_path qm-dry 'mess/23/' "qmail: the linked split directory mess/23 is not walked"
listq "$q" "$tmp/qm.before"
run qm-q --quarantine --yes --db "$tmp/qm.db" --quarantine-dir "$tmp/qm.qdir" --local-domain mail.test "$q"
check qm-q "qmail quarantine" "$q.special"
listq "$q" "$tmp/qm.after"
left_alone qm-q "$tmp/qm.before" "$tmp/qm.after" "qmail quarantine: only files of relay messages acted on left the queue"
same qmspecial "qmail quarantine: links, FIFO, device and directory entries still in place"
same decoys "qmail: decoys outside the queue untouched"
qdir_clean "$tmp/qm.qdir" "qmail quarantine: no copy of outside data in the quarantine"

# ---- MDaemon ----------------------------------------------------------------
md="$tmp/md/Queues"
mkdir -p "$md/Remote" "$md/Local"
r="$md/Remote"
printf '%s\n' "$mdmsg" > "$r/md50000000001.msg"
ln -s /etc/passwd "$r/md50000000002.msg"
mkfifo "$r/md50000000003.msg"
mkdir "$r/md50000000004.msg"
printf '%s\n' "$mdmsg" > "$r/md50000000005.msg"; ln -s "$out/secret.txt" "$r/md50000000005.rte"
devnode "$r/md50000000006.msg" || mkfifo "$r/md50000000006.msg"
ln -s "$out/mddir" "$md/Retry"
ln -s "$out/mddir/md50000000077.msg" "$r/md50000000007.msg"
for n in "$(printf 'md5\n0000000008.msg')" "$(printf 'md5\0330000000009.msg')" "$(printf 'md5\377.msg')"; do
	printf '%s\n' "$mdmsg" > "$r/$n"
done
touch -h -d '-1 hour' "$r"/*.msg "$r"/*.rte 2>/dev/null	# -h: never through our links
special_list "$md" Remote/md50000000002.msg Remote/md50000000003.msg Remote/md50000000004.msg \
	Remote/md50000000006.msg Remote/md50000000007.msg
snap mdspecial "$r/md50000000002.msg" "$r/md50000000003.msg" "$r/md50000000004.msg" \
	"$r/md50000000005.rte" "$r/md50000000006.msg" "$r/md50000000007.msg" "$md/Retry"
run md-dry --dry-run --format mdaemon --local-domain mail.test "$md"
check md-dry "mdaemon dry run" "$md.special"
no_path md-dry 'Retry/' "mdaemon: the linked queue Retry is not walked"
listq "$md" "$tmp/md.before"
run md-q --quarantine --yes --format mdaemon --db "$tmp/md.db" --quarantine-dir "$tmp/md.qdir" --local-domain mail.test "$md"
check md-q "mdaemon quarantine" "$md.special"
listq "$md" "$tmp/md.after"
left_alone md-q "$tmp/md.before" "$tmp/md.after" "mdaemon quarantine: only files of relay messages acted on left the queue"
same mdspecial "mdaemon quarantine: links, FIFO, device and directory entries still in place"
same decoys "mdaemon: decoys outside the queue untouched"
qdir_clean "$tmp/md.qdir" "mdaemon quarantine: no copy of outside data in the quarantine"

# ---- IceWarp ----------------------------------------------------------------
iw="$tmp/iw/mail"
p0="$iw/_outgoing/priority_0"
mkdir -p "$p0" "$iw/_outgoing/priority_2"
src="$tmp/iw.src"
printf '%s\n' "$iwmsg" > "$src"
cp "$src" "$p0/202001170000000001.tmp"
printf 'MAIL FROM:<spam@spam.example>\r\nRCPT TO:<victim@far.example>\r\n' > "$p0/202001170000000001.dat"
ln -s /etc/passwd "$p0/202001170000000002.tmp"
mkfifo "$p0/202001170000000003.tmp"
mkdir "$p0/202001170000000004.tmp"
cp "$src" "$p0/202001170000000005.tmp"; ln -s "$out/secret.txt" "$p0/202001170000000005.dat"
devnode "$p0/202001170000000006.tmp" || mkfifo "$p0/202001170000000006.tmp"
ln -s "$out/iwdir" "$iw/_outgoing/priority_1"
for n in "$(printf 'odd\nname.tmp')" "$(printf 'esc\033[2J\033]0;x\007.tmp')" "$(printf 'bad\377\376.tmp')" \
	"$(printf '%0250d' 7).tmp"; do
	cp "$src" "$p0/$n"
done
find "$iw" -type f -exec touch -h -d '-1 hour' {} +
special_list "$iw" _outgoing/priority_0/202001170000000002.tmp _outgoing/priority_0/202001170000000003.tmp \
	_outgoing/priority_0/202001170000000004.tmp _outgoing/priority_0/202001170000000006.tmp
snap iwspecial "$p0/202001170000000002.tmp" "$p0/202001170000000003.tmp" "$p0/202001170000000004.tmp" \
	"$p0/202001170000000005.dat" "$p0/202001170000000006.tmp" "$iw/_outgoing/priority_1"
run iw-dry --dry-run --format icewarp --local-domain mail.test "$iw"
check iw-dry "icewarp dry run" "$iw.special"
no_path iw-dry '_outgoing/priority_1/' "icewarp: the linked priority_1 folder is not walked"
grep -q 'odd\\nname.tmp' "$tmp/r/iw-dry/paths.txt"
ok $? "icewarp: a name with a newline is reported, escaped"
listq "$iw" "$tmp/iw.before"
run iw-q --quarantine --yes --format icewarp --db "$tmp/iw.db" --quarantine-dir "$tmp/iw.qdir" --local-domain mail.test "$iw"
check iw-q "icewarp quarantine" "$iw.special"
listq "$iw" "$tmp/iw.after"
left_alone iw-q "$tmp/iw.before" "$tmp/iw.after" "icewarp quarantine: only files of relay messages acted on left the queue"
same iwspecial "icewarp quarantine: links, FIFO, device and directory entries still in place"
same decoys "icewarp: decoys outside the queue untouched"
qdir_clean "$tmp/iw.qdir" "icewarp quarantine: no copy of outside data in the quarantine"

# ---- 100,000 entries in one directory -----------------------------------
big="$tmp/big"
mkdir -p "$big/deferred/F" "$big/deferred/9"
cp "$relayfile" "$big/deferred/9/4jXWF04Gfhz87nq"
(cd "$big/deferred/F" && awk 'BEGIN { for (i = 0; i < 100000; i++) printf "F%010X\n", i }' | xargs touch && chmod 700 F*)	# 0700: finished, so each is read
is "$(find "$big/deferred/F" -type f | wc -l)" 100000 "100,000 empty files in one Postfix hash directory"
run big --dry-run --local-domain mail.test "$big"
check big "100,000 entries"
is "$(grep -c '"path":"deferred/9/4jXWF04Gfhz87nq"' "$tmp/r/big/out.json")" 1 "100,000 entries: the real message is still found"
rm -rf "$big"

# ---- files renamed, deleted and replaced during the scan ----------------
race="$tmp/race"
mkdir -p "$race/deferred/9" "$race/deferred/E"
i=0
while [ $i -lt 1500 ]; do
	cp "$relayfile" "$race/deferred/E/E$(printf '%010X' $i)"
	i=$((i + 1))
done
cp "$relayfile" "$tmp/race.src"
# the mutator: for a bounded time, rename, delete, recreate, swap in a
# link to /etc/passwd or a FIFO, and put things back
(
	end=$(($(date +%s) + 12))
	n=0
	while [ "$(date +%s)" -lt "$end" ]; do
		n=$(((n + 7) % 1500))
		f="$race/deferred/E/E$(printf '%010X' $n)"
		case $((n % 5)) in
		0) mv -f "$f" "$f.x" 2>/dev/null; mv -f "$f.x" "$f" 2>/dev/null ;;
		1) rm -f "$f"; cp "$tmp/race.src" "$f" ;;
		2) rm -f "$f"; ln -s /etc/passwd "$f"; rm -f "$f"; cp "$tmp/race.src" "$f" ;;
		3) rm -f "$f"; mkfifo "$f"; rm -f "$f" ;;
		4) rm -f "$f"; mkdir "$f" 2>/dev/null; rmdir "$f" 2>/dev/null ;;
		esac
	done
) &
bgpid=$!
k=0
race_bad=0 race_json=0
while [ $k -lt 3 ]; do
	run race$k --dry-run --local-domain mail.test "$race"
	[ "$st" -le 3 ] || race_bad=$((race_bad + 1))
	jsonck "$tmp/r/race$k/out.json" > "$tmp/r/race$k/facts"
	grep -q "^valid True" "$tmp/r/race$k/facts" || race_json=$((race_json + 1))
	k=$((k + 1))
done
run race-q --quarantine --yes --db "$tmp/race.db" --quarantine-dir "$tmp/race.qdir" --local-domain mail.test "$race"
[ "$st" -le 3 ] || race_bad=$((race_bad + 1))
wait "$bgpid" 2>/dev/null
bgpid=
is "$race_bad" 0 "races: every run exits cleanly while files move under it"
is "$race_json" 0 "races: every dry run prints valid JSON"
check race-q "races: quarantine"
# every file the report says was quarantined is in the store
missing=0
for id in $(sed -n 's/.*"id":"\([^"]*\)".*"action":"quarantined".*/\1/p' "$tmp/r/race-q/out.json"); do
	# flat store: <uu>/<uuid>.<relative path, '/' as %2F>
	find "$tmp/race.qdir" -type f \( -name "*%2F$id" -o -name "*.$id" \) | grep -q . ||
		missing=$((missing + 1))
done
is "$missing" 0 "races: every message reported quarantined is in the quarantine store"
qdir_clean "$tmp/race.qdir" "races: no copy of /etc/passwd or other outside data in the quarantine"
same system "races: /etc/passwd, /etc/shadow untouched"
same decoys "all runs: decoys outside the queues untouched"
done_testing
