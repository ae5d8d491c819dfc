#!/bin/sh
# End-to-end checks of the model runtime: `kvqeval model` (log-probabilities, sampling), bad input
# (a missing shard, a NaN weight, a token id outside the vocabulary, token ids of the wrong dtype,
# a sequence longer than the model takes), and a run on the shipped model's populations with the
# downstream criterion and the validity table.
# Usage: model_test.sh PATH/TO/kvqeval TESTS_SOURCE_DIR
KVQ=$1
GOLD=$2/golden
QWEN=$GOLD/models/tiny_qwen2
. "$(dirname "$0")/lib.sh"

# Log-probabilities: one row per position after the first of every sequence (3 x 12 tokens).
expect 0 "^seq,pos,token,logprob$" -- model "$QWEN" --tokens "$QWEN/tokens.npy"
[ "$(wc -l <"$TMP/out")" -eq 34 ] || fail "model --tokens: $(wc -l <"$TMP/out") lines, want 34"
grep -q '^2,11,[0-9]*,-[0-9.e-]*$' "$TMP/out" || fail "model --tokens: no row for seq 2 pos 11"

# Sampling: int32 N x T from the BOS id; the same seed gives the same file, another seed another.
for f in a:5 b:5 c:6; do
    "$KVQ" model stories260K --sample 3 --length 20 --seed "${f#*:}" --out "$TMP/${f%:*}.npy" ||
        fail "model --sample --seed ${f#*:} failed"
done
cmp -s "$TMP/a.npy" "$TMP/b.npy" || fail "same seed, different samples"
cmp -s "$TMP/a.npy" "$TMP/c.npy" && fail "different seeds, same samples"
head -c 80 "$TMP/a.npy" | grep -q "'descr': '<i4', 'fortran_order': False, 'shape': (3, 20)" ||
    fail "sample file is not an int32 3 x 20 .npy"
[ "$(wc -c <"$TMP/a.npy")" -eq $((128 + 240)) ] || fail "sample file size $(wc -c <"$TMP/a.npy")"
# ... and reads back as token ids
expect 0 "^2,19," -- model stories260K --tokens "$TMP/a.npy"

# Usage and bad input: one line naming the file, key or id, exit 2, nothing on stdout.
expect 2 "give either --tokens or --sample" -- model "$QWEN"
expect 2 "needs --length and --out" -- model "$QWEN" --sample 2
expect 2 "is outside the vocabulary (0 to 63)" -- model "$QWEN" --tokens "$TMP/a.npy"
expect 2 "keys_v1.npy: token ids must be int32 or int64, not F32" -- model "$QWEN" --tokens "$GOLD/populations/keys_v1.npy"
expect 2 "max_position_embeddings = 64" -- model "$QWEN" --sample 1 --length 65 --out "$TMP/long.npy"
[ -e "$TMP/long.npy" ] && fail "a refused sample left a file"
mkdir -p "$TMP/gpt2"
echo '{"architectures": ["GPT2LMHeadModel"]}' >"$TMP/gpt2/config.json"
expect 2 "architecture 'GPT2LMHeadModel' is not supported" -- model "$TMP/gpt2" --tokens "$QWEN/tokens.npy"
expect 3 "cannot write" -- model "$QWEN" --sample 1 --length 4 --out "$TMP/no/such/dir/x.npy"

# A sharded model whose index names a shard that is not there.
mkdir -p "$TMP/shards"
cp "$QWEN/config.json" "$TMP/shards/"
cp "$QWEN/model.safetensors" "$TMP/shards/model-00001-of-00002.safetensors"
printf '{"weight_map": {"model.embed_tokens.weight": "model-00001-of-00002.safetensors", "lm_head.weight": "model-00002-of-00002.safetensors"}}' \
    >"$TMP/shards/model.safetensors.index.json"
expect 2 "model-00002-of-00002.safetensors" -- model "$TMP/shards" --tokens "$QWEN/tokens.npy"

# A NaN in a weight: the pass stops naming the tensor (BF16 NaN 0x7fc0 written over the first
# element of layer 1's up projection, its offset read from the safetensors header).
mkdir -p "$TMP/nan"
cp "$QWEN/config.json" "$QWEN/model.safetensors" "$TMP/nan/"
python3 - "$TMP/nan/model.safetensors" <<'EOF' || fail "could not patch the NaN fixture"
import json, struct, sys
with open(sys.argv[1], "r+b") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    f.seek(8 + n + header["model.layers.1.mlp.up_proj.weight"]["data_offsets"][0])
    f.write(b"\xc0\x7f")
EOF
expect 2 "tensor 'model.layers.1.mlp.up_proj.weight' holds NaN at \[0, 0\]" -- model "$TMP/nan" --tokens "$QWEN/tokens.npy"

# The shipped model's populations: weight roles with real queries, K and V, each cell with the
# criterion; passthrough loses nothing; the validity table, its figure and its report section.
expect 0 "cells (0 failed" -- --codec passthrough --codec int8 --codec int4 --codec turboquant:bits=2 \
    --model stories260K --out "$TMP/run" --quiet --threads 2
for kind in "role=q_proj" "role=mlp_down" "role=vocab" "kind=k" "kind=v"; do
    grep -q "^run,passthrough,passthrough,model:stories260K#$kind,[a-z_]*,next_kl,0,0,0,,,stories260K:[a-z_]*,," "$TMP/run/cells.csv" ||
        fail "passthrough on $kind: next_kl is not 0"
    grep -q "^run,int4,int4,model:stories260K#$kind,[a-z_]*,next_kl,0\.[0-9]" "$TMP/run/cells.csv" ||
        grep -q "^run,int4,int4,model:stories260K#$kind,[a-z_]*,next_kl,[0-9.]*e-" "$TMP/run/cells.csv" ||
        fail "int4 on $kind: no next_kl"
done
head -1 "$TMP/run/validity.csv" | grep -q "^run,population,role,proxy,criterion,rho,ci_low,ci_high,n_variants,label,layer,tensor$" ||
    fail "validity.csv header: $(head -1 "$TMP/run/validity.csv")"
grep -q "^run,model:stories260K#kind=k,kv_cache,rel_mse,next_kl,1,1,1,4,stories260K:k,,k$" "$TMP/run/validity.csv" ||
    fail "rel_mse does not order the four K codecs as next_kl does: $(grep 'kind=k,kv_cache,rel_mse,next_kl' "$TMP/run/validity.csv")"
grep -q "^## Which proxy predicts the model's loss" "$TMP/run/report.md" || fail "report lacks the validity section"
# the tensors no population covers: the 11 RMSNorm weights, listed with role and reason
grep -q "^## Tensors left out (11)" "$TMP/run/report.md" || fail "report lacks the tensors left out"
grep -q '^- `model.norm.weight` (norm_bias): kvqeval does not encode this role$' "$TMP/run/report.md" ||
    fail "report lacks model.norm.weight among the tensors left out"
[ "$(grep -c '"reason":	"kvqeval does not encode this role"' "$TMP/run/manifest.json")" -eq 11 ] ||
    fail "manifest does not list the 11 norms left out"
grep -q '"source":	".*models/stories260K"' "$TMP/run/manifest.json" || fail "manifest lacks the model's folder"
grep -q '"path":	".*models/stories260K/config.json"' "$TMP/run/manifest.json" || fail "manifest lacks the config's hash"
if command -v gnuplot >/dev/null; then
    [ -s "$TMP/run/plots/validity_P1.png" ] || fail "no validity figure"
fi

finish model
