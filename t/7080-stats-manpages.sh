#!/bin/sh
# 7080-stats-manpages: doc/qscan.1 and doc/qscan.conf.5 render without
# warnings in 80 columns and name every command, option, JSON type,
# exit code, configuration key and reason tag of shared/CLI.md and
# shared/POLICY.md.
src=${QSCAN_SRCDIR:-.}
shared=${QSCAN_SHARED:-$src/../shared}
if ! command -v man >/dev/null 2>&1; then
	echo "1..0 # SKIP man (man-db) is not installed"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
t() {	# t DESCRIPTION COMMAND...
	n=$((n + 1))
	d=$1
	shift
	if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi
}
for page in qscan.1 qscan.conf.5; do
	MANWIDTH=80 MAN_KEEP_FORMATTING= man --warnings -l "$src/doc/$page" \
		>"$tmp/$page.txt" 2>"$tmp/$page.err"
	t "$page renders" test -s "$tmp/$page.txt"
	t "$page: no troff/man warnings" test ! -s "$tmp/$page.err"
	[ -s "$tmp/$page.err" ] && sed 's/^/# /' "$tmp/$page.err"
	t "$page: no line over 80 columns" sh -c "! awk 'length > 80' '$tmp/$page.txt' | grep -q ."
done
# man renders '-' as U+2010 in some locales: compare in ASCII
LC_ALL=C.UTF-8 sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g' "$tmp/qscan.1.txt" >"$tmp/1"
LC_ALL=C.UTF-8 sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g' "$tmp/qscan.conf.5.txt" >"$tmp/5"
missing() {	# missing FILE WORD... -> the words not in FILE
	f=$1
	shift
	for w in "$@"; do grep -qF -- "$w" "$f" || printf '%s ' "$w"; done
}
cmds="inventory explain quarantine stats blocklist report --html --version --help"
m=$(missing "$tmp/1" $cmds); t "qscan.1 names every command ($m)" test -z "$m"
if [ -f "$shared/CLI.md" ]; then
	opts=$(grep -o '`--[a-z-]*' "$shared/CLI.md" | tr -d '`' | sort -u)
	m=$(missing "$tmp/1" $opts); t "qscan.1 names every option of CLI.md ($m)" test -z "$m"
	keys=$(sed -n '/^## Configuration file/,$p' "$shared/CLI.md" | grep -o '^    [a-z_]* =' | awk '{print $1}' | sort -u)
	m=$(missing "$tmp/5" $keys local_hostnames); t "qscan.conf.5 names every key of CLI.md ($m)" test -z "$m"
else
	t "# SKIP $shared/CLI.md not found" true
	t "# SKIP $shared/CLI.md not found" true
fi
if [ -f "$shared/POLICY.md" ]; then
	tags=$(grep -o '(`[a-z:-]*`' "$shared/POLICY.md" | tr -d '(`' | sed 's/rule:NAME/rule:/' | sort -u)
	m=$(missing "$tmp/1" $tags unreadable malformed); t "qscan.1 names every reason tag ($m)" test -z "$m"
	m=$(missing "$tmp/5" $tags); t "qscan.conf.5 names every reason tag ($m)" test -z "$m"
else
	t "# SKIP $shared/POLICY.md not found" true
	t "# SKIP $shared/POLICY.md not found" true
fi
m=$(missing "$tmp/1" '"type":"day"' '"type":"summary"' 'auth_user, sender_domain' tcprules postfix nft ipset plain)
t "qscan.1 documents stats JSON and every block list format ($m)" test -z "$m"
for code in 0 1 2 3 4; do
	t "qscan.1 documents exit status $code" grep -q "^       $code   " "$tmp/1"
done
m=$(missing "$tmp/1" FILES EXAMPLES qscan.timer cron)
t "qscan.1 has FILES and EXAMPLES with cron and systemd ($m)" test -z "$m"
echo "1..$n"
