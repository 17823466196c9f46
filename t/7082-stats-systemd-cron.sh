#!/bin/sh
# 7082-stats-systemd-cron: scripts/qscan.service and qscan.timer pass
# systemd-analyze verify once @bindir@/@localstatedir@ are filled in,
# carry the hardening, and scripts/qscan.cron is well-formed cron.d.
src=$(cd "${QSCAN_SRCDIR:-.}" && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
t() {	# t DESCRIPTION COMMAND...
	n=$((n + 1))
	d=$1
	shift
	if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
# a stand-in binary: verify checks that ExecStart= is executable
mkdir "$tmp/bin" "$tmp/units"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/qscan"
chmod 755 "$tmp/bin/qscan"
for f in qscan.service qscan.timer qscan.cron; do
	sed -e "s|@bindir@|$tmp/bin|g" -e "s|@localstatedir@|/var|g" "$src/scripts/$f" >"$tmp/units/$f"
done
svc=$tmp/units/qscan.service
t "no @variable@ left after substitution" sh -c "! grep -q '@[a-z]*@' '$tmp/units/'*"
t "ExecStart runs qscan --yes --quiet on a queue" grep -q "^ExecStart=$tmp/bin/qscan --yes --quiet .*/var/spool/postfix\$" "$svc"
for k in ProtectSystem=strict PrivateTmp=yes ProtectHome=yes NoNewPrivileges=yes \
	'ReadWritePaths=-/var/spool/postfix -/var/lib/qscan' RestrictAddressFamilies=AF_UNIX \
	ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
	'CapabilityBoundingSet=CAP_CHOWN CAP_FOWNER CAP_DAC_OVERRIDE'; do
	t "service has $k" grep -q "^$k" "$svc"
done
t "timer is nightly and persistent" sh -c "grep -q '^OnCalendar=\*-\*-\* 03:30:00' '$tmp/units/qscan.timer' && grep -q '^Persistent=true' '$tmp/units/qscan.timer'"
if command -v systemd-analyze >/dev/null 2>&1; then
	t "systemd-analyze verify accepts service and timer" \
		sh -c "cd '$tmp/units' && systemd-analyze verify --man=no qscan.service qscan.timer >&2"
	if systemd-analyze security --help 2>/dev/null | grep -q -- --threshold; then
		t "systemd-analyze security rates the service 2.5 or better" \
			sh -c "systemd-analyze security --offline=yes --threshold=25 '$svc' >/dev/null 2>&1"
	else
		skip "systemd-analyze security --threshold is not available"
	fi
else
	skip "systemd-analyze is not installed"
	skip "systemd-analyze is not installed"
fi
# cron.d: comments, NAME=value, or 5 time fields, a user, a command
t "qscan.cron lines are cron.d entries" awk '
	/^[ \t]*(#|$)/ { next }
	/^[A-Z_]+=/ { next }
	NF < 7 { bad = 1; print "# short line " NR ": " $0 }
	{ for (i = 1; i <= 5; i++) if ($i !~ /^[0-9*\/,-]+$/) { bad = 1; print "# bad time field line " NR } }
	$6 != "root" { bad = 1; print "# no user on line " NR }
	/%/ { bad = 1; print "# unescaped % on line " NR }
	END { exit bad }' "$tmp/units/qscan.cron"
t "qscan.cron runs qscan and refreshes a block list" grep -q "$tmp/bin/qscan blocklist --format" "$tmp/units/qscan.cron"
echo "1..$n"
