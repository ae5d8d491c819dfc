#!/bin/sh
# The same checkpoint at two paths gives the same numbers: every random stream of a run (the
# codec's, the bootstrap's, the psychometric subjects', the identity probes') derives from the
# population's key (file base name, options, tensors), never from the folder the file lies in.
# One run per copy over safetensors:, npy:, gguf: and model: populations; cells.csv must match
# byte for byte apart from the population column and the throughput rows.
# Usage: population_key_test.sh PATH/TO/kvqeval TESTS_SOURCE_DIR
KVQ=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

for d in "$TMP/a" "$TMP/b/deeper/folder"; do
    if ! { mkdir -p "$d" && cp -r "$SRC/../models/stories260K" "$d/" &&
        cp "$SRC/golden/populations/keys_v1.npy" "$SRC/golden/gguf/llama.gguf" "$d/"; }; then
        fail "cannot copy the fixtures to $d"
    fi
done

# run_at DIR OUT: the run on the copies in DIR (the model folder with a trailing '/').
run_at() {
    "$KVQ" --codec int8 --codec turboquant:bits=2 --seed 5 --threads 2 --quiet --out "$2" \
        --population "safetensors:$1/stories260K/model.safetensors#role=k_proj" \
        --population "npy:$1/keys_v1.npy#role=kv_cache" \
        --population "gguf:$1/llama.gguf#role=vocab" \
        --population "model:$1/stories260K/#kind=k&seqs=2&tokens=16" >/dev/null 2>"$TMP/err" ||
        fail "run in $1: $(head -c 600 "$TMP/err")"
}
run_at "$TMP/a" "$TMP/out_a/run"
run_at "$TMP/b/deeper/folder" "$TMP/out_b/run"

# cells.csv without its population column (the spec, path included) and throughput rows
numbers() {
    grep -v "_per_s," "$1/cells.csv" | awk -F, 'BEGIN { OFS = "," } { $4 = ""; print }'
}
numbers "$TMP/out_a/run" >"$TMP/a.csv"
numbers "$TMP/out_b/run" >"$TMP/b.csv"
for scheme in safetensors npy gguf model; do
    n=$(grep -c "^run,turboquant,turboquant:bits=2,$scheme:$TMP/a/" "$TMP/out_a/run/cells.csv")
    [ "$n" -gt 20 ] || fail "$scheme: only $n rows of turboquant in cells.csv"
done
grep -q ",spearman,[0-9.e-]*,[0-9.e-]*,[0-9.e-]*," "$TMP/a.csv" || fail "no interval to compare"
cmp -s "$TMP/a.csv" "$TMP/b.csv" ||
    fail "cells.csv differs between the two paths: $(diff "$TMP/a.csv" "$TMP/b.csv" | head -6 | tr '\n' ' ')"
# The manifest's sample_sha256 is a function of the values measured, not of the path: the same
# in both runs, and for the npy population numpy's float32 rows, then queries, in the order
# samples.csv gives their source rows, hashed by Python's hashlib.
digests() { grep -o '"sample_sha256":[[:space:]]*"[0-9a-f]*"' "$1/manifest.json" | sed 's/.*"\([0-9a-f]*\)"$/\1/'; }
[ "$(digests "$TMP/out_a/run" | sort -u | wc -l)" -eq 4 ] || fail "manifest lacks 4 distinct sample digests"
[ "$(digests "$TMP/out_a/run")" = "$(digests "$TMP/out_b/run")" ] || fail "sample digests differ between the two paths"
/usr/bin/python3 - "$TMP/out_a/run" "$TMP/a/keys_v1.npy" <<'PY' || fail "npy sample digest is not the SHA-256 of its sampled rows and queries"
import csv, hashlib, json, sys
import numpy as np
run, npy = sys.argv[1:]
spec = "npy:" + npy + "#role=kv_cache"
a = np.load(npy).astype(np.float32)
a = a.reshape(-1, a.shape[-1])
rows = {"row": [], "query": []}
for r in csv.DictReader(open(run + "/samples.csv")):
    if r["population"] == spec:
        rows[r["set"]].append((int(r["index"]), int(r["source_row"])))
order = [s for _, s in sorted(rows["row"])] + [s for _, s in sorted(rows["query"])]
assert len(rows["row"]) > 10 and len(rows["query"]) > 0, rows
want = hashlib.sha256(np.ascontiguousarray(a[order], dtype="<f4").tobytes()).hexdigest()
pops = json.load(open(run + "/manifest.json"))["populations"]
got = [p["sample_sha256"] for p in pops if p["spec"] == spec]
sys.exit(0 if got == [want] else f"manifest {got}, numpy {want}")
PY
finish population_key
