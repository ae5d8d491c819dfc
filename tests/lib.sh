# Shared by the end-to-end test scripts (sourced after KVQ is set): a scratch folder removed on
# exit, a failure counter, and expect().
set -u
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS PATTERN -- ARGS: runs kvqeval ARGS and checks the exit status, that stdout or
# stderr matches the grep pattern (basic regular expression), and that a failing run wrote nothing
# on stdout (no half-written report). Its output stays in $TMP/out and $TMP/err.
expect() {
    want=$1 pattern=$2
    shift 3
    "$KVQ" "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "kvqeval $*: exit $got, want $want: $(head -c 600 "$TMP/err")"
    cat "$TMP/out" "$TMP/err" | grep -q -- "$pattern" ||
        fail "kvqeval $*: output lacks '$pattern': $(cat "$TMP/out" "$TMP/err" | head -c 600)"
    [ "$want" -eq 0 ] || [ ! -s "$TMP/out" ] || fail "kvqeval $*: output on failure: $(head -c 300 "$TMP/out")"
}

# finish NAME: the verdict line and the exit status.
finish() {
    [ "$fails" -eq 0 ] && echo "$1: all checks passed"
    [ "$fails" -eq 0 ]
}
