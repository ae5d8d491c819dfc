#!/bin/sh
# End-to-end checks of `kvqeval diff RUN_A RUN_B`: a run against itself, cells present in one run
# only, and a metric whose interval moved (made by editing a copy of cells.csv by hand).
# Usage: diff_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"

"$KVQ" --codec int8 --codec int4 --population "synthetic:gaussian?n=400" --out "$TMP/a" --quiet 2>/dev/null ||
    fail "run a"
"$KVQ" --codec int8 --codec bf16 --population "synthetic:gaussian?n=400" --out "$TMP/b" --quiet 2>/dev/null ||
    fail "run b"
HEADER="change,variant,population,metric,value_a,ci_low_a,ci_high_a,value_b,ci_low_b,ci_high_b"

# The same run: nothing differs, exit 0, the header alone.
expect 0 "^$HEADER$" -- diff "$TMP/a" "$TMP/a"
[ "$(wc -l <"$TMP/out")" -eq 1 ] || fail "a run differs from itself: $(cat "$TMP/out")"

# int4 only in a, bf16 only in b: one row each, exit 1; int8 is the same cell in both.
"$KVQ" diff "$TMP/a" "$TMP/b" >"$TMP/d" 2>"$TMP/err"
[ $? -eq 1 ] || fail "differences did not make exit status 1"
grep -q '^only_a,int4,synthetic:gaussian?n=400,,' "$TMP/d" || fail "int4 not only in a: $(cat "$TMP/d")"
grep -q '^only_b,bf16,synthetic:gaussian?n=400,,,,,' "$TMP/d" || fail "bf16 not only in b: $(cat "$TMP/d")"
[ "$(wc -l <"$TMP/d")" -eq 3 ] || fail "unexpected rows: $(cat "$TMP/d")"

# A copy of a whose int8 spearman interval is moved above a's: reported as moved, with both sides.
cp -r "$TMP/a" "$TMP/c"
awk -F, 'BEGIN { OFS = "," } $2 == "int8" && $6 == "spearman" { $7 = 2; $8 = 1.5; $9 = 2.5 } { print }' \
    "$TMP/a/cells.csv" >"$TMP/c/cells.csv"
"$KVQ" diff "$TMP/a" "$TMP/c" >"$TMP/d" 2>"$TMP/err"
[ $? -eq 1 ] || fail "a moved metric did not make exit status 1"
grep -q '^moved,int8,synthetic:gaussian?n=400,spearman,0\.[0-9]*,0\.[0-9]*,[01][.0-9]*,2,1.5,2.5$' "$TMP/d" ||
    fail "moved spearman not reported: $(cat "$TMP/d")"
[ "$(wc -l <"$TMP/d")" -eq 2 ] || fail "unexpected rows: $(cat "$TMP/d")"

# Usage and unreadable runs.
expect 2 "usage: kvqeval diff RUN_A RUN_B" -- diff "$TMP/a"
expect 2 "no/cells.csv" -- diff "$TMP/a" "$TMP/no"

finish diff
