#!/bin/sh
# End-to-end checks of `kvqeval stats`: the numbers R psych prints for the Shrout & Fleiss (1979)
# ratings, every analysis in every format, and the errors a user sees for bad CSV files.
# Usage: stats_cli_test.sh PATH/TO/kvqeval PATH/TO/tests
KVQ=$1
DATA=$2/golden
. "$(dirname "$0")/lib.sh"

# near ANALYSIS ITEM STATISTIC COLUMN WANT: the CSV output in $TMP/csv has that row, and its column
# (4 value, 5 ci_low, 6 ci_high) equals WANT to 1e-6 relative.
near() {
    awk -F, -v a="$1" -v i="$2" -v s="$3" -v c="$4" -v w="$5" '
        $1 == a && $2 == i && $3 == s { found = 1; d = $c - w; if (d < 0) d = -d;
            t = (w < 0 ? -w : w) * 1e-6 + 1e-12; if (d > t) { print $c; exit 1 } }
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

finish "stats cli"
