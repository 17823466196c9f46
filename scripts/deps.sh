#!/bin/sh
# deps.sh - install what qscan needs on Debian 12 (run as root).
#   scripts/deps.sh          build dependencies
#   scripts/deps.sh --test   build + test dependencies (postfix, swaks, ...)
# Packages already installed are not fetched again; apt-get update runs
# only when something is missing.
set -eu
BUILD="gcc make autoconf automake libtool autoconf-archive pkg-config
libglib2.0-dev libgmime-3.0-dev libsqlite3-dev libpcre2-dev uuid-dev sqlite3"
TEST="postfix swaks python3 python3-milter procps psmisc xxd util-linux chromium nftables ipset"
want=$BUILD
[ "${1:-}" = "--test" ] && want="$BUILD $TEST"
missing=
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root or install them" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
# postfix asks questions on install: a local-only, never-started setup is
# all the tests need (they run their own private instance).
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string qscan.test" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
