#!/bin/sh
# demo.sh - quick start, command 1: install what is missing, build qscan,
# write the bundled demo outbox (a Postfix queue, deterministic seed)
# and run qscan's main job on it as a dry run with the embedded default
# configuration. Nothing outside this checkout is changed except the
# Debian packages installed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh scripts/deps.sh
sh scripts/build.sh _build
rm -rf _demo
_build/scripts/qscan-gen --format postfix --count 2000 --seed 42 --out _demo/postfix
echo "== qscan --dry-run _demo/postfix (demo outbox: 2000 messages, local domain demo.example)"
st=0
_build/qscan/qscan --dry-run --local-domain demo.example --db _demo/qscan.db _demo/postfix || st=$?
# exit 1 means "relay messages found", which is what the demo shows
[ "$st" -le 1 ] || exit "$st"
