#!/bin/sh
# End-to-end checks of the error structure and the congruence across populations: factors.csv's
# error_* rows and congruence.csv recomputed independently (numpy, scipy) from the run's own
# subjects.csv, ratings.csv and loadings; passthrough, whose errors are all zero, left out and named;
# a population with fewer than two codecs whose errors vary; the report's sections; the figures.
# Usage: error_structure_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"

"$KVQ" --codec passthrough --codec int8 --codec int4 --codec bf16 --codec f16 \
    --population "synthetic:gaussian?n=400&dim=16&queries=20" \
    --population "synthetic:gaussian?n=300&dim=24&queries=20&seed=3" \
    --population "synthetic:gaussian?n=300&dim=16&queries=20&seed=9" \
    --seed 5 --out "$TMP/run" --quiet 2>"$TMP/err" || fail "run failed: $(cat "$TMP/err")"

[ "$(head -1 "$TMP/run/congruence.csv")" = \
    "run,factor,population_a,population_b,n_variants,phi,ci_low,ci_high,verdict,label_a,layer_a,tensor_a,label_b,layer_b,tensor_b" ] ||
    fail "congruence.csv header: $(head -1 "$TMP/run/congruence.csv")"

/usr/bin/python3 - "$TMP/run" <<'PY' || fail "factors.csv's error rows or congruence.csv disagree with numpy/scipy"
import csv, itertools, math, sys
import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/factors.csv")))
subjects = list(csv.DictReader(open(d + "/subjects.csv")))
ratings = list(csv.DictReader(open(d + "/ratings.csv")))
pops = list(dict.fromkeys(r["population"] for r in subjects))
assert len(pops) == 3, pops
bad = []

def check(ok, what):
    if not ok:
        bad.append(what)

def close(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(b))

for pop in pops:
    mine = [r for r in rows if r["population"] == pop]
    def values(analysis, statistic=None):
        return [r for r in mine if r["analysis"] == analysis and statistic in (None, r["statistic"])]
    for analysis in ("error_scree", "error_loading", "error_cluster", "error_correlation"):
        check(values(analysis), f"{pop}: no {analysis} rows")
    # the errors from the run's own data: codec score minus exact score, subject by subject
    exact = np.array([float(s["exact_score"]) for s in subjects if s["population"] == pop])
    mine_r = [r for r in ratings if r["population"] == pop]
    variants = [c for c in mine_r[0] if c not in ("population", "subject")]
    errors = {v: np.array([float(r[v]) for r in mine_r]) - exact for v in variants}
    check(np.all(errors["passthrough"] == 0), f"{pop}: passthrough errs")
    varying = [v for v in variants if np.ptp(errors[v]) > 0]
    check("passthrough" not in varying, f"{pop}: passthrough's errors vary")
    zero = [r["item"] for r in values("error_summary", "zero_variance")]
    check(sorted(zero) == sorted(set(variants) - set(varying)), f"{pop}: zero_variance rows {zero}")
    check(float(values("error_summary", "codecs")[0]["value"]) == len(varying), f"{pop}: codecs")
    for analysis in ("error_loading", "error_cluster", "error_correlation"):
        check("passthrough" not in {r["item"] for r in values(analysis)},
              f"{pop}: passthrough in {analysis}")
    number = {r["item"]: int(float(r["value"])) for r in values("error_cluster", "item")}
    check(sorted(number) == sorted(varying), f"{pop}: analysed {sorted(number)}, want {sorted(varying)}")
    names = sorted(number, key=number.get)
    k = len(names)
    r = np.corrcoef(np.array([errors[v] for v in names]))
    for row in values("error_correlation"):
        i, j = number[row["item"]] - 1, int(row["statistic"][2:]) - 1
        check(close(float(row["value"]), r[i, j], 1e-9), f"{pop}: r {row['item']} {j + 1}")
    check(len(values("error_correlation")) == k * (k - 1) // 2, f"{pop}: correlation rows")
    lam, vec = np.linalg.eigh(r)
    lam, vec = lam[::-1], vec[:, ::-1]
    for j in range(k):
        got = float(values("error_scree", f"eigenvalue_{j + 1}")[0]["value"])
        check(close(got, lam[j], 1e-9), f"{pop}: eigenvalue {j + 1} {got} vs {lam[j]}")
    m = int(float(values("error_summary", "factors_retained")[0]["value"]))
    check(m == max(1, int(float(values("error_summary", "factors_parallel")[0]["value"]))),
          f"{pop}: retained")
    load = np.zeros((k, m))
    for row in values("error_loading"):
        load[number[row["item"]] - 1, int(row["statistic"][6:]) - 1] = float(row["value"])
    # a rotation keeps each codec's communality: that of the first m components
    communality = (vec[:, :m] ** 2 * lam[:m]).sum(axis=1)
    check(np.allclose((load ** 2).sum(axis=1), communality, atol=1e-9), f"{pop}: communalities")
    check(np.all(load.sum(axis=0) >= 0), f"{pop}: a factor sums below 0")
    if m == 1:
        pc = vec[:, 0] * math.sqrt(lam[0])
        pc = pc if pc.sum() >= 0 else -pc
        check(np.allclose(load[:, 0], pc, atol=1e-9), f"{pop}: first component")
    # the tree: scipy's average linkage on 1 - r
    z = linkage(squareform(1 - r, checks=False), method="average")
    heights = [float(values("error_cluster", f"height_{s + 1}")[0]["value"]) for s in range(k - 1)]
    check(np.allclose(heights, z[:, 2], atol=1e-9), f"{pop}: heights {heights} vs {z[:, 2]}")
    cut = float(values("error_summary", "cut_height")[0]["value"])
    want = fcluster(z, cut, criterion="distance")
    got = {row["item"]: row["value"] for row in values("error_cluster", "cluster")}
    part = lambda label: sorted(sorted(v for v in names if label[v] == c) for c in set(label.values()))
    check(part(got) == part(dict(zip(names, want))), f"{pop}: clusters at {cut}")
    order = sorted(names, key=lambda v: float([x for x in values("error_cluster", "order") if x["item"] == v][0]["value"]))
    check(len(set(order)) == k, f"{pop}: leaf order")

# congruence: every pair of populations once per factor, phi from the loadings of factors.csv
con = list(csv.DictReader(open(d + "/congruence.csv")))
check(len(con) == 2 * 3, f"{len(con)} congruence rows")
pairs = list(itertools.combinations(pops, 2))
for factor, (analysis, statistic) in (("score_factor1", ("loading", "factor1")),
                                      ("error_factor1", ("error_loading", "factor1"))):
    got = [(c["population_a"], c["population_b"]) for c in con if c["factor"] == factor]
    check(got == pairs, f"{factor}: pairs {got}")
    load = {p: {r["item"]: float(r["value"]) for r in rows if r["population"] == p and
                r["analysis"] == analysis and r["statistic"] == statistic} for p in pops}
    for c in (c for c in con if c["factor"] == factor):
        a, b = load[c["population_a"]], load[c["population_b"]]
        common = [v for v in a if v in b]
        x, y = np.array([a[v] for v in common]), np.array([b[v] for v in common])
        phi = (x @ y) / math.sqrt((x @ x) * (y @ y))
        verdict = "equal" if abs(phi) >= 0.95 else "fair" if abs(phi) >= 0.85 else "different"
        check(int(c["n_variants"]) == len(common), f"{factor}: n_variants")
        check(close(float(c["phi"]), phi, 1e-12), f"{factor}: phi {c['phi']} vs {phi}")
        check(c["verdict"] == verdict, f"{factor}: verdict {c['verdict']} vs {verdict}")
        check(c["label_a"] == "synthetic:gaussian" and c["tensor_b"] == "gaussian", "population columns")
        # the score factor's phi has a query-cluster interval around it (0.999 here: the bootstrap
        # can land above the point when it is so near 1); the error factor's has none
        if factor == "score_factor1":
            lo, hi = float(c["ci_low"]), float(c["ci_high"])
            check(lo < hi and lo <= phi + 1e-3 and phi - 1e-3 <= hi, f"phi {phi} interval [{lo}, {hi}]")
        else:
            check(c["ci_low"] == c["ci_high"] == "", "error factor with an interval")
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY

grep -q '^## Which codecs err together$' "$TMP/run/report.md" || fail "report.md lacks the error structure"
[ "$(grep -c "^- codecs analysed: 4; left out, .*: \`passthrough\`$" "$TMP/run/report.md")" -eq 3 ] ||
    fail "report.md does not name passthrough as left out: $(grep 'codecs analysed' "$TMP/run/report.md")"
[ "$(grep -c '^- error factors retained: ' "$TMP/run/report.md")" -eq 3 ] || fail "report.md: factors retained"
grep -q "^## Does the codecs' factor structure hold across populations?$" "$TMP/run/report.md" ||
    fail "report.md lacks the congruence"
grep -q '^- \*\*scores\*\* (`score_factor1`): 3 pairs: ' "$TMP/run/report.md" || fail "report.md: score pairs"
grep -q '^- \*\*errors\*\* (`error_factor1`): 3 pairs: ' "$TMP/run/report.md" || fail "report.md: error pairs"
if command -v gnuplot >/dev/null; then
    for f in error_cluster_P1 error_cluster_P2 error_cluster_P3 congruence_score_factor1 congruence_error_factor1; do
        for ext in png svg; do
            image_complete "$TMP/run/plots/$f.$ext" || fail "figure $f.$ext missing or incomplete"
        done
        head -1 "$TMP/run/plots/$f.tsv" | grep -q '^# ' || fail "$f.tsv names no columns"
    done
fi

# Fewer than two codecs whose errors vary: only the summary rows, and the error factor undecided.
"$KVQ" --codec passthrough --codec int8 --population "synthetic:gaussian?n=200&dim=8&queries=10" \
    --population "synthetic:gaussian?n=200&dim=8&queries=10&seed=2" --out "$TMP/two" --quiet 2>"$TMP/err" ||
    fail "two-codec run failed: $(cat "$TMP/err")"
grep -q ',error_summary,passthrough,zero_variance,1,' "$TMP/two/factors.csv" || fail "two: passthrough not named"
grep -q ',error_scree,\|,error_loading,' "$TMP/two/factors.csv" && fail "two: an error analysis of one codec"
grep -q '^[^,]*,error_factor1,[^,]*,[^,]*,0,NaN,,,n/a,' "$TMP/two/congruence.csv" ||
    fail "two: error factor not undecided: $(cat "$TMP/two/congruence.csv")"
grep -q '^[^,]*,score_factor1,[^,]*,[^,]*,2,' "$TMP/two/congruence.csv" || fail "two: score factor"
grep -q '^- fewer than two codecs whose errors vary: no error structure.$' "$TMP/two/report.md" ||
    fail "two: report.md"

finish error_structure
