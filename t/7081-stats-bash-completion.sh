#!/bin/sh
# 7081-stats-bash-completion: scripts/qscan.bash-completion, sourced in
# bash, completes subcommands, options and option values.
src=$(cd "${QSCAN_SRCDIR:-.}" && pwd)
if ! command -v bash >/dev/null 2>&1; then
	echo "1..0 # SKIP bash is not installed"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/spool" "$tmp/spare"
n=0
# comp "WORDS..." -> the completions of the last word (may be empty), one line, sorted
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
		_qscan; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		qscan "$src/scripts/qscan.bash-completion" "$@" 2>&1
}
is() {	# is DESCRIPTION GOT WANT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then echo "ok $n - $1"; else
		echo "not ok $n - $1"; echo "# got '$2', want '$3'"; fi
}
is "qscan qua<TAB> -> quarantine" "$(comp qscan qua)" "quarantine "
is "qscan --for<TAB> -> --format" "$(comp qscan --for)" "--format "
is "qscan s<TAB> -> scan stats" "$(comp qscan s)" "scan stats "
is "qscan quarantine <TAB> -> its actions" "$(comp qscan quarantine '')" "expire list restore show "
is "qscan blocklist --format <TAB> -> block list formats" "$(comp qscan blocklist --format '')" \
	"ipset nft plain postfix tcprules "
is "qscan --format m<TAB> -> queue formats" "$(comp qscan --format m)" "mdaemon merak "
is "qscan stats --<TAB> -> stats options" "$(comp qscan stats --)" "--config --days --db --json "
is "qscan --dry-run DIR<TAB> -> directories" "$(cd "$tmp" && comp qscan --dry-run sp)" "spare spool "
is "qscan report --h<TAB> -> --html" "$(comp qscan report --h)" "--html "
n=$((n + 1))
if bash -n "$src/scripts/qscan.bash-completion"; then echo "ok $n - bash -n: no syntax error"; else
	echo "not ok $n - bash -n: no syntax error"; fi
echo "1..$n"
