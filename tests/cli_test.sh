#!/bin/sh
# End-to-end checks of the kvqeval program: what a user sees for good and bad command lines.
# Usage: cli_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"

expect 0 "usage: kvqeval" -- --help
expect 0 "^kvqeval [0-9.]* (commit \([0-9a-f]\{12\}\(-dirty\)\{0,1\}\|unknown\), [a-z]* build)$" -- --version
expect 0 "^int8 " -- list backends
expect 0 "synthetic:gaussian" -- list populations
expect 2 "unknown flag '--bogus'" -- --bogus
expect 2 "usage: kvqeval" --
expect 2 "nothing to run" -- --seed 3
expect 2 "flag '--codec' needs a value" -- --codec
expect 2 "--matrix takes 'all'" -- --matrix some
expect 2 "--seed takes an integer" -- --matrix all --seed -1
expect 2 "unknown codec 'nope' (known: " -- --codec nope --out "$TMP/x1"
expect 2 "has no parameter 'bits'" -- --codec int8:bits=3 --out "$TMP/x2"
expect 2 "unknown generator" -- --codec int8 --population synthetic:nope --out "$TMP/x3"
expect 2 "^kvqeval: --model '$TMP/nope': cannot open '$TMP/nope': No such file" -- --codec int8 --model "$TMP/nope" --out "$TMP/x4"
[ ! -e "$TMP/x1" ] && [ ! -e "$TMP/x2" ] || fail "a refused run left a folder behind"

# An unwritable output folder is refused before any work.
mkdir -p "$TMP/ro" && chmod 0555 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
    expect 3 "not writable\|cannot create" -- --codec int8 --population "synthetic:gaussian?n=64&dim=8" --out "$TMP/ro/run"
fi
expect 3 "cannot create folder '/dev/null/run'" -- --codec int8 --population "synthetic:gaussian?n=64&dim=8" --out /dev/null/run

# A real run: table on stdout, the CSV and manifest in the folder, passthrough exact.
expect 0 "Spearman" -- --codec passthrough --codec int8 --codec bf16 \
    --population "synthetic:gaussian?n=512&dim=64" --out "$TMP/run" --seed 5
for f in cells.csv manifest.json; do [ -s "$TMP/run/$f" ] || fail "missing $f"; done
ls "$TMP/run" | grep -q tmp && fail "temporary file left in the run folder"
head -1 "$TMP/run/cells.csv" | grep -qx "run,codec,variant,population,role,metric,value,ci_low,ci_high,rep_low,rep_high,label,layer,tensor" \
    || fail "cells.csv header"
for m in pearson spearman recall@10; do
    grep -q "^run,passthrough,passthrough,synthetic:gaussian?n=512&dim=64,gaussian,$m,1,1,1,,,synthetic:gaussian,,gaussian$" "$TMP/run/cells.csv" \
        || fail "passthrough $m is not 1"
done
grep -q "^run,passthrough,.*,rel_mse,0,0,0," "$TMP/run/cells.csv" || fail "passthrough rel_mse is not 0 [0, 0]"
grep -q '"seed":	5' "$TMP/run/manifest.json" || fail "manifest lacks the seed"
# A second run into the same folder is refused; the first is left intact.
expect 2 "already holds a run" -- --codec int8 --population "synthetic:gaussian?n=64&dim=8" --out "$TMP/run"
grep -q passthrough "$TMP/run/cells.csv" || fail "refused run damaged the first"

# Everything a run reads later is checked before its first cell: a refused run exits 2 and creates
# no folder.
SMALL="synthetic:gaussian?n=64&dim=8"
printf '{"epiphanies": [' >"$TMP/bad_spec.json"
expect 2 "epiphanies.*bad_spec.json: not valid JSON" -- --codec int8 --population "$SMALL" --epiphanies "$TMP/bad_spec.json" --out "$TMP/v1"
expect 2 "epiphanies.*cannot open '$TMP/no_spec.json': No such file" -- --codec int8 --population "$SMALL" --epiphanies "$TMP/no_spec.json" --out "$TMP/v2"
expect 2 "heatmap: unknown metric 'bogus' (known: pearson, spearman" -- --codec int8 --population "$SMALL" --heatmap bogus --out "$TMP/v3"
expect 2 "--seed takes an integer" -- --codec int8 --population "$SMALL" --seed 99999999999999999999 --out "$TMP/v4"
mkdir -p "$TMP/npydir"
expect 2 "'$TMP/npydir' is not a file (npy: takes one .npy file)" -- --codec int8 --population "npy:$TMP/npydir" --out "$TMP/v5"
# Memory: the population's needs, then the reference scores', against the address-space limit,
# named with both sizes; never a start that fails inside OpenBLAS.
KVQ_UNDER="prlimit --as=1500000000"
expect 2 "population 'synthetic:gaussian?n=9000000&dim=64' (9000256 x 64 float32 rows) needs 4.3 GiB, more than the address space left under ulimit -v" -- \
    --codec int8 --population "synthetic:gaussian?n=9000000&dim=64" --out "$TMP/v6"
expect 2 "the reference scores of the populations needs 1.3 GiB, more than the address space left under ulimit -v" -- \
    --codec int8 --population "synthetic:gaussian?n=1300000&dim=8" --out "$TMP/v7"
KVQ_UNDER=
for v in 1 2 3 4 5 6 7; do [ ! -e "$TMP/v$v" ] || fail "refused run v$v created its folder"; done
# Canonical variant names: a parameter at its default names the bare variant, so the two are one
# (refused as given twice), and cells carry the canonical name.
expect 2 "--codec 'int4' given twice" -- --codec int4 --codec int4:group=32 --population synthetic:gaussian --out "$TMP/canon"
[ ! -e "$TMP/canon" ] || fail "a refused run created its folder"
expect 0 "2 cells (0 failed," -- --codec int4:group=32 --codec turboquant:seed=1,bits=3 \
    --population "synthetic:gaussian?n=300" --out "$TMP/canon" --quiet
grep -q '^canon,int4,int4,' "$TMP/canon/summary.csv" || fail "int4:group=32 is not named int4"
grep -q '^canon,turboquant,"turboquant:bits=3,seed=1",' "$TMP/canon/summary.csv" ||
    fail "turboquant's parameters are not in declared order"
# The stdout tables in other formats: CSV (one row per headline metric and cell) and JSON.
expect 0 "^bits_per_coord_total,int4,synthetic:gaussian?n=300,gaussian,ok,4.5$" -- report "$TMP/canon" --format csv
[ "$(grep -c ',ok,' "$TMP/out")" -eq 8 ] || fail "report --format csv: $(cat "$TMP/out")"
expect 0 '"metric":	"spearman"' -- report "$TMP/canon" --format json
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d["tables"]) == 4 and d["tables"][0]["rows"][0]["values"] == [4.5] and d["populations"][0]["label"] == "P1"' \
    "$TMP/out" || fail "report --format json is not the expected JSON"
expect 2 "--format takes table, md, csv or json" -- --codec int8 --population synthetic:gaussian --format yaml
# No cubic step on a user-sized dimension: 2 rows of dim 65536 run at once.
expect 0 "1 cells (0 failed," -- --codec int8 --population "synthetic:gaussian?n=2&dim=65536" --out "$TMP/wide" --quiet

# Resuming: run.json is validated before any work, stale temporary files are removed under the
# lock, and a folder that cannot be written is refused (exit 3) before any cell runs.
"$KVQ" --quiet --codec int8 --codec bf16 --population "$SMALL" --out "$TMP/r" 2>/dev/null || fail "run to resume"
cp "$TMP/r/run.json" "$TMP/r/run.json.good"
sed 's/"bf16"/"int8"/' "$TMP/r/run.json.good" >"$TMP/r/run.json"
expect 2 "--resume: '$TMP/r/run.json': --codec 'int8' given twice" -- --resume "$TMP/r"
sed 's/"bf16"/"nope"/' "$TMP/r/run.json.good" >"$TMP/r/run.json"
expect 2 "--resume: .*unknown codec 'nope'" -- --resume "$TMP/r"
mv "$TMP/r/run.json.good" "$TMP/r/run.json"
rm "$TMP/r/cells/0-1.json"
touch "$TMP/r/cells.csv.tmp.99999" "$TMP/r/cells/0-0.json.tmp.1" "$TMP/r/plots/scree.png.tmp.7"
# (stderr through a pipe: the file size limit would stop its message in a file too)
status=$({ prlimit --fsize=0 "$KVQ" --resume "$TMP/r" 2>&1; echo $? >"$TMP/status"; } | cat >"$TMP/err"; cat "$TMP/status")
[ "$status" -eq 3 ] && grep -q "cannot write '$TMP/r/run.lock': File too large" "$TMP/err" ||
    fail "unwritable resume: exit $status: $(cat "$TMP/err")"
[ ! -e "$TMP/r/cells/0-1.json" ] || fail "an unwritable resume ran a cell"
expect 0 "2 cells (0 failed," -- --resume "$TMP/r" --quiet
[ -z "$(find "$TMP/r" -name '*.tmp.*')" ] || fail "resume left stale temporary files: $(find "$TMP/r" -name '*.tmp.*')"

# Same seed, same numbers.
"$KVQ" --quiet --codec int8 --population "synthetic:gaussian?n=256&dim=32" --out "$TMP/a" --seed 9 2>/dev/null
"$KVQ" --quiet --codec int8 --population "synthetic:gaussian?n=256&dim=32" --out "$TMP/b" --seed 9 2>/dev/null
# (throughput is the one measurement that varies from run to run)
grep -v "_per_s," "$TMP/a/cells.csv" | cut -d, -f2- >"$TMP/a.csv"
grep -v "_per_s," "$TMP/b/cells.csv" | cut -d, -f2- >"$TMP/b.csv"
cmp -s "$TMP/a.csv" "$TMP/b.csv" || fail "same seed gave different cells.csv"

finish cli
