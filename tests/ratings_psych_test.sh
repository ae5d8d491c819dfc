#!/bin/sh
# The psychometric layer against R psych on the data a run exports: the run below writes the
# ratings of tests/golden/ratings_psych/ratings.csv (its codec columns, byte for byte) and the
# strata of ratings_psych/strata.txt, and its reliability.csv gives psych's alpha (raw,
# standardised, average r) and the six ICCs with their F as tests/golden/gen_ratings_psych.R
# computed them from those files: on all subjects and on each stratum alone.
# Usage: ratings_psych_test.sh PATH/TO/kvqeval TESTS_DIR
KVQ=$1
GOLDEN=$2/golden/ratings_psych
. "$(dirname "$0")/lib.sh"

"$KVQ" --codec int4 --codec turboquant:bits=1 --codec qjl --codec lloydmax:bits=1 \
    --population 'synthetic:gaussian?n=512&dim=32' --seed 7 --out "$TMP/run" --quiet 2>"$TMP/err" ||
    fail "run: $(cat "$TMP/err")"
cut -d, -f3- "$TMP/run/ratings.csv" | cmp -s - "$GOLDEN/ratings.csv" ||
    fail "the run no longer exports the ratings psych was run on (tests/golden/gen_ratings_psych.R)"
cut -d, -f5 "$TMP/run/subjects.csv" | cmp -s - "$GOLDEN/strata.txt" ||
    fail "the run no longer exports the strata psych was run on (tests/golden/gen_ratings_psych.R)"
python3 - "$TMP/run/reliability.csv" "$GOLDEN/psych.json" <<'PY' || fail "reliability.csv differs from R psych"
import csv, json, sys
golden = json.load(open(sys.argv[2]))
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["item"] == ""]
count = 0
for stratum, want in golden.items():
    suffix = "" if stratum == "all" else "_" + stratum
    got = {r["statistic"]: float(r["value"]) for r in rows
           if r["analysis"] in ("alpha" + suffix, "icc_all" + suffix)}
    assert set(want) <= set(got), (stratum, sorted(set(want) - set(got)))
    for k, v in want.items():
        assert abs(got[k] - v) <= 1e-12 * max(1.0, abs(v)), (stratum, k, got[k], v)
    count += len(want)
print("psych: %d statistics equal" % count)
PY
