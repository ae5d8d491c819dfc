#!/bin/sh
# End-to-end checks of the kvqeval program: what a user sees for good and bad command lines.
# Usage: cli_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"

expect 0 "usage: kvqeval" -- --help
expect 0 "^kvqeval [0-9]" -- --version
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
head -1 "$TMP/run/cells.csv" | grep -qx "run,codec,variant,population,role,metric,value,ci_low,ci_high" \
    || fail "cells.csv header"
for m in pearson spearman recall@10; do
    grep -q "^run,passthrough,passthrough,synthetic:gaussian?n=512&dim=64,gaussian,$m,1,1,1$" "$TMP/run/cells.csv" \
        || fail "passthrough $m is not 1"
done
grep -q "^run,passthrough,.*,rel_mse,0,," "$TMP/run/cells.csv" || fail "passthrough rel_mse is not 0"
grep -q '"seed":	5' "$TMP/run/manifest.json" || fail "manifest lacks the seed"
# A second run into the same folder is refused; the first is left intact.
expect 3 "already holds a run" -- --codec int8 --population "synthetic:gaussian?n=64&dim=8" --out "$TMP/run"
grep -q passthrough "$TMP/run/cells.csv" || fail "refused run damaged the first"

# Same seed, same numbers.
"$KVQ" --quiet --codec int8 --population "synthetic:gaussian?n=256&dim=32" --out "$TMP/a" --seed 9 2>/dev/null
"$KVQ" --quiet --codec int8 --population "synthetic:gaussian?n=256&dim=32" --out "$TMP/b" --seed 9 2>/dev/null
# (throughput is the one measurement that varies from run to run)
grep -v "_per_s," "$TMP/a/cells.csv" | cut -d, -f2- >"$TMP/a.csv"
grep -v "_per_s," "$TMP/b/cells.csv" | cut -d, -f2- >"$TMP/b.csv"
cmp -s "$TMP/a.csv" "$TMP/b.csv" || fail "same seed gave different cells.csv"

finish cli
