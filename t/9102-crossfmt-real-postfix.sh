#!/bin/sh
# 9102-crossfmt-real-postfix.sh - the labelled corpus through a REAL Postfix:
# a private instance (t/lib/postfix-instance.sh) set up as the corpus
# server (myhostname, mydestination, an open relay, XCLIENT from loopback,
# every transport deferred) gets every case over SMTP with swaks (XCLIENT
# ADDR/NAME, LOGIN for the AUTH user, the case's HELO) or with sendmail for
# locally submitted ones (t/lib/crossfmt-inject.py says how), then
# `qscan --dry-run --json` on its queue must give expected.txt's verdict,
# reasons and envelope for each queue file Postfix wrote.
set -u
: "${QSCAN:?}" "${QSCAN_TEST_DATA:?}" "${QSCAN_SRCDIR:?}"
C=$QSCAN_TEST_DATA/corpus
LIB=$QSCAN_SRCDIR/t/lib
. "$LIB/postfix-instance.sh"

if [ ! -f "$C/expected.txt" ]; then
	echo "1..0 # SKIP no labelled corpus (t/data/corpus/expected.txt)"
	exit 0
fi
if ! why=$(pf_check_tools); then
	echo "1..0 # SKIP $why"
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/qs9102.XXXXXX") || exit 1
chmod 755 "$T"
trap 'pf_stop; [ -n "${QSCAN_KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 1' INT TERM PIPE

fail() {
	echo "not ok 1 - setup: $*"
	echo "1..1"
	exit 1
}

# The cases a real Postfix cannot produce, and why. crossfmt-inject.py
# refuses to run when a case is neither injectable nor listed here.
cat > "$T/skips" <<'EOF'
031-mdaemon-auth-abuse received by MDaemon (its Received line and X-MD block): Postfix would add its own hop on top
032-mdaemon-auth-trusted received by MDaemon (its Received line and X-MD block): Postfix would add its own hop on top
038-icewarp-asmtp-no-user received by IceWarp (ASMTP without a user name): Postfix would add its own hop on top
048-backscatter-qmail-own-bounce written by qmail-send (invoked for bounce): a qmail queue file
049-bounce-qmail-own-of-local-submission written by qmail-send (invoked for bounce): a qmail queue file
055-qmail-invoked-by-uid injected by qmail-inject (invoked by uid 0): a qmail queue file
063-exim-alias-forward received and forwarded by Exim: Postfix would add its own hop on top
068-open-relay-qmail-chain received by qmail-smtpd: a qmail queue file
065-alias-forward-delivered-to-above Delivered-To above our smtpd's Received line: a real smtpd always prepends its line at the very top (a real .forward re-injects via pickup)
069-open-relay-exim-chain received by Exim: Postfix would add its own hop on top
074-no-origin-known no Received line and no client: Postfix always records one of them
078-local-sender-no-origin no Received line and no client: Postfix always records one of them
079-malformed-binary-header no envelope: Postfix always records sender and recipients
080-mdaemon-suspect-envelope a suspect (duplicated MDaemon) envelope has no Postfix counterpart
081-unknown-envelope-no-for unknown envelope: Postfix always records sender and recipients
082-unknown-envelope-for-local unknown envelope: Postfix always records sender and recipients
083-unknown-rcpts-for-external unknown recipients: Postfix always records them
084-unknown-sender-local-rcpt unknown sender: Postfix always records it
085-unknown-sender-external unknown sender: Postfix always records it
086-unreadable-missing a vanished file, not a message: nothing to inject
091-bounce-null-sender-rcpt-unknown-envelope unknown recipients: Postfix always records them
EOF

v6=all
if ! python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	QSCAN_NO_IPV6=1
	export QSCAN_NO_IPV6
	v6=ipv4
fi
# Postfix's own bounces cannot be injected: the instance writes them. Each
# of these sends a message that Postfix bounces (error transport) from the
# given sender (AUTH user, client); the bounce must be judged as the case.
cat > "$T/bounces" <<'EOF'
042-backscatter-postfix-own-bounce-rfc822 spam@spam.example - 203.0.113.7
045-bounce-of-legit-to-local alice@example.com alice 203.0.113.30
046-bounce-own-of-authenticated alice@partner-of-alice.example alice 203.0.113.30
087-backscatter-postfix-own-bounce-headers spam@spam.example - 203.0.113.7 60000
EOF
n=$(python3 "$LIB/crossfmt-inject.py" plan "$C" "$T" "$T/skips" 2> "$T/plan.err") ||
	fail "corpus cases neither injectable nor listed as skipped: $(cat "$T/plan.err")"
domains=$(python3 -c 'import configparser, sys
c = configparser.ConfigParser(interpolation=None); c.read(sys.argv[1])
print(" ".join(d.strip().lstrip(".") for d in c["qscan"]["local_domains"].replace(",", ";").split(";") if d.strip()))' \
	"$C/qscan.conf") || fail "cannot read local_domains from $C/qscan.conf"
host=$(sed -n 's/^local_hostnames *= *\([^;,]*\).*/\1/p' "$C/qscan.conf")
addr=$(sed -n 's/^local_addresses *= *\([^;,]*\).*/\1/p' "$C/qscan.conf")
[ -n "$host" ] || fail "no local_hostnames in $C/qscan.conf"

pf_start "$T/pf" "myhostname = $host" "mydomain = ${host#*.}" "mydestination = $domains" \
	"proxy_interfaces = $addr" "smtpd_relay_restrictions = check_client_access static:OK, reject_unauth_destination" \
	"smtpd_authorized_xclient_hosts = 127.0.0.0/8" \
	"smtpd_sasl_authenticated_header = yes" "defer_transports = smtp, relay, local, virtual" \
	"virtual_alias_maps = texthash:$T/virtual" "transport_maps = texthash:$T/transport" \
	"smtpd_reject_unlisted_recipient = no" \
	"allow_percent_hack = no" "swap_bangpath = no" "resolve_dequoted_address = no" \
	"mynetworks = 127.0.0.0/8" "smtp_dns_support_level = disabled" "inet_protocols = $v6" \
	2> "$T/start.err" || fail "pf_start: $(cat "$T/start.err")"

# restart the instance with other main.cf settings: every daemon reads
# them anew (a reload leaves running trivial-rewrite processes a while)
pf_restart() {
	postfix -c "$PF_CONF" stop > /dev/null 2>&1
	_i=0
	while kill -0 "$PF_MASTER_PID" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && return 1
		sleep 0.1
	done
	postconf -c "$PF_CONF" -e "$@" && postfix -c "$PF_CONF" start > /dev/null 2>&1 || return 1
	PF_MASTER_PID=$(sed -n 's/ //gp' "$PF_QUEUE/pid/master.pid")
	_i=0
	while ! pf_port_open "$PF_PORT"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && return 1
		sleep 0.1
	done
}

# done recipients become real D records through discard:, then the
# transport map goes (the same address is pending in other cases)
python3 "$LIB/crossfmt-inject.py" run "$T" "$PF_QUEUE" "$PF_PORT" "$PF_CONF" done 2> "$T/inject.err" ||
	fail "injection: $(cat "$T/inject.err")"
grep bounce.invalid "$T/transport" > "$T/transport2"
pf_restart "transport_maps = texthash:$T/transport2" || fail "postfix restart"
python3 "$LIB/crossfmt-inject.py" run "$T" "$PF_QUEUE" "$PF_PORT" "$PF_CONF" rest 2> "$T/inject.err" ||
	fail "injection: $(cat "$T/inject.err")"
pf_wait_queued "$n" 120 2> "$T/wait.err" || fail "$(cat "$T/wait.err")"
postfix -c "$PF_CONF" stop > /dev/null 2>&1	# a still queue; pf_stop waits for the master

# cases with their own NNN-name.conf are judged with it laid over qscan.conf
"$QSCAN" --dry-run --json --min-age 0 --no-progress -c "$C/qscan.conf" --format postfix "$PF_QUEUE" \
	> "$T/all.json" 2> "$T/scan.err"
rc=$?
[ $rc -le 1 ] || [ $rc -eq 3 ] || fail "qscan exit $rc: $(tail -3 "$T/scan.err")"
cp "$T/all.json" "$T/scan.json"
for cf in "$C"/[0-9]*.conf; do
	[ -f "$cf" ] || continue
	case=$(basename "$cf" .conf)
	id=$(sed -n "s/^$case //p" "$T/map")
	[ -n "$id" ] || continue
	python3 "$LIB/crossfmt-compare.py" merge-conf "$C/qscan.conf" "$cf" "$T/$case.conf" || fail "merge $cf"
	"$QSCAN" --dry-run --json --min-age 0 --no-progress -c "$T/$case.conf" --format postfix "$PF_QUEUE" \
		> "$T/$case.json" 2>> "$T/scan.err"
	grep -v "\"id\":\"$id\"" "$T/scan.json" > "$T/scan.tmp"
	grep "\"id\":\"$id\"" "$T/$case.json" >> "$T/scan.tmp"
	mv "$T/scan.tmp" "$T/scan.json"
done
python3 "$LIB/crossfmt-compare.py" real-postfix "$C" "$T" "$T/skips"
