#!/bin/sh
# Stratified subjects and the G study, end to end.
# - subjects.csv: every query has 10 subjects in stratum top10, its exact best rows (no uniform
#   subject of the query scores above them), and 10 distinct other rows in stratum uniform, of
#   weight (n - 10) / 10;
# - every codec's ICC2 against exact has a query-cluster interval around it;
# - --replicates 3: replicates.csv holds fits 2 and 3 of every variant; a deterministic codec
#   (int8) gives three equal fits and a zero-width across-fit interval, a randomised one (qjl)
#   does not; gtheory.csv's variance components equal those numpy computes from subjects.csv,
#   ratings.csv and replicates.csv (tests/golden/gen_gtheory.py's projections and EMS solve, not
#   kvqeval's algebra); with one fit the replicate effects are absent (NaN); the same seed gives
#   the same fits on one thread as on several;
# - the replicates count is part of the run: --resume keeps it, a merge of shards run with
#   different counts is refused, --replicates 0 is a usage error.
# Usage: gtheory_test.sh PATH/TO/kvqeval TESTS_DIR
KVQ=$1
GOLDEN=$2/golden
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

POP='synthetic:gaussian?n=256&dim=32&queries=12'
"$KVQ" --codec int8 --codec turboquant:bits=2 --codec qjl --population "$POP" --replicates 3 \
    --out "$TMP/run" --quiet 2>"$TMP/err" || fail "run: $(cat "$TMP/err")"
grep -q "\"replicates\":[[:space:]]*3" "$TMP/run/run.json" || fail "run.json does not record the replicates"
$PY - "$TMP/run" "$GOLDEN" <<'PY' || fail "strata, replicates or the G study differ from numpy"
import csv, math, sys
from collections import defaultdict
d, golden = sys.argv[1], sys.argv[2]
sys.path.insert(0, golden)
import numpy as np
from gen_gtheory import anova_numpy, solve

subjects = list(csv.DictReader(open(d + "/subjects.csv")))
by_query = defaultdict(list)
for s in subjects:
    by_query[int(s["query"])].append(s)
assert len(by_query) == 12, len(by_query)
for q, ss in by_query.items():
    top = [s for s in ss if s["stratum"] == "top10"]
    uni = [s for s in ss if s["stratum"] == "uniform"]
    assert len(top) == 10 and len(uni) == 10, (q, len(top), len(uni))
    assert len({s["row"] for s in ss}) == 20, q
    assert min(float(s["exact_score"]) for s in top) >= max(float(s["exact_score"]) for s in uni)
    assert all(float(s["weight"]) == 1 for s in top) and all(float(s["weight"]) == 24.6 for s in uni)

ratings = list(csv.DictReader(open(d + "/ratings.csv")))
variants = ["int8", "turboquant:bits=2", "qjl"]
ns, nq, nr = len(subjects), 12, 3
score = np.zeros((ns, 3, nr))
for r in ratings:
    for c, v in enumerate(variants):
        score[int(r["subject"]), c, 0] = float(r[v])
for r in csv.DictReader(open(d + "/replicates.csv")):
    score[int(r["subject"]), variants.index(r["variant"]), int(r["fit"]) - 1] = float(r["score"])
assert np.all(score[:, 0, 1:] == score[:, 0, :1]), "int8's fits differ"
assert np.any(score[:, 2, 1:] != score[:, 2, :1]), "qjl's fits are all equal"
exact = np.array([float(s["exact_score"]) for s in subjects])
rows = list(csv.DictReader(open(d + "/gtheory.csv")))
checked = 0
for measure, y0 in (("score", score), ("error", score - exact[:, None, None])):
    y = np.zeros((nq, ns // nq, 3, nr))
    for s in range(ns):
        y[s % nq, s // nq] = y0[s]
    ss = anova_numpy(y)
    n = dict(zip("qpcr", y.shape))
    df = {"q": n["q"] - 1, "p:q": n["q"] * (n["p"] - 1), "c": n["c"] - 1,
          "r:c": n["c"] * (n["r"] - 1), "qc": (n["q"] - 1) * (n["c"] - 1),
          "pc:q": n["q"] * (n["p"] - 1) * (n["c"] - 1), "qr:c": (n["q"] - 1) * n["c"] * (n["r"] - 1),
          "res": n["q"] * (n["p"] - 1) * n["c"] * (n["r"] - 1)}
    raw = solve({"nq": n["q"], "np": n["p"], "nc": n["c"], "nr": n["r"]},
                {e: ss[e] / df[e] for e in df})
    got = {r["statistic"]: float(r["value"]) for r in rows
           if r["analysis"] == "gstudy_" + measure and r["item"] == ""}
    for e, v in raw.items():
        assert abs(got["raw_" + e] - v) <= 1e-9 * max(abs(v), 1e-12), (measure, e, got["raw_" + e], v)
        assert got["sigma2_" + e] == max(v, 0.0) or abs(got["sigma2_" + e] - v) <= 1e-9 * abs(v)
        assert got["negative_" + e] == (v < 0), (measure, e)
        checked += 1
cells = [r for r in csv.DictReader(open(d + "/cells.csv")) if r["metric"] == "spearman"]
rep = {r["variant"]: (float(r["rep_low"]), float(r["value"]), float(r["rep_high"])) for r in cells}
assert rep["int8"][0] == rep["int8"][1] == rep["int8"][2], rep["int8"]
assert rep["qjl"][0] < rep["qjl"][2], rep["qjl"]
boot = {r["item"]: (float(r["ci_low"]), float(r["value"]), float(r["ci_high"]))
        for r in csv.DictReader(open(d + "/reliability.csv"))
        if r["analysis"] == "icc_vs_exact_query_bootstrap" and r["statistic"] == "ICC2"}
assert sorted(boot) == sorted(variants), boot
assert boot["qjl"][0] < boot["qjl"][1] < boot["qjl"][2], boot["qjl"]
print("G study: %d components equal numpy's" % checked)
PY

# One fit: the design (p:q) x c, replicate effects NaN, no replicates.csv, empty across-fit columns.
"$KVQ" --codec int8 --codec qjl --population "$POP" --out "$TMP/one" --quiet 2>"$TMP/err" ||
    fail "run with one fit: $(cat "$TMP/err")"
[ ! -e "$TMP/one/replicates.csv" ] || fail "replicates.csv written for one fit"
grep -q ',gstudy_score,,sigma2_r:c,NaN,' "$TMP/one/gtheory.csv" ||
    fail "one fit: r:c is not NaN in gtheory.csv"
grep -q ',gstudy_score,,sigma2_c,' "$TMP/one/gtheory.csv" || fail "one fit: no codec component"

# The same seed gives the same fits whatever the thread count.
"$KVQ" --codec int8 --codec turboquant:bits=2 --codec qjl --population "$POP" --replicates 3 \
    --threads 1 --out "$TMP/t1/run" --quiet 2>"$TMP/err" || fail "run on one thread: $(cat "$TMP/err")"
for f in cells.csv gtheory.csv replicates.csv ratings.csv; do
    same_but_timing "$TMP/run/$f" >"$TMP/a"
    same_but_timing "$TMP/t1/run/$f" >"$TMP/b"
    cmp -s "$TMP/a" "$TMP/b" || fail "$f differs between thread counts"
done

# The count is the run's: a resume keeps it; shards with different counts do not merge.
rm "$TMP/run/cells/0-2.json"
"$KVQ" --resume "$TMP/run" --quiet 2>"$TMP/err" || fail "resume: $(cat "$TMP/err")"
grep -q '"replicates":3' "$TMP/run/cells/0-2.json" || fail "the resumed cell lost its fits"
expect 2 "drop --matrix.*--replicates" -- --resume "$TMP/run" --replicates 2
expect 2 "--replicates takes an integer in \[1, 1000\]" -- --codec int8 --population "$POP" --replicates 0
"$KVQ" --codec int8 --population "$POP" --shard 1/2 --replicates 2 --out "$TMP/s1" --quiet 2>/dev/null ||
    fail "shard 1"
"$KVQ" --codec int8 --population "$POP" --shard 2/2 --out "$TMP/s2" --quiet 2>/dev/null || fail "shard 2"
expect 2 "1 replicates, not 2" -- merge "$TMP/merged" "$TMP/s1" "$TMP/s2"
finish gtheory
