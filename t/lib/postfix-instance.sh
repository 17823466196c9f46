# postfix-instance.sh - a private, throw-away Postfix instance for tests.
#
# Source it from a POSIX sh test (". "$QSCAN_SRCDIR/t/lib/postfix-instance.sh").
# The instance has its own config_directory and queue_directory under a
# directory you give, listens on 127.0.0.1 on a free port chosen at run
# time, and can deliver nothing: every remote transport is deferred
# (defer_transports) and the relayhost is a closed local port, so mail
# piles up in deferred/. It never reads or changes the system instance
# (/etc/postfix, /var/spool/postfix), and two test runs can coexist.
# Run as root (Postfix's master needs it). Postfix 3.x, Debian paths.
#
# Functions (all return non-zero and print a reason to stderr on failure):
#   pf_check_tools          0 when postfix, postconf, postcat, postqueue,
#                           sendmail, swaks and python3 exist; else prints
#                           why (use it for "1..0 # SKIP <reason>")
#   pf_start DIR [k=v ...]  create and start an instance in DIR (created if
#                           missing; its parents must be searchable by the
#                           postfix user); extra main.cf settings may be given.
#                           Sets PF_DIR, PF_CONF (config dir), PF_QUEUE
#                           (queue dir), PF_PORT (smtpd port), PF_LOG
#                           (mail log file).
#   pf_conf k=v ...         change main.cf settings and reload
#   pf_inject_sendmail FROM RCPT... < message
#                           local submission (sendmail -> postdrop ->
#                           pickup); FROM "" = null sender
#   pf_inject_smtp SWAKS-ARGS...
#                           SMTP to the instance with swaks (--server is
#                           added; pass --from/--to/--helo/--xclient/...)
#   pf_milter_start         start the test milter (t/data/postfix/qs-tagmilter.py:
#                           tags the Subject, adds 2 headers and a recipient)
#                           on a free port and make smtpd use it; returns 1
#                           when python3-milter is missing (PF_MILTER_WHY)
#   pf_milter_stop          stop it (pf_stop does too)
#   pf_wait_queued N [SECS] wait until N messages sit in deferred/+hold/
#                           and nothing is in maildrop/incoming/active
#                           (default 60 s); 1 on timeout
#   pf_queue_json           postqueue -j of the instance on stdout
#   pf_postcat ID           postcat -q ID of the instance on stdout
#   pf_ids [QUEUE]          queue IDs (one a line) from postqueue -j, all
#                           queues or only QUEUE (deferred, hold, ...)
#   pf_postsuper ARGS...    postsuper -c <instance> ARGS (e.g. -h ID, -d -)
#   pf_stop                 stop the instance and the milter; waits until
#                           every process of the instance is gone. Safe to
#                           call twice; use it in "trap pf_stop EXIT".
#   pf_free_port            print a TCP port nobody listens on now
#
# The store tests use it for postsuper, the corpus work for real queues:
#   pf_start "$tmp/pf" && pf_inject_smtp --from a@b.example --to c@d.example
#   pf_wait_queued 1 && postsuper -c "$PF_CONF" -h ALL deferred

PF_DIR= PF_CONF= PF_QUEUE= PF_PORT= PF_LOG= PF_MASTER_PID= PF_MILTER_PID= PF_MILTER_WHY=

pf_check_tools() {
	for _t in postfix postconf postcat postqueue postsuper sendmail swaks python3; do
		if ! command -v "$_t" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$_t" ]; then
			echo "$_t not installed (scripts/deps.sh --test installs it)"
			return 1
		fi
	done
	if [ "$(id -u)" != 0 ]; then
		echo "a private Postfix instance needs root"
		return 1
	fi
	return 0
}

pf_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pf_write_config DIR PORT DEADPORT - main.cf and master.cf of the instance
pf_write_config() {
	_dir=$1 _port=$2 _dead=$3
	mkdir -p "$_dir/etc" "$_dir/spool" "$_dir/data" "$_dir/log" || return 1
	chown postfix "$_dir/data" || return 1
	: > "$_dir/log/maillog"
	cat > "$_dir/etc/main.cf" <<EOF
# private test instance (t/lib/postfix-instance.sh)
compatibility_level = 3.6
queue_directory = $_dir/spool
data_directory = $_dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = qscan-test.invalid
mydomain = qscan-test.invalid
myorigin = \$myhostname
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8 203.0.113.0/24 198.51.100.0/24 192.0.2.0/24
smtpd_authorized_xclient_hosts = 127.0.0.0/8
default_transport = smtp
relay_transport = relay
defer_transports = smtp, relay, local
relayhost = [127.0.0.1]:$_dead
smtp_dns_support_level = disabled
maillog_file = $_dir/log/maillog
maillog_file_prefixes = $_dir/log
milter_default_action = accept
smtpd_banner = \$myhostname ESMTP qscan-test
biff = no
EOF
	sed -e "s/^smtp\( *\)inet /127.0.0.1:$_port inet /" /etc/postfix/master.cf > "$_dir/etc/master.cf" ||
		return 1
	postconf -c "$_dir/etc" -F '*/*/chroot = n' || return 1
	# nothing else may listen: only our smtpd line is inet
	grep -q "^127.0.0.1:$_port " "$_dir/etc/master.cf" || {
		echo "pf_start: no smtp inet line in /etc/postfix/master.cf to adapt" >&2
		return 1
	}
}

pf_start() {
	_dir=$1
	shift
	case $_dir in /*) ;; *) _dir=$(pwd)/$_dir ;; esac
	PF_DIR=$_dir PF_CONF=$_dir/etc PF_QUEUE=$_dir/spool PF_LOG=$_dir/log/maillog
	PF_PORT=$(pf_free_port) || return 1
	pf_write_config "$_dir" "$PF_PORT" "$(pf_free_port)" || return 1
	chmod 755 "$_dir" || return 1
	# the postfix user must reach data_directory (mktemp -d makes 0700 dirs)
	if command -v runuser >/dev/null 2>&1 && ! runuser -u postfix -- test -x "$_dir/data"; then
		echo "pf_start: user postfix cannot reach $_dir: make its parents searchable (chmod 755)" >&2
		return 1
	fi
	[ $# -gt 0 ] && { postconf -c "$PF_CONF" -e "$@" || return 1; }
	postfix -c "$PF_CONF" check >"$PF_DIR/log/check.out" 2>&1 || {
		echo "pf_start: postfix check failed:" >&2
		cat "$PF_DIR/log/check.out" >&2
		return 1
	}
	postfix -c "$PF_CONF" start >"$PF_DIR/log/start.out" 2>&1 || {
		echo "pf_start: postfix start failed:" >&2
		cat "$PF_DIR/log/start.out" "$PF_LOG" >&2
		return 1
	}
	PF_MASTER_PID=$(sed -n 's/ //gp' "$PF_QUEUE/pid/master.pid" 2>/dev/null)
	_i=0
	while ! pf_port_open "$PF_PORT"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && { echo "pf_start: smtpd not listening on $PF_PORT" >&2; return 1; }
		sleep 0.1
	done
}

pf_port_open() {
	python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
		"$1" 2>/dev/null
}

pf_conf() {
	postconf -c "$PF_CONF" -e "$@" && postfix -c "$PF_CONF" reload >/dev/null 2>&1
}

pf_inject_sendmail() {
	_from=$1
	shift
	sendmail -C "$PF_CONF" -f "$_from" -- "$@"
}

pf_inject_smtp() {
	swaks --server "127.0.0.1:$PF_PORT" --silent 2 --timeout 30 "$@"
}

pf_milter_start() {
	if ! /usr/bin/python3 -c 'import Milter' 2>/dev/null; then
		PF_MILTER_WHY="python3-milter not installed (apt-get install python3-milter)"
		return 1
	fi
	_mport=$(pf_free_port) || return 1
	/usr/bin/python3 "$QSCAN_SRCDIR/t/data/postfix/qs-tagmilter.py" "$_mport" \
		>"$PF_DIR/log/milter.out" 2>&1 &
	PF_MILTER_PID=$!
	_i=0
	while ! pf_port_open "$_mport"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && { PF_MILTER_WHY="milter did not start"; pf_milter_stop; return 1; }
		sleep 0.1
	done
	pf_conf "smtpd_milters = inet:127.0.0.1:$_mport" "non_smtpd_milters = inet:127.0.0.1:$_mport"
}

pf_milter_stop() {
	if [ -n "$PF_MILTER_PID" ]; then
		[ -n "$PF_CONF" ] && postconf -c "$PF_CONF" -e "smtpd_milters =" "non_smtpd_milters =" 2>/dev/null
		kill "$PF_MILTER_PID" 2>/dev/null
		wait "$PF_MILTER_PID" 2>/dev/null
		PF_MILTER_PID=
	fi
}

# messages per queue, from the files themselves (works while stopped)
pf_count() {
	_n=0
	for _q in "$@"; do
		[ -d "$PF_QUEUE/$_q" ] || continue
		_c=$(find "$PF_QUEUE/$_q" -type f | wc -l)
		_n=$((_n + _c))
	done
	echo $_n
}

pf_wait_queued() {
	_want=$1 _secs=${2:-60} _t=0
	while :; do
		if [ "$(pf_count deferred hold)" -ge "$_want" ] &&
		   [ "$(pf_count maildrop incoming active)" -eq 0 ]; then
			return 0
		fi
		_t=$((_t + 1))
		if [ $_t -gt $((_secs * 5)) ]; then
			echo "pf_wait_queued: want $_want in deferred+hold, have $(pf_count deferred hold);" \
				"maildrop+incoming+active $(pf_count maildrop incoming active)" >&2
			return 1
		fi
		sleep 0.2
	done
}

pf_queue_json() {
	postqueue -c "$PF_CONF" -j
}

pf_ids() {
	postqueue -c "$PF_CONF" -j | python3 -c 'import json, sys
for l in sys.stdin:
    m = json.loads(l)
    if len(sys.argv) < 2 or m["queue_name"] == sys.argv[1]:
        print(m["queue_id"])' "$@"
}

pf_postsuper() {
	postsuper -c "$PF_CONF" "$@"
}

pf_postcat() {
	postcat -c "$PF_CONF" -q "$1"
}

pf_stop() {
	pf_milter_stop
	[ -n "$PF_CONF" ] || return 0
	if [ -n "$PF_MASTER_PID" ] && kill -0 "$PF_MASTER_PID" 2>/dev/null; then
		postfix -c "$PF_CONF" stop >/dev/null 2>&1
		_i=0
		while kill -0 "$PF_MASTER_PID" 2>/dev/null; do
			_i=$((_i + 1))
			if [ $_i -gt 100 ]; then
				# our own master only, by its id
				kill -9 "$PF_MASTER_PID" 2>/dev/null
				break
			fi
			sleep 0.1
		done
	fi
	PF_MASTER_PID=
	PF_CONF=
}
