#!/bin/sh
# End-to-end checks of `kvqeval stats`: the numbers R psych prints for the Shrout & Fleiss (1979)
# ratings, every analysis in every format, and the errors a user sees for bad CSV files.
# Usage: stats_cli_test.sh PATH/TO/kvqeval PATH/TO/tests
KVQ=$1
DATA=$2/golden
. "$(dirname "$0")/lib.sh"

# near ANALYSIS ITEM STATISTIC COLUMN WANT [REL]: the CSV output in $TMP/csv has that row, and its
# column (4 value, 5 ci_low, 6 ci_high) equals WANT to REL relative (default 1e-6).
near() {
    awk -F, -v a="$1" -v i="$2" -v s="$3" -v c="$4" -v w="$5" -v rel="${6:-1e-6}" '
        $1 == a && $2 == i && $3 == s { found = 1; d = $c - w; if (d < 0) d = -d;
            t = (w < 0 ? -w : w) * rel + 1e-12; if (d > t) { print $c; exit 1 } }
        END { if (!found) { print "missing"; exit 1 } }' "$TMP/csv" >"$TMP/near" \
        || fail "stats $1 $2 $3 column $4: got $(cat "$TMP/near"), want $5"
}

# psych::ICC(sf, lmer = FALSE), tests/golden/metrics_psych.json (tests/golden/gen_metrics.R):
# form, ICC, F, df1, df2, p, lower, upper.
"$KVQ" stats icc --csv "$DATA/metrics_sf1979.csv" --format csv >"$TMP/csv" || fail "stats icc"
while read -r form icc f df1 df2 p lo hi; do
    near icc "$form" icc 4 "$icc"
    near icc "$form" icc 5 "$lo"
    near icc "$form" icc 6 "$hi"
    near icc "$form" F 4 "$f"
    near icc "$form" df1 4 "$df1"
    near icc "$form" df2 4 "$df2"
    near icc "$form" p 4 "$p"
done <<'PSYCH'
ICC1 0.16574176840547522 1.7946784922394667 5 18 0.16476880834464008 -0.1329323248747511 0.72256006232812087
ICC2 0.28976377952755894 11.027247956403258 5 15 0.00013456651648433739 0.018786513374711964 0.76108436964895265
ICC3 0.71484071484071465 11.027247956403258 5 15 0.00013456651648433739 0.34246476503392492 0.94585825995535944
ICC1k 0.44279713367926826 1.7946784922394667 5 18 0.16476880834464008 -0.8844421552381212 0.9124154203407755
ICC2k 0.62005054759898892 11.027247956403258 5 15 0.00013456651648433739 0.071136815302503181 0.92723204016772187
ICC3k 0.90931554237706935 11.027247956403258 5 15 0.00013456651648433739 0.67567471381630428 0.98589167816906231
PSYCH

# psych::alpha on the same data: raw alpha with its Feldt interval, standardised alpha.
"$KVQ" stats alpha --csv "$DATA/metrics_sf1979.csv" --format csv >"$TMP/csv" || fail "stats alpha"
near alpha "" raw_alpha 4 0.90931554237706946
near alpha "" raw_alpha 5 0.67567471381630473
near alpha "" raw_alpha 6 0.98589167816906231
near alpha "" std_alpha 4 0.92694364625873737
near alpha_if_deleted J4 r_drop 4 0.79020366465701286

# 5 subjects x 10,000 items: alpha if each item is deleted in O(nk), within seconds (forming and
# re-summing the k x k matrices for every item took tens of minutes). Values from their definitions,
# tests/golden/gen_stats_wide.py; 1e-9 relative, as deleting one of 10,000 items moves alpha in its
# sixth digit.
timeout 120 "$KVQ" stats alpha --csv "$DATA/stats_wide.csv" --format csv >"$TMP/csv" \
    || fail "stats alpha on 5 x 10000: exit $? (124: timed out)"
[ "$(grep -c '^alpha_if_deleted,.*,r_drop,' "$TMP/csv")" -eq 10000 ] \
    || fail "stats alpha on 5 x 10000: not 10000 items deleted"
while read -r analysis item statistic want; do
    [ "$item" = - ] && item=""
    near "$analysis" "$item" "$statistic" 4 "$want" 1e-9
done <"$DATA/stats_wide_alpha.txt"

# Every analysis in every format.
for a in alpha icc kappa corr factors; do
    for f in table json csv; do
        "$KVQ" stats $a --csv "$DATA/metrics_ties.csv" --format $f >"$TMP/out" 2>"$TMP/err" \
            || fail "stats $a --format $f: $(cat "$TMP/err")"
        [ -s "$TMP/out" ] || fail "stats $a --format $f printed nothing"
    done
    grep -q '"results"' "$TMP/out" && fail "stats $a --format csv printed JSON"
done
"$KVQ" stats kappa --csv "$DATA/metrics_ties.csv" --format json | grep -q '"fleiss_kappa"' \
    || fail "stats kappa json lacks fleiss_kappa"
"$KVQ" stats icc --csv "$DATA/metrics_sf1979.csv" | grep -q "^ICC3k " || fail "table lacks ICC3k"
# Seeds: a value past 2^53 (or one strtoull would saturate) and a sign are refused, not clamped.
for seed in 99999999999999999999 9007199254740992 -1 " 4"; do
    expect 2 "--seed takes an integer in \[0, 2^53)" -- stats factors --csv "$DATA/metrics_twofactor.csv" --seed "$seed"
done
# Same seed, same parallel analysis.
"$KVQ" stats factors --csv "$DATA/metrics_twofactor.csv" --seed 4 --format csv >"$TMP/f1"
"$KVQ" stats factors --csv "$DATA/metrics_twofactor.csv" --seed 4 --format csv >"$TMP/f2"
cmp -s "$TMP/f1" "$TMP/f2" || fail "factors: same seed, different output"
grep -q "^factors,,parallel,2,," "$TMP/f1" || fail "factors: two-factor data, parallel analysis not 2"

# Bad input: one clear message, exit 2 (3 when the file cannot be read).
printf 'a,b,c\n1,2,3\n4,,6\n' >"$TMP/missing.csv"
expect 2 "missing.csv:3: column 2 ('b'): missing value" -- stats icc --csv "$TMP/missing.csv"
printf 'a,b,c\n1,2,3\n4,5,x7\n' >"$TMP/text.csv"
expect 2 "text.csv:3: column 3 ('c'): not a number ('x7')" -- stats alpha --csv "$TMP/text.csv"
printf 'a,b,c\n1,2,3\n4,5,NA\n' >"$TMP/na.csv"
expect 2 "na.csv:3: column 3 ('c'): missing value ('NA')" -- stats corr --csv "$TMP/na.csv"
printf 'a,b,c\n1,2,3\n\n4,5\n' >"$TMP/ragged.csv"
expect 2 "ragged.csv:4: 2 fields, but the header has 3" -- stats kappa --csv "$TMP/ragged.csv"
printf 'a,b\n' >"$TMP/header.csv"
expect 2 "no data rows" -- stats icc --csv "$TMP/header.csv"
: >"$TMP/empty.csv"
expect 2 "empty file" -- stats icc --csv "$TMP/empty.csv"
expect 3 "nope.csv" -- stats icc --csv "$TMP/nope.csv"
printf 'a,b\n1,1\n2,2\n' >"$TMP/tiny.csv"
expect 2 "needs at least 3 subjects" -- stats factors --csv "$TMP/tiny.csv"
expect 2 "unknown analysis 'nope'" -- stats nope --csv "$TMP/tiny.csv"
expect 2 "--format takes table, json or csv" -- stats icc --csv "$TMP/tiny.csv" --format xml
expect 2 "--csv FILE is required" -- stats icc
expect 2 "needs a value" -- stats icc --csv
expect 2 "--level takes" -- stats icc --csv "$TMP/tiny.csv" --level 1.5

# Every spelling of a non-finite value gets its one message: NaN (and NA) is a missing value, an
# infinity is not finite. A subnormal is a number; a finite spelling beyond a double is refused.
for v in nan NaN NAN -nan 'nan(0x1)' NA; do
    printf 'a,b\n1,2\n3,%s\n2,2\n' "$v" >"$TMP/nan.csv"
    expect 2 "nan.csv:3: column 2 ('b'): missing value ('$v')" -- stats icc --csv "$TMP/nan.csv"
done
for v in inf Inf INF -inf +inf infinity -Infinity; do
    printf 'a,b\n1,2\n3,%s\n2,2\n' "$v" >"$TMP/inf.csv"
    expect 2 "inf.csv:3: column 2 ('b'): not finite ('$v')" -- stats icc --csv "$TMP/inf.csv"
done
printf 'a,b\n1,2\n3,1e999\n2,2\n' >"$TMP/big.csv"
expect 2 "big.csv:3: column 2 ('b'): too large for a double ('1e999')" -- \
    stats icc --csv "$TMP/big.csv"
printf 'a,b\n1,1e-320\n3,4\n2,2\n' >"$TMP/subnormal.csv"
expect 0 "ICC3k" -- stats icc --csv "$TMP/subnormal.csv"

# One subject: Cohen's and Fleiss' kappa are undefined (NaN, no interval), not 0 with SE 0.
printf 'a,b\n1,2\n' >"$TMP/one.csv"
"$KVQ" stats kappa --csv "$TMP/one.csv" --format csv >"$TMP/csv" || fail "stats kappa, one subject"
for w in unweighted linear quadratic; do
    grep -q "^cohen_kappa,a~b,$w,NaN,,\$" "$TMP/csv" || fail "kappa, one subject: $w not NaN"
    grep -q "^cohen_kappa,a~b,se_$w,NaN,,\$" "$TMP/csv" || fail "kappa, one subject: se_$w not NaN"
done
grep -q "^fleiss_kappa,,kappa,NaN,,\$" "$TMP/csv" || fail "Fleiss' kappa, one subject: not NaN"

# factors takes at most 2000 items (O(k^3)); more are refused before the data is built.
awk 'BEGIN { for (r = 0; r < 4; r++) { for (j = 1; j <= 2001; j++)
    printf "%s%s", (j > 1 ? "," : ""), (r ? (r * j) % 7 + r : "i" j); print "" } }' >"$TMP/wide.csv"
expect 2 "factors: 2001 items, more than the 2000" -- stats factors --csv "$TMP/wide.csv"

# Memory is checked before allocation: 3000 raters give 4,498,500 pairs, whose table of results
# (31,489,504 rows) cannot fit under a 4 GiB address space; refused at once, naming the size and
# the limit, instead of failing part way (once with an empty message).
awk 'BEGIN { for (r = 0; r < 4; r++) { for (j = 1; j <= 3000; j++)
    printf "%s%s", (j > 1 ? "," : ""), (r ? (r + j) % 3 : "r" j); print "" } }' >"$TMP/raters.csv"
for a in kappa corr; do
    (ulimit -v 4194304 && OPENBLAS_NUM_THREADS=1 exec timeout 60 "$KVQ" stats $a \
        --csv "$TMP/raters.csv") >"$TMP/out" 2>"$TMP/err"
    got=$?
    [ "$got" -eq 2 ] || fail "stats $a under ulimit -v: exit $got: $(head -c 300 "$TMP/err")"
    grep -q "^kvqeval stats $a: the table of [0-9]* result rows needs [0-9.]* GiB, more than .*GiB" \
        "$TMP/err" || fail "stats $a under ulimit -v: no size in: $(head -c 300 "$TMP/err")"
    [ -s "$TMP/out" ] && fail "stats $a under ulimit -v: output on failure"
done

# Results that cannot be written: exit 3 with a message, not a silent success.
if [ -w /dev/full ]; then
    "$KVQ" stats icc --csv "$DATA/metrics_sf1979.csv" >/dev/full 2>"$TMP/err"
    got=$?
    [ "$got" -eq 3 ] || fail "stats icc >/dev/full: exit $got, want 3"
    grep -q "writing the results failed" "$TMP/err" \
        || fail "stats icc >/dev/full: $(cat "$TMP/err")"
fi

finish "stats cli"
