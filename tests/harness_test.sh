#!/bin/sh
# End-to-end checks of the matrix harness: results independent of the thread count, a killed run
# resumed with no cell lost or repeated, the epiphany table on hand-checkable predictions, and a
# run without gnuplot. Usage: harness_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"

CODECS="--codec passthrough --codec int8 --codec bf16"
POPS="--population synthetic:gaussian?n=600&dim=32&queries=40 --population synthetic:gaussian?n=300&dim=16&queries=20&seed=3"

# 1. Same seed, 1 thread or 2: byte-identical outputs (same run folder name, so the run column agrees).
for t in 1 2; do
    mkdir -p "$TMP/t$t"
    # shellcheck disable=SC2086
    "$KVQ" $CODECS $POPS --seed 11 --threads $t --out "$TMP/t$t/run" --quiet 2>"$TMP/t$t.err" \
        || fail "threads=$t run failed: $(cat "$TMP/t$t.err")"
done
for f in cells.csv summary.csv reliability.csv factors.csv congruence.csv gtheory.csv chain.csv populations.csv epiphanies.csv epiphanies.md; do
    same_but_timing "$TMP/t1/run/$f" >"$TMP/a"
    same_but_timing "$TMP/t2/run/$f" >"$TMP/b"
    cmp -s "$TMP/a" "$TMP/b" || fail "$f differs between --threads 1 and 2"
    [ -s "$TMP/a" ] || fail "$f is empty"
done
for f in run.json cells.csv summary.csv populations.csv reliability.csv factors.csv congruence.csv gtheory.csv chain.csv manifest.json report.md epiphanies.md epiphanies.csv; do
    [ -s "$TMP/t1/run/$f" ] || fail "run folder lacks $f"
done
grep -q '"threads":	2' "$TMP/t2/run/manifest.json" || fail "manifest lacks the thread count"
grep -q '"peak_rss_mib"' "$TMP/t2/run/manifest.json" || fail "manifest lacks peak memory"

# 2. Kill a run half way, resume it: the same cells as an uninterrupted run, none twice.
kill_and_resume "$TMP/k"
"$KVQ" --resume "$TMP/k/run" --codec int8 >/dev/null 2>"$TMP/err"; [ $? -eq 2 ] || fail "--resume with --codec accepted"
"$KVQ" --codec int8 --population "synthetic:gaussian?n=64&dim=8" --out "$TMP/k/run" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -q "already holds a run; finish it with --resume" "$TMP/err" || fail "new run into a run folder: $(cat "$TMP/err")"

# 2b. kvqeval report rewrites a finished run's outputs through the path a run ends in: the same
# bytes, plus the heatmap of another metric; a run with cells still to run is refused.
cp -r "$TMP/t1" "$TMP/rep"
"$KVQ" report "$TMP/rep/run" --heatmap rel_mse --quiet 2>"$TMP/err" || fail "report: $(cat "$TMP/err")"
grep -q '^| command | `.*kvqeval report .*/rep/run --heatmap rel_mse --quiet` |$' "$TMP/rep/run/report.md" ||
    fail "report.md does not name the report command"
for ext in png svg; do
    image_complete "$TMP/rep/run/plots/heatmap_rel_mse.$ext" || fail "report drew no rel_mse heatmap ($ext)"
    mv "$TMP/rep/run/plots/heatmap_rel_mse.$ext" "$TMP/"
done
rm "$TMP/rep/run/plots/heatmap_rel_mse.tsv"
# (report.md lists the new figure: its line and the blank line after it go too)
awk '/heatmap_rel_mse/ { skip = 1; next } skip && /^$/ { skip = 0; next } { skip = 0; print }' \
    "$TMP/rep/run/report.md" >"$TMP/report.md" && mv "$TMP/report.md" "$TMP/rep/run/report.md"
diff=$(same_run "$TMP/t1/run" "$TMP/rep/run") || fail "report changed the run's outputs: $diff"
rm "$TMP/rep/run/cells/0-1.json"
"$KVQ" report "$TMP/rep/run" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q "is not finished (1 of 6 cells to run): finish it with --resume" "$TMP/err" ||
    fail "report of an unfinished run: $(cat "$TMP/err")"

# 2c. The metrics the claims read carry 95% intervals around their value: over rows (rel_mse,
# cosine) and over queries (attn_kl, attn_top1); bf16 loses something, so its intervals have width.
awk -F, '$3 == "bf16" && ($6 == "rel_mse" || $6 == "cosine" || $6 == "attn_kl" || $6 == "attn_top1") {
             n++; if ($8 == "" || $9 == "" || $8 + 0 > $7 + 0 || $9 + 0 < $7 + 0 || ($6 != "attn_top1" && $8 + 0 >= $9 + 0)) bad = bad " " $6 }
         END { if (n != 8 || bad != "") { print "intervals: " n " rows," bad; exit 1 } }' "$TMP/t1/run/cells.csv" ||
    fail "$(awk -F, '$3 == "bf16" && ($6 == "rel_mse" || $6 == "cosine")' "$TMP/t1/run/cells.csv")"

# 2d. The psychometric layer's data: subjects.csv (20 subjects a query: its 10 best rows and 10
# uniform ones) and ratings.csv; an independent Cronbach's alpha (pure Python, from the ratings
# alone) equals reliability.csv's.
python3 - "$TMP/t1/run" <<'PY' || fail "subjects.csv / ratings.csv do not reproduce reliability.csv's alpha"
import csv, statistics, sys
d = sys.argv[1]
subjects = list(csv.DictReader(open(d + "/subjects.csv")))
ratings = list(csv.DictReader(open(d + "/ratings.csv")))
pops = sorted({r["population"] for r in subjects})
queries = {(r["population"], r["query"]) for r in subjects}
assert len(subjects) == len(ratings) == 20 * len(queries), (len(subjects), len(ratings))
for pop in pops:
    rows = [r for r in ratings if r["population"] == pop]
    items = [c for c in rows[0] if c not in ("population", "subject") and all(r[c] for r in rows)]
    x = [[float(r[c]) for c in items] for r in rows]
    k = len(items)
    total = statistics.variance([sum(v) for v in x])
    alpha = k / (k - 1) * (1 - sum(statistics.variance([v[i] for v in x]) for i in range(k)) / total)
    want = [float(r["value"]) for r in csv.DictReader(open(d + "/reliability.csv"))
            if r["population"] == pop and r["analysis"] == "alpha" and r["statistic"] == "raw_alpha"]
    assert len(want) == 1 and abs(alpha - want[0]) < 1e-9, (pop, alpha, want)
PY

# 2e. queries.csv: every query of every cell that ran; each query-averaged metric of cells.csv is the
# mean of its column over the queries where it is defined, and n_queries_defined counts them.
python3 - "$TMP/t1/run" <<'PY' || fail "queries.csv does not give cells.csv's query-averaged metrics"
import csv, sys
d = sys.argv[1]
queries = list(csv.DictReader(open(d + "/queries.csv")))
cells = {(r["population"], r["variant"], r["metric"]): r["value"]
         for r in csv.DictReader(open(d + "/cells.csv"))}
keys = sorted({(r["population"], r["variant"]) for r in queries})
ran = sorted({(p, v) for (p, v, m) in cells if m == "spearman"})
assert keys == ran and len(keys) >= 4, (keys, ran)
for key in keys:
    rows = [r for r in queries if (r["population"], r["variant"]) == key]
    assert [int(r["query"]) for r in rows] == list(range(len(rows))), key
    for metric in ("pearson", "spearman", "kendall_tau_b", "recall@10", "attn_kl", "attn_top1"):
        x = [float(r[metric]) for r in rows if r[metric] != ""]
        want = float(cells[key + (metric,)])
        assert abs(sum(x) / len(x) - want) <= 1e-12 * max(1, abs(want)), (key, metric, want)
    defined = sum(1 for r in rows if r["spearman"] != "")
    assert defined == float(cells[key + ("n_queries_defined",)]), key
PY

# 2f. The manifest gives every ok cell's CPU time by phase, also for cells a resumed run read back
# from its cell store: each phase >= 0, together at most the cell's cpu_s and at least half of it.
python3 - "$TMP/t1/run" "$TMP/k/run" <<'PY' || fail "manifest.json's per-phase CPU times do not add up"
import json, sys
phases = ("fit", "encode", "score", "metrics", "chain", "criterion")
for d in sys.argv[1:]:
    cells = [c for c in json.load(open(d + "/manifest.json"))["cells"] if c["status"] == "ok"]
    assert len(cells) >= 4, (d, len(cells))
    for c in cells:
        p = c["phases"]
        assert sorted(p) == sorted(phases), (d, c["variant"], p)
        assert all(isinstance(p[k], (int, float)) and p[k] >= 0 for k in phases), (d, c["variant"], p)
        total = sum(p.values())
        assert 0.5 * c["cpu_s"] <= total <= c["cpu_s"] + 1e-6, (d, c["variant"], c["cpu_s"], p)
PY

# 3. Epiphanies on hand-checkable facts (run t1: passthrough is exact, int8 is not).
cat >"$TMP/spec.json" <<'JSON'
{"epiphanies": [
 {"id": "exact", "title": "t", "claim": "c", "predictions": [
   {"codec": "passthrough", "metric": "spearman", "op": ">=", "value": 1}]},
 {"id": "lossless_int8", "title": "t", "claim": "c", "predictions": [
   {"codec": "int8", "metric": "rel_mse", "op": "<", "value": 1e-12}]},
 {"id": "missing", "title": "t", "claim": "c", "predictions": [
   {"codec": "no_such_codec*", "metric": "spearman", "op": ">", "value": 0}]},
 {"id": "elsewhere", "title": "t", "claim": "c", "predictions": [
   {"when": {"role": "vocab"}, "codec": "int8", "metric": "spearman", "op": ">", "value": 0}]},
 {"id": "versus", "title": "t", "claim": "c", "predictions": [
   {"codec": "bf16", "metric": "rel_mse", "op": "<", "versus": {"codec": "int8", "metric": "rel_mse", "scale": 0.5}}]}
]}
JSON
"$KVQ" epiphanies "$TMP/t1/run" --spec "$TMP/spec.json" 2>"$TMP/err" || fail "epiphanies: $(cat "$TMP/err")"
row() { grep "^$1," "$TMP/t1/run/epiphanies.csv"; }
verdicts() { row "$1" | awk -F, '{ print $4 }' | sort -u | tr '\n' ' '; }
[ "$(head -1 "$TMP/t1/run/epiphanies.csv")" = "claim,prediction,population,verdict,metric,value,ci_low,ci_high,op,threshold,codecs,label,diff,diff_low,diff_high" ] ||
    fail "epiphanies.csv header: $(head -1 "$TMP/t1/run/epiphanies.csv")"
[ "$(verdicts exact)" = "CONFIRMED " ] && [ "$(row exact | wc -l)" -eq 2 ] || fail "exact: $(row exact)"
row exact | grep -q "^exact,exact.1,[^,]*,CONFIRMED,spearman,1,1,1,>=,1,passthrough," || fail "exact: $(row exact)"
[ "$(verdicts lossless_int8)" = "REFUTED " ] || fail "lossless_int8: $(row lossless_int8)"
[ "$(verdicts missing)" = "NO DATA " ] || fail "missing: $(row missing)"
[ -z "$(row elsewhere)" ] && grep -q '^| \*\*elsewhere\*\* t | n/a | n/a |$' "$TMP/t1/run/epiphanies.md" ||
    fail "elsewhere: $(row elsewhere) $(grep elsewhere "$TMP/t1/run/epiphanies.md")"
[ "$(verdicts versus)" = "CONFIRMED " ] || fail "versus: $(row versus)"
printf '{"epiphanies": [{"id": "x", "title": "t", "claim": "c", "predictions": [{"mertic": "a", "op": "<", "value": 1}]}]}' >"$TMP/bad.json"
"$KVQ" epiphanies "$TMP/t1/run" --spec "$TMP/bad.json" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q "epiphanies\[0\].predictions\[0\]: unknown key 'mertic'" "$TMP/err" || fail "bad spec: $(cat "$TMP/err")"
"$KVQ" epiphanies "$TMP/nowhere" 2>"$TMP/err"; [ $? -eq 3 ] || fail "missing run folder accepted"

# 4. Without gnuplot on PATH the run still succeeds, says so once, and draws nothing.
mkdir -p "$TMP/bin"
PATH="$TMP/bin" "$KVQ" --codec int8 --population "synthetic:gaussian?n=64&dim=8" --out "$TMP/nog" --quiet 2>"$TMP/err" \
    || fail "run without gnuplot failed: $(cat "$TMP/err")"
[ "$(grep -c 'gnuplot not found' "$TMP/err")" -eq 1 ] || fail "no single gnuplot message: $(cat "$TMP/err")"
ls "$TMP/nog/plots" 2>/dev/null | grep -q png && fail "plots drawn without gnuplot"
if command -v gnuplot >/dev/null; then
    for f in heatmap_spearman rate_distortion_P1 scree alpha_deleted_P1 chain_P1; do
        [ -s "$TMP/t1/run/plots/$f.png" ] && [ -s "$TMP/t1/run/plots/$f.svg" ] || fail "missing figure $f"
    done
    # every figure's data names its columns on its first line, and has both images, non-empty
    for t in "$TMP"/t1/run/plots/*.tsv; do
        head -1 "$t" | grep -q "^# [a-z_0-9-]*	[a-z_@0-9]*\|^variant	P1 " || fail "$t: no header: $(head -1 "$t")"
        [ -s "${t%.tsv}.png" ] && [ -s "${t%.tsv}.svg" ] || fail "$t: figure missing"
    done
fi

# 5. A codec that does not apply to a population (pq's 16 subspaces on rows of dimension 1) gives a
# skipped cell with the reason, and exit status 0; the others still run.
"$KVQ" --codec "pq:m=16,nbits=4" --codec int8 --population "synthetic:gaussian?n=300&dim=1&queries=10" \
    --population "synthetic:gaussian?n=300&dim=32&queries=10" --out "$TMP/f" --quiet 2>"$TMP/err"
[ $? -eq 0 ] || fail "an inapplicable codec made the run fail: $(cat "$TMP/err")"
grep -q "4 cells (0 failed, 1 skipped" "$TMP/err" || fail "skipped cell not counted: $(cat "$TMP/err")"
grep -q '"status":	"skipped"' "$TMP/f/manifest.json" || fail "manifest lacks the skipped cell"
grep -q '"reason":	"pq: m=16' "$TMP/f/manifest.json" || fail "manifest lacks the reason"
# (the variant is named canonically: m=16 is pq's default)
grep -q "^- \`pq:nbits=4\` on .*m=16" "$TMP/f/report.md" || fail "report.md lacks the skipped cell"
grep -q '^f,pq,pq:nbits=4,synthetic:gaussian?n=300&dim=1&queries=10,gaussian,skipped' \
    "$TMP/f/summary.csv" || fail "summary.csv lacks the skipped status"
grep -q '^f,int8,int8,synthetic:gaussian?n=300&dim=1&queries=10,gaussian,spearman,' "$TMP/f/cells.csv" \
    || fail "the other cell of the population did not run"
grep -q '^f,pq,pq:nbits=4,synthetic:gaussian?n=300&dim=32' "$TMP/f/cells.csv" \
    || fail "the skipped variant did not run on the population it fits"

# 6. A cell that fails (an internal error injected with KVQ_FAULT_CELL) is named, recorded with its
# error, and the others still run: exit status 1.
KVQ_FAULT_CELL=int8 "$KVQ" --codec int8 --codec bf16 --population "synthetic:gaussian?n=300&dim=32&queries=10" \
    --out "$TMP/g" --quiet 2>"$TMP/err"
[ $? -eq 1 ] || fail "a failed cell did not make the exit status 1"
grep -q "cell int8 x synthetic:gaussian?n=300&dim=32&queries=10 failed: .*KVQ_FAULT_CELL" "$TMP/err" \
    || fail "failed cell not named: $(cat "$TMP/err")"
grep -q '"status":	"failed"' "$TMP/g/manifest.json" || fail "manifest lacks the failed cell"
grep -q "^- \`int8\` on .*KVQ_FAULT_CELL" "$TMP/g/report.md" || fail "report.md lacks the failed cell"
grep -q '^g,bf16,bf16,synthetic:gaussian?n=300&dim=32&queries=10,gaussian,spearman,' "$TMP/g/cells.csv" \
    || fail "the other cell did not run"

finish harness
