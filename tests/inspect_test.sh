#!/bin/sh
# End-to-end checks of `kvqeval inspect` and of real-file populations, on the fixture checkpoints
# of tests/golden/gen_populations.py, and on malformed copies made here.
# Usage: inspect_test.sh PATH/TO/kvqeval TESTS_SOURCE_DIR
KVQ=$1
FIX=$2/golden/populations
. "$(dirname "$0")/lib.sh"

# Every tensor with dtype, shape, role, layer and bytes; totals per role.
expect 0 "^model.layers.1.self_attn.k_proj.weight  *BF16  *8x16  *k_proj  *1  *256$" -- inspect "$FIX/llama_bf16.safetensors"
expect 0 "^lm_head.weight  *BF16  *64x16  *lm_head  *-  *2048$" -- inspect "$FIX/llama_bf16.safetensors"
expect 0 "^norm_bias  *5  *160$" -- inspect "$FIX/llama_bf16.safetensors"
expect 0 "^total  *21  *13472$" -- inspect "$FIX/llama_bf16.safetensors"
expect 0 "^h.1.attn.c_attn.weight  *F32  *12x36  *qkv_proj  *1  *1728  (stored \[in, out\])$" -- inspect "$FIX/gpt2_f32.safetensors"
expect 0 "^bert.encoder.layer.0.attention.self.query.weight  *F16  *8x8  *q_proj  *0" -- inspect "$FIX/bert_f16.safetensors"
expect 0 "^layers.0.feed_forward.w1.weight  *F32  *16x8  *mlp_gate  *0" -- inspect "$FIX/llama2c.safetensors"
expect 0 "^encoder.block.0.layer.1.DenseReluDense.wo.weight  *F32  *8x16  *mlp_down" -- inspect "$FIX/t5.safetensors"
expect 0 "^model.encoder.layers.0.self_attn.k_proj.weight  *F32  *8x8  *k_proj  *0" -- inspect "$FIX/whisper.safetensors"
expect 0 "^blocks.0.attn.qkv.weight  *F32  *24x8  *qkv_proj  *0" -- inspect "$FIX/generic.safetensors"
expect 0 "^model.layers.2.self_attn.k_proj.weight  *F32  *16x16  *k_proj  *2" -- inspect "$FIX/sharded"
expect 0 "^keys_v1  *F32  *40x8  *other" -- inspect "$FIX/keys_v1.npy"
expect 0 '"role":	"k_proj"' -- inspect "$FIX/llama_bf16.safetensors" --format json
expect 0 '"total":' -- inspect --format json "$FIX/sharded"
if [ -x /usr/bin/python3 ]; then
    "$KVQ" inspect "$FIX/llama_bf16.safetensors" --format json | /usr/bin/python3 -c \
        'import json, sys; d = json.load(sys.stdin); assert len(d["tensors"]) == 21 and d["roles"]["k_proj"]["tensors"] == 2' \
        || fail "inspect --format json is not the expected JSON"
fi

# Usage errors.
expect 2 "missing FILE or DIR" -- inspect
expect 2 "takes 'table' or 'json'" -- inspect "$FIX/keys_v1.npy" --format xml
expect 2 "unknown flag '--bogus'" -- inspect --bogus "$FIX/keys_v1.npy"
expect 2 "cannot open '$TMP/none'" -- inspect "$TMP/none"

# Malformed files: a clear message naming the file (and tensor), exit 2, never a crash.
head -c 15000 "$FIX/llama_bf16.safetensors" >"$TMP/truncated.safetensors"
expect 2 "truncated.safetensors: tensor '.*'.*truncated" -- inspect "$TMP/truncated.safetensors"
printf '\377\377\377\377\000\000\000\000{}' >"$TMP/huge.safetensors"
expect 2 "huge.safetensors: header length 4294967295 at offset 0 exceeds" -- inspect "$TMP/huge.safetensors"
printf '\007\000\000\000\000\000\000\000{"a":1}' >"$TMP/json.safetensors"
expect 2 "json.safetensors: tensor 'a': entry is not a JSON object" -- inspect "$TMP/json.safetensors"
: >"$TMP/empty.safetensors"
expect 2 "empty.safetensors: 0 bytes, too short" -- inspect "$TMP/empty.safetensors"
head -c 300 "$FIX/keys_v1.npy" >"$TMP/cut.npy"
expect 2 "cut.npy: shape and dtype need 1280 data bytes from offset 128, the file has 172" -- inspect "$TMP/cut.npy"
expect 2 "fortran.npy: Fortran-order arrays are not supported" -- inspect "$FIX/fortran.npy"
mkdir "$TMP/shards" && cp "$FIX/sharded/model.safetensors.index.json" "$TMP/shards/"
cp "$FIX/sharded/model-00001-of-00002.safetensors" "$TMP/shards/"
expect 2 "cannot open '$TMP/shards/model-00002-of-00002.safetensors'" -- inspect "$TMP/shards"

# Real-file populations through a run.
expect 0 "Spearman" -- --codec int8 --population "safetensors:$FIX/llama_bf16.safetensors#role=lm_head" \
    --out "$TMP/run" --seed 2
grep -q '"tensor":[[:space:]]*"lm_head.weight"' "$TMP/run/manifest.json" || fail "manifest lacks the tensor"
grep -q '"dtype":[[:space:]]*"BF16"' "$TMP/run/manifest.json" || fail "manifest lacks the dtype"
# layer=all: one population per layer the role has (the fixture's two), or the model has.
expect 0 "2 cells (0 failed," -- --codec int8 --population "safetensors:$FIX/llama_bf16.safetensors#role=mlp_up&layer=all" \
    --out "$TMP/all_layers" --quiet
grep -q "#role=mlp_up&layer=1,mlp_up,ok," "$TMP/all_layers/summary.csv" || fail "layer=all lacks layer 1"
expect 0 "10 cells (0 failed," -- --codec int8 --codec int4 --population "model:stories260K#kind=v&layer=all&seqs=2&tokens=8" \
    --out "$TMP/all_model_layers" --quiet
grep -q "^all_model_layers,int8,int8,model:stories260K#kind=v&layer=4&seqs=2&tokens=8," "$TMP/all_model_layers/summary.csv" ||
    fail "model layer=all lacks layer 4"
# The report's per-layer table: int8's row holds summary.csv's spearman of layers 0..4, in order.
want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                $c["variant"] == "int8" { printf " %.4f |", $c["spearman"] }' "$TMP/all_model_layers/summary.csv")
grep -q "^\*\*\`stories260K:v\`\*\*" "$TMP/all_model_layers/report.md" || fail "report lacks the per-layer table"
grep -qF "| \`int8\` |$want" "$TMP/all_model_layers/report.md" ||
    fail "per-layer table's int8 row is not$want: $(grep -F '| `int8` |' "$TMP/all_model_layers/report.md")"
if command -v gnuplot >/dev/null; then # the per-layer figure: the five layers, a line per variant
    [ -s "$TMP/all_model_layers/plots/layers_1.png" ] || fail "no per-layer figure"
    [ "$(grep -c '^[0-4]	' "$TMP/all_model_layers/plots/layers_1.tsv")" -eq 10 ] ||
        fail "per-layer figure data: $(cat "$TMP/all_model_layers/plots/layers_1.tsv")"
    # kvqeval plot: the chosen metric, codecs, populations and kinds, into another folder.
    R=$TMP/all_model_layers
    expect 0 "1 figure in $TMP/pl" -- plot "$R" --metric rel_mse --codec 'int4*' --kind layers --out "$TMP/pl"
    want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                    $c["variant"] == "int4" { printf "%s\t%.6g\n", $c["layer"], $c["rel_mse"] }' "$R/summary.csv")
    [ "$(grep -v '^#' "$TMP/pl/layers_1.tsv" | grep .)" = "$want" ] ||
        fail "plot --metric rel_mse --codec 'int4*': $(cat "$TMP/pl/layers_1.tsv"), want $want"
    [ -s "$TMP/pl/layers_1.svg" ] && [ ! -e "$TMP/pl/heatmap_rel_mse.tsv" ] || fail "plot --kind layers drew other kinds"
    expect 0 "1 figure" -- plot "$R" --population '*@2' --kind heatmap --out "$TMP/pl2"
    [ "$(head -1 "$TMP/pl2/heatmap_spearman.tsv")" = "variant	P3 stories260K:v@2" ] ||
        fail "plot --population '*@2': $(head -1 "$TMP/pl2/heatmap_spearman.tsv")"
    expect 2 "has no metric 'nope'" -- plot "$R" --metric nope
    expect 2 "matches no codec variant" -- plot "$R" --codec 'zz*'
    expect 2 "matches no population" -- plot "$R" --population 'zz*'
    expect 2 "unknown --kind 'pie'" -- plot "$R" --kind pie
    KVQ_UNDER="env PATH=/nonexistent" expect 1 "no figure drawn" -- plot "$R" --out "$TMP/pl3"
fi
expect 2 "layer=all needs role=" -- --codec int8 --population "safetensors:$FIX/llama_bf16.safetensors#layer=all" --out "$TMP/x"
# layer=A..B: one population per layer, each the same as asked for alone.
expect 0 "2 cells (0 failed," -- --codec int8 --population "safetensors:$FIX/llama_bf16.safetensors#role=mlp_up&layer=0..1" \
    --out "$TMP/layers" --quiet --seed 2
for l in 0 1; do
    grep -q "^layers,int8,int8,safetensors:$FIX/llama_bf16.safetensors#role=mlp_up&layer=$l,mlp_up,ok," "$TMP/layers/summary.csv" ||
        fail "layer=0..1 lacks layer $l"
done
"$KVQ" --codec int8 --population "safetensors:$FIX/llama_bf16.safetensors#role=mlp_up&layer=1" --out "$TMP/layer1/layers" --quiet --seed 2 2>/dev/null
grep "layer=1," "$TMP/layers/cells.csv" | grep -v "_per_s," >"$TMP/l1a"
grep -v "_per_s," "$TMP/layer1/layers/cells.csv" | tail -n +2 >"$TMP/l1b"
cmp -s "$TMP/l1a" "$TMP/l1b" || fail "layer 1 of layer=0..1 differs from layer=1 alone"
expect 2 "layer=3..1 is not a range A..B of layers" -- --codec int8 --population "safetensors:$FIX/llama_bf16.safetensors#role=mlp_up&layer=3..1" --out "$TMP/l31"

# --model --per-layer: one population per role and layer (GPT-2's 2 layers of 4 roles, then the
# token and position embeddings without a layer: 10).
expect 0 "10 cells (0 failed," -- --codec bf16 --model "$FIX/gpt2_f32.safetensors" --per-layer --out "$TMP/perlayer" --quiet
for spec in "role=qkv_proj&layer=0" "role=qkv_proj&layer=1" "role=mlp_down&layer=1" "role=vocab," "role=pos_embed,"; do
    grep -q "safetensors:$FIX/gpt2_f32.safetensors#$spec" "$TMP/perlayer/summary.csv" || fail "--per-layer lacks $spec"
done
expect 2 "--per-layer splits the populations of --model" -- --codec bf16 --per-layer --population "synthetic:gaussian?n=64&dim=8"

# Provenance: the file read, its size and the SHA-256 of its first MiB as coreutils computes them
# (the whole file's with --hash-inputs), each shard of a sharded checkpoint, and the digest of the
# sampled rows and queries, the f32 values a population spec's `npy:` export gives back.
sum=$(sha256sum "$FIX/llama_bf16.safetensors" | cut -d' ' -f1)
size=$(stat -c %s "$FIX/llama_bf16.safetensors")
head=$(head -c 1048576 "$FIX/llama_bf16.safetensors" | sha256sum | cut -d' ' -f1)
hb=$((size < 1048576 ? size : 1048576))
tr -d '\n\t ' <"$TMP/run/manifest.json" | grep -q "\"path\":\"$FIX/llama_bf16.safetensors\",\"bytes\":$size,\"head_bytes\":$hb,\"head_sha256\":\"$head\"}" ||
    fail "manifest lacks the file's size and head SHA-256 ($size, $head) or hashed it whole without --hash-inputs"
expect 0 "Spearman" -- --codec int8 --population "safetensors:$FIX/sharded#role=k_proj" --out "$TMP/run_shards" --hash-inputs
for f in "$FIX"/sharded/*.safetensors; do
    grep -q "\"sha256\":[[:space:]]*\"$(sha256sum "$f" | cut -d' ' -f1)\"" "$TMP/run_shards/manifest.json" ||
        fail "manifest lacks the digest of $f"
done
expect 2 "tensor 'model.embed_tokens.weight' row 0 column 3 is inf" -- --codec int8 \
    --population "safetensors:$FIX/llama_bf16.safetensors#role=vocab" --out "$TMP/run4"
expect 2 "no qkv_proj tensor" -- --codec int8 --population "safetensors:$FIX/llama_bf16.safetensors#role=qkv_proj" \
    --out "$TMP/run2"
expect 2 "truncated" -- --codec int8 --population "safetensors:$TMP/truncated.safetensors#role=vocab" \
    --out "$TMP/run3"
[ ! -e "$TMP/run2" ] && [ ! -e "$TMP/run3" ] && [ ! -e "$TMP/run4" ] || fail "a refused population left a run folder"
expect 0 "synthetic:kv_cache" -- list populations

# GGUF (tests/golden/gen_gguf.py): llama.cpp names and quantized types through the checkpoint, a
# refused file, a gguf: population and --model keeping the gguf: scheme.
GG=$2/golden/gguf
expect 0 "^blk.0.attn_k.weight  *F32  *16x32  *k_proj  *0  *2048$" -- inspect "$GG/llama.gguf"
expect 0 "^token_embd.weight  *F16  *48x32  *vocab  *-" -- inspect "$GG/llama.gguf"
expect 0 "^blk.0.ffn_down.weight  *Q4_K  *3x256  *mlp_down  *0  *432$" -- inspect "$GG/quant.gguf"
expect 2 "refused_overlap.gguf: tensors .* overlap at file offset" -- inspect "$GG/refused_overlap.gguf"
expect 0 "Spearman" -- --codec int8 --population "gguf:$GG/llama.gguf#role=k_proj" --out "$TMP/run_gguf"
expect 0 "" -- --codec bf16 --model "$GG/llama.gguf" --out "$TMP/model_gguf" --quiet
grep -q "gguf:$GG/llama.gguf#role=k_proj" "$TMP/model_gguf/summary.csv" || fail "--model on a .gguf lacks gguf:...#role=k_proj"
grep -q '"architecture":	"llama"' "$TMP/model_gguf/manifest.json" || fail "manifest lacks the GGUF's architecture"
grep -q '"head_count_kv":	2' "$TMP/model_gguf/manifest.json" || fail "manifest lacks the GGUF's KV head count"

finish inspect
