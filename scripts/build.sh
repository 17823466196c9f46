#!/bin/sh
# build.sh - autoreconf (when needed), configure and make in a build dir.
#   scripts/build.sh [BUILDDIR [configure options...]]   default _build
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-_build}
[ $# -gt 0 ] && shift
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null 2>&1 ||
	{ autoreconf -fi; exit 1; }
mkdir -p "$b"
cd "$b"
if [ ! -f Makefile ] || [ "$*" != "$(cat .qscan-configure-args 2>/dev/null)" ]; then
	"$top/configure" -q "$@"
	echo "$*" > .qscan-configure-args
fi
make -j"$(nproc)" >/dev/null
