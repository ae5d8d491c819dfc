#!/bin/sh
# A run split with --shard I/N and joined with kvqeval merge: every cell in exactly one shard, the
# merged run's outputs the same bytes as the run done whole (apart from times and throughputs), a
# shard resumed, and the shards that do not belong together refused, naming the folder at fault.
# Usage: shard_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"
set -f # the specs hold '?'; no file name expansion

SEL="--codec passthrough --codec int8 --codec bf16
     --population synthetic:gaussian?n=400&dim=16&queries=30
     --population synthetic:gaussian?n=300&dim=8&queries=20&seed=3
     --population model:stories260K#kind=k&seqs=2&tokens=8"

# 1. The whole run, then its three shards (one on two threads: the slice does not depend on it).
mkdir -p "$TMP/a" "$TMP/b" "$TMP/shards"
# shellcheck disable=SC2086
"$KVQ" $SEL --seed 5 --threads 2 --out "$TMP/a/matrix" --quiet 2>"$TMP/whole.err"
whole=$?
# (3: a figure gnuplot could not complete; the data behind it is written all the same)
[ $whole -eq 0 ] || { [ $whole -eq 3 ] && grep -q "figures* could not be completed" "$TMP/whole.err"; } ||
    fail "whole run: exit $whole: $(cat "$TMP/whole.err")"
for i in 1 2 3; do
    # shellcheck disable=SC2086
    "$KVQ" $SEL --seed 5 --threads $((i == 2 ? 2 : 1)) --shard $i/3 --out "$TMP/shards/$i" --quiet \
        >"$TMP/out" 2>"$TMP/err" || fail "shard $i/3: exit $?: $(cat "$TMP/err")"
    [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^kvqeval: shard $i of 3: 3 of 9 cells (0 failed, 0 skipped).*need every shard: kvqeval merge" "$TMP/err" ||
        fail "shard $i/3 did not say, in one line, what it holds: $(cat "$TMP/err")"
    [ -s "$TMP/out" ] && fail "shard $i/3 printed tables"
    for f in run.json manifest.json; do [ -s "$TMP/shards/$i/$f" ] || fail "shard $i/3 lacks $f"; done
    for f in cells.csv summary.csv populations.csv reliability.csv factors.csv epiphanies.csv report.md plots; do
        [ -e "$TMP/shards/$i/$f" ] && fail "shard $i/3 wrote $f, which needs every cell"
    done
    tr -d ' \t\n' <"$TMP/shards/$i/run.json" | grep -q "\"seed\":5,\"codecs\":\[\"passthrough\",\"int8\",\"bf16\"\],\"populations\":\[.*\],\"shard\":{\"index\":$i,\"count\":3}}$" ||
        fail "shard $i/3: run.json lacks the selection or the shard: $(cat "$TMP/shards/$i/run.json")"
    tr -d ' \t\n' <"$TMP/shards/$i/manifest.json" | grep -q "\"shard\":{\"index\":$i,\"count\":3,\"codecs\":\[\"passthrough\",\"int8\",\"bf16\"\]}" ||
        fail "shard $i/3: manifest lacks the shard"
    [ "$(grep -c '"variant":' "$TMP/shards/$i/manifest.json")" -eq 3 ] || fail "shard $i/3: manifest does not list its 3 cells"
done

# 2. Every cell in exactly one shard: the union is the whole run's cells, no cell twice, and each
# cell where the rule puts it (population p, variant v: shard ((p + v) mod N) + 1).
ls "$TMP/a/matrix/cells" | sort >"$TMP/all"
for i in 1 2 3; do ls "$TMP/shards/$i/cells"; done | sort >"$TMP/union"
[ "$(wc -l <"$TMP/all")" -eq 9 ] || fail "the whole run has $(wc -l <"$TMP/all") cells, not 9"
cmp -s "$TMP/all" "$TMP/union" || fail "the shards' cells are not the whole run's: $(diff "$TMP/all" "$TMP/union" | tr '\n' ' ')"
[ -z "$(uniq -d "$TMP/union")" ] || fail "cells in two shards: $(uniq -d "$TMP/union" | tr '\n' ' ')"
[ "$(ls "$TMP/shards/1/cells" | sort | tr '\n' ' ')" = "0-0.json 1-2.json 2-1.json " ] ||
    fail "shard 1/3 holds $(ls "$TMP/shards/1/cells" | tr '\n' ' '), not 0-0 1-2 2-1"

# 3. --resume finishes a shard: only its missing cell runs.
cp -r "$TMP/shards/2" "$TMP/resumed"
rm "$TMP/resumed/cells/1-0.json"
"$KVQ" --resume "$TMP/resumed" --quiet 2>"$TMP/err" || fail "resuming a shard: $(cat "$TMP/err")"
grep -q "shard 2 of 3: 3 of 9 cells" "$TMP/err" || fail "resumed shard: $(cat "$TMP/err")"
[ "$(ls "$TMP/resumed/cells" | tr '\n' ' ')" = "$(ls "$TMP/shards/2/cells" | tr '\n' ' ')" ] ||
    fail "resumed shard holds $(ls "$TMP/resumed/cells" | tr '\n' ' ')"
expect 2 "is shard 2 of 3: its outputs need every shard" -- report "$TMP/resumed"

# 4. Merged (in any order): a normal run named after its folder, the same bytes as the whole run
# but for times and throughputs (the whole run and OUT share the name "matrix").
"$KVQ" merge "$TMP/b/matrix" "$TMP/shards/3" "$TMP/shards/1" "$TMP/resumed" --quiet 2>"$TMP/err"
got=$?
[ $got -eq $whole ] || fail "merge: exit $got, the whole run's was $whole: $(cat "$TMP/err")"
grep -q "9 cells (0 failed, 0 skipped" "$TMP/err" || fail "merge: $(cat "$TMP/err")"
for f in cells.csv summary.csv populations.csv reliability.csv factors.csv gtheory.csv chain.csv validity.csv \
    epiphanies.csv epiphanies.md report.md run.json; do
    [ -s "$TMP/b/matrix/$f" ] || fail "merged run lacks $f"
done
[ "$(find "$TMP/b/matrix/plots" -name '*.tsv' | wc -l)" -ge 5 ] || fail "merged run lacks the figures' data"
diff=$(same_run "$TMP/a/matrix" "$TMP/b/matrix") || fail "merged run differs from the whole run: $diff"
[ "$(cut -d, -f1 "$TMP/b/matrix/cells.csv" | sort -u | tr '\n' ' ')" = "matrix run " ] ||
    fail "merged cells.csv: run column is not the folder's name"
grep -q '"shard"' "$TMP/b/matrix/run.json" "$TMP/b/matrix/manifest.json" && fail "the merged run calls itself a shard"
[ "$(grep -c '"variant":' "$TMP/b/matrix/manifest.json")" -eq 9 ] || fail "merged manifest does not list 9 cells"
grep -q '^| command | `.*kvqeval merge .*/b/matrix ' "$TMP/b/matrix/report.md" || fail "report.md does not name the merge"
"$KVQ" report "$TMP/b/matrix" --quiet 2>"$TMP/err"
[ $? -eq $whole ] || fail "report of the merged run: $(cat "$TMP/err")"

# 5. Shards that are not all N of one run, or not finished, are refused before anything is
# written, naming the folder at fault.
S1=$TMP/shards/1 S2=$TMP/shards/2 S3=$TMP/shards/3
# shellcheck disable=SC2086
"$KVQ" $SEL --seed 6 --shard 2/3 --out "$TMP/seed6" --quiet 2>/dev/null || fail "shard with seed 6 failed"
# shellcheck disable=SC2086
"$KVQ" $SEL --seed 5 --shard 1/2 --out "$TMP/half" --quiet 2>/dev/null || fail "shard 1/2 failed"
# shellcheck disable=SC2086
"$KVQ" --codec bf16 --codec int8 --codec passthrough --population "synthetic:gaussian?n=400&dim=16&queries=30" \
    --population "synthetic:gaussian?n=300&dim=8&queries=20&seed=3" --population "model:stories260K#kind=k&seqs=2&tokens=8" \
    --seed 5 --shard 3/3 --out "$TMP/order" --quiet 2>/dev/null || fail "reordered shard failed"
cp -r "$S2" "$TMP/copy"
cp -r "$S3" "$TMP/commit"
sed 's/"commit":	"[^"]*"/"commit":	"000000000000"/' "$S3/run.json" >"$TMP/commit/run.json"
cp -r "$S3" "$TMP/unfinished"
rm "$TMP/unfinished/cells/2-0.json"
echo '{"variant": "int8"}' >"$TMP/malformed.json"
cp -r "$S1" "$TMP/broken"
cp "$TMP/malformed.json" "$TMP/broken/cells/1-2.json"
expect 2 "'$TMP/seed6' is a shard of another run: seed 6, not 5 as in '$S1'" -- merge "$TMP/r" "$S1" "$TMP/seed6" "$S3"
expect 2 "shard 3 of 3 is missing: no folder given holds it" -- merge "$TMP/r" "$S1" "$S2"
expect 2 "'$TMP/copy' is shard 2 of 3, and so is '$S2'" -- merge "$TMP/r" "$S1" "$S2" "$TMP/copy" "$S3"
expect 2 "'$TMP/half' is a shard of another run: shard 1 of 2, not of 3 as in '$S1'" -- merge "$TMP/r" "$S1" "$S2" "$S3" "$TMP/half"
expect 2 "'$TMP/order' is a shard of another run: codec variant 1 is 'bf16', not 'passthrough'" -- merge "$TMP/r" "$S1" "$S2" "$TMP/order"
expect 2 "'$TMP/commit' is a shard of another run: run by kvqeval .* (commit 000000000000), not" -- merge "$TMP/r" "$S1" "$S2" "$TMP/commit"
expect 2 "'$TMP/unfinished' (shard 3 of 3) is not finished (1 of 3 cells to run): finish it with kvqeval --resume $TMP/unfinished" \
    -- merge "$TMP/r" "$S1" "$S2" "$TMP/unfinished"
expect 2 "'$TMP/broken/cells/1-2.json' is not the saved cell bf16 x synthetic" -- merge "$TMP/r" "$TMP/broken" "$S2" "$S3"
expect 2 "'$TMP/a/matrix' is a whole run, not a shard" -- merge "$TMP/r" "$TMP/a/matrix"
expect 2 "'$TMP/nowhere' is not a run folder" -- merge "$TMP/r" "$S1" "$TMP/nowhere" "$S3"
expect 2 "already holds a run" -- merge "$TMP/b/matrix" "$S1" "$S2" "$S3"
expect 2 "give the new run folder, then every shard's folder" -- merge "$TMP/r"
[ -e "$TMP/r" ] && fail "a refused merge created its folder"

# 6. --shard takes I/N with 1 <= I <= N, and not with --resume.
for bad in 0/3 4/3 x 1/0 /3 2/ 1/3/3 -1/3 " 1/3" 1/3x 1/100001; do
    expect 2 "--shard takes I/N with 1 <= I <= N" -- --codec int8 --population "synthetic:gaussian?n=64&dim=8" --shard "$bad" --out "$TMP/bad"
done
expect 2 "drop --matrix, --codec, --population, --model, --shard, --replicates and --out" -- --resume "$S1" --shard 1/3
[ -e "$TMP/bad" ] && fail "a refused --shard created its folder"

finish shard
