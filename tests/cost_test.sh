#!/bin/sh
# The cost of a cell with its shared bytes: bits_per_coord_total against the codecs' documented
# layouts (tests/golden/cost.json, from tests/golden/gen_cost.py) and against its definition from
# each cell's own byte counts; degenerate cells (pq's 256 centroids per subspace on 256 rows)
# marked, with the reason, in the metric, the note, the tables and report.md; and the Pareto figure.
# Usage: cost_test.sh PATH/TO/kvqeval SOURCE_DIR/tests
KVQ=$1
GOLD=$2/golden/cost.json
. "$(dirname "$0")/lib.sh"

P1="synthetic:gaussian?n=256&dim=32&queries=16"
P2="synthetic:gaussian?n=1000&dim=24&queries=16"
expect 0 "" -- --codec int8 --codec pq --codec passthrough --population "$P1" --population "$P2" \
    --out "$TMP/run" --seed 7
cp "$TMP/out" "$TMP/stdout"

# Every cell: bits_per_coord_total = 8 (bytes_per_row n + shared_bytes) / (n dim), n and dim from
# the population's spec; the cells of the golden file: its byte counts and values.
python3 - "$TMP/run/cells.csv" "$GOLD" <<'PY' || fail "cost metrics differ from their definition or the golden values"
import csv, json, re, sys
cells = {}
for r in csv.DictReader(open(sys.argv[1])):
    cells.setdefault((r["variant"], r["population"]), {})[r["metric"]] = float(r["value"])
bad = []
for (variant, pop), m in cells.items():
    n, dim = (int(re.search(k + r"=(\d+)", pop).group(1)) for k in ("n", "dim"))
    want = 8.0 * (m["bytes_per_row"] * n + m["shared_bytes"]) / (n * dim)
    if abs(m["bits_per_coord_total"] - want) > 1e-12 * want:
        bad.append(f"{variant} on {pop}: bits_per_coord_total {m['bits_per_coord_total']}, want {want}")
for g in json.load(open(sys.argv[2]))["cells"]:
    m = cells.get((g["variant"], g["population"]))
    if m is None:
        bad.append(f"no cell {g['variant']} on {g['population']}")
        continue
    for k in ("bytes_per_row", "shared_bytes", "bits_per_coord_total", "degenerate"):
        if abs(m[k] - g[k]) > 1e-12 * max(1.0, abs(g[k])):
            bad.append(f"{g['variant']} on {g['population']}: {k} {m[k]}, golden {g[k]}")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY

# The degenerate cell's reason: in the manifest's note and in report.md; the others have none.
reason="degenerate: shared bytes 32768 reach the 16384 bytes of the 256 rows in bf16 (room for 256 rows in f32)"
grep -qF "$reason" "$TMP/run/manifest.json" || fail "manifest lacks the reason: $(grep -c degenerate "$TMP/run/manifest.json")"
[ "$(grep -c 'degenerate: ' "$TMP/run/manifest.json")" -eq 1 ] || fail "more than one cell noted degenerate"
grep -qF '## Degenerate cells (1:' "$TMP/run/report.md" || fail "report.md lacks the degenerate section"
grep -qF -- "- \`pq\` on \`$P1\`: shared bytes 32768 reach" "$TMP/run/report.md" || fail "report.md lacks the degenerate cell"
# The tables: the value marked, the mark explained once; the same cell on the larger population not.
grep -q '^pq  *36\.000\*  *13\.525 *$' "$TMP/stdout" || fail "pq's total bits not marked degenerate: $(grep '^pq ' "$TMP/stdout")"
[ "$(grep -c '^\* degenerate cell (1)' "$TMP/stdout")" -eq 1 ] || fail "no single footnote: $(cat "$TMP/stdout")"
grep -q '^| `pq` | 36\.000\\\* | 13\.525 |$' "$TMP/run/report.md" || fail "report.md's table lacks the mark"

if command -v gnuplot >/dev/null; then
    for p in 1 2; do
        for f in pareto_P$p rate_distortion_P$p; do
            head -1 "$TMP/run/plots/$f.tsv" | grep -q '^# bits_per_coord_total	' || fail "$f.tsv: header $(head -1 "$TMP/run/plots/$f.tsv")"
            image_complete "$TMP/run/plots/$f.png" && image_complete "$TMP/run/plots/$f.svg" || fail "$f: image missing"
        done
    done
    # The frontier (the last block) against the points' own dominance, degenerate points left out:
    # on P1 int8 and passthrough (pq degenerate), on P2 the same (pq costs more than int8 and ranks worse).
    for p in 1 2; do
        python3 - "$TMP/run/plots/pareto_P$p.tsv" <<'PY' || fail "pareto_P$p: wrong frontier"
import sys
blocks = [b for b in open(sys.argv[1]).read().split("\n\n\n")]
rows = [[line.split("\t") for line in b.strip("\n").split("\n") if line and not line.startswith("#")] for b in blocks]
points = [(float(r[0]), float(r[1]), int(r[2]), r[3]) for b in rows[:-1] for r in b]
front = [(float(r[0]), float(r[1]), r[2]) for r in rows[-1]]
keep = [q for q in points if not q[2]]
want = sorted((x, y, v) for x, y, d, v in keep
              if not any(a <= x and b <= y and (a < x or b < y) for a, b, _, _ in keep))
assert front == want and [v for _, _, v in front] == ["int8", "passthrough"], (front, want)
PY
    done
    # kvqeval plot draws the kind on its own.
    "$KVQ" plot "$TMP/run" --kind pareto --out "$TMP/only" 2>"$TMP/err" || fail "plot --kind pareto: $(cat "$TMP/err")"
    [ "$(ls "$TMP/only" | grep -v gnuplot.log | sort | tr '\n' ' ')" = "pareto_P1.png pareto_P1.svg pareto_P1.tsv pareto_P2.png pareto_P2.svg pareto_P2.tsv " ] \
        || fail "plot --kind pareto drew: $(ls "$TMP/only")"
fi
finish cost
