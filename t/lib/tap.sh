# tap.sh - TAP helpers for the shell tests (source it).
#   plan N | ok COND-EXIT-STATUS "desc" | is GOT WANT "desc" | skip_all "why"
#   done_testing (prints the plan if none was given; exits 1 on failure)
_tap_n=0 _tap_fail=0 _tap_plan=
plan() { _tap_plan=$1; echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() {	# ok STATUS desc
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
}
is() {	# is GOT WANT desc
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "# got:  '$1'"; echo "# want: '$2'"; fi
}
diag() { echo "# $*"; }
done_testing() {
	[ -z "$_tap_plan" ] && echo "1..$_tap_n"
	[ -n "$_tap_plan" ] && [ "$_tap_plan" -ne "$_tap_n" ] && _tap_fail=$((_tap_fail + 1))
	[ "$_tap_fail" -eq 0 ]
	exit $?
}
