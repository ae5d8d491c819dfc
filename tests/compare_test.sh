#!/bin/sh
# End-to-end checks of paired comparisons: `kvqeval compare` and the epiphany table's
# codec-against-codec predictions, recomputed in pure Python from queries.csv and cells.csv.
#   - compare --codec A --codec B: the difference is the mean over the queries both define of
#     A - B, inside its interval; int8 beats int4 on Spearman everywhere (p = 0 of 10000);
#   - compare without codecs: every pair at matched bits (bits_per_coord_total within 10%) and no
#     other; Holm and Benjamini-Hochberg adjusted p-values as their definitions give them;
#   - comparisons.csv holds what was printed; refusals name the flag, codec or population;
#   - an epiphany prediction of one codec against another on Spearman is decided by the paired
#     difference (its columns filled, equal to compare's), one on rel_mse by the two intervals.
# Usage: compare_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"

"$KVQ" --codec int8 --codec int4 --codec q4_0 --codec nf4 --codec bf16 \
    --population 'synthetic:gaussian?n=1024&dim=64' --population 'synthetic:kv_cache?n=1024&dim=64' \
    --out "$TMP/run" --quiet 2>"$TMP/err" || fail "run: $(cat "$TMP/err")"

expect 0 "^2 comparisons;" -- compare "$TMP/run" --metric spearman --codec int8 --codec int4
python3 - "$TMP/run" <<'PY' || fail "compare int8 int4: $(cat "$TMP/run/comparisons.csv")"
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/comparisons.csv")))
queries = list(csv.DictReader(open(d + "/queries.csv")))
assert len(rows) == 2, rows
for r in rows:
    a = [q for q in queries if q["population"] == r["population"] and q["variant"] == "int8"]
    b = [q for q in queries if q["population"] == r["population"] and q["variant"] == "int4"]
    pairs = [(float(x["spearman"]), float(y["spearman"])) for x, y in zip(a, b)
             if x["spearman"] and y["spearman"]]
    diff = sum(x - y for x, y in pairs) / len(pairs)
    assert int(r["n_queries"]) == len(pairs) == 256, r
    assert abs(float(r["diff"]) - diff) <= 1e-15, (r["diff"], diff)
    assert float(r["ci_low"]) <= diff <= float(r["ci_high"]) and float(r["ci_low"]) > 0, r
    assert float(r["p"]) == 0 and float(r["p_holm"]) == 0, r
PY

expect 0 "comparisons;" -- compare "$TMP/run" --metric spearman
python3 - "$TMP/run" <<'PY' || fail "compare at matched bits: $(cat "$TMP/run/comparisons.csv")"
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/comparisons.csv")))
bits = {(r["population"], r["variant"]): float(r["value"])
        for r in csv.DictReader(open(d + "/cells.csv")) if r["metric"] == "bits_per_coord_total"}
want = set()
for pop in {p for p, v in bits}:
    vs = [v for p, v in bits if p == pop]
    for i, a in enumerate(vs):
        for b in vs[i + 1:]:
            x, y = bits[(pop, a)], bits[(pop, b)]
            if abs(x - y) <= 0.1 * max(x, y):
                want.add((pop, frozenset((a, b))))
got = {(r["population"], frozenset((r["codec_a"], r["codec_b"]))) for r in rows}
assert got == want and len(got) >= 4, (got, want)
p = [float(r["p"]) for r in rows]
m = len(p)
order = sorted(range(m), key=lambda i: p[i])
holm, run = [0.0] * m, 0.0
for k, i in enumerate(order):
    run = max(run, min(1.0, (m - k) * p[i]))
    holm[i] = run
bh, run = [0.0] * m, 1.0
for k in reversed(range(m)):
    i = order[k]
    run = min(run, min(1.0, m * p[i] / (k + 1)))
    bh[i] = run
for r, h, b in zip(rows, holm, bh):
    assert abs(float(r["p_holm"]) - h) <= 1e-15 and abs(float(r["p_bh"]) - b) <= 1e-15, (r, h, b)
PY

expect 2 "--metric rel_mse is not averaged over queries" -- compare "$TMP/run" --metric rel_mse
expect 2 "give two --codec" -- compare "$TMP/run" --metric spearman --codec int8
expect 2 "--codec 'int3' is no codec variant" -- compare "$TMP/run" --metric spearman --codec int8 --codec int3
expect 2 "--population 'nothing\*' matches no population" -- compare "$TMP/run" --metric spearman --population 'nothing*'
expect 2 "RUN_DIR is missing" -- compare --metric spearman
expect 2 "cells.csv" -- compare "$TMP/none" --metric spearman

# The epiphany table: paired on Spearman, by intervals on rel_mse.
cat >"$TMP/spec.json" <<'JSON'
{"epiphanies": [
 {"id": "pair", "title": "t", "claim": "c", "predictions": [
   {"id": "rho", "codec": "int8", "metric": "spearman", "op": ">", "versus": {"codec": "int4", "metric": "spearman"}},
   {"id": "mse", "codec": "int8", "metric": "rel_mse", "op": "<", "versus": {"codec": "int4", "metric": "rel_mse"}}]}
]}
JSON
"$KVQ" epiphanies "$TMP/run" --spec "$TMP/spec.json" 2>"$TMP/err" || fail "epiphanies: $(cat "$TMP/err")"
"$KVQ" compare "$TMP/run" --metric spearman --codec int8 --codec int4 >/dev/null 2>&1 || fail "compare again"
python3 - "$TMP/run" <<'PY' || fail "paired epiphanies: $(cat "$TMP/run/epiphanies.csv")"
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/epiphanies.csv")))
cmp = {r["population"]: r for r in csv.DictReader(open(d + "/comparisons.csv"))}
rho = [r for r in rows if r["prediction"] == "rho"]
mse = [r for r in rows if r["prediction"] == "mse"]
assert len(rho) == len(mse) == 2
for r in rho:
    c = cmp[r["population"]]
    assert r["verdict"] == "CONFIRMED" and r["codecs"] == "int8 vs int4", r
    for k, j in (("diff", "diff"), ("diff_low", "ci_low"), ("diff_high", "ci_high")):
        assert r[k] == c[j], (k, r[k], c[j])
for r in mse:
    assert r["verdict"] == "CONFIRMED" and r["diff"] == r["diff_low"] == r["diff_high"] == "", r
PY
grep -q "paired difference" "$TMP/run/epiphanies.md" || fail "epiphanies.md shows no paired difference"

# report.md lists the significant differences of comparisons.csv (here int8 against int4).
"$KVQ" report "$TMP/run" --quiet 2>"$TMP/err" || fail "report: $(cat "$TMP/err")"
grep -q '^## Paired comparisons' "$TMP/run/report.md" || fail "report.md has no paired comparisons"
grep -q '^| P1 `synthetic:gaussian` | spearman | `int8` | `int4` | ' "$TMP/run/report.md" ||
    fail "report.md lacks int8 against int4: $(grep -A6 'Paired comparisons' "$TMP/run/report.md")"
[ -s "$TMP/run/comparisons.csv" ] || fail "report removed comparisons.csv"
