#!/usr/bin/python3
"""Fixtures and golden values for the population loaders (tests/test_safetensors.c,
tests/test_npy.c, tests/test_roles.c, tests/test_population_files.c, tests/inspect_test.sh).

Run with Debian's Python and numpy (not a pyenv python): /usr/bin/python3 tests/golden/gen_populations.py
It writes tests/golden/populations/: small checkpoints in the naming conventions of Llama (bf16),
GPT-2 (f32, Conv1D [in, out]), BERT (f16), llama2.c, T5, Whisper and a generic ViT-style model,
a sharded folder with model.safetensors.index.json, .npy files of format versions 1-3, and
populations.json with the reference f32 bit patterns: bf16 -> f32 is the exact widening
(bits << 16, numpy integer ops), f16 -> f32 is numpy's astype(float32); the GPT-2 rows are the
numpy transpose of the stored [in, out] weight. safetensors files are written here from the
format's definition (u64 header length, JSON header, data), independently of kvqeval.
"""
import json
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "populations")
rng = np.random.default_rng(20240611)


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> (dtype name, shape, raw little-endian bytes)."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def f32(shape):
    a = rng.standard_normal(shape).astype("<f4")
    return ("F32", shape, a.tobytes()), a


def bf16(shape, special=False):
    bits = (rng.standard_normal(shape).astype("<f4").view("<u4") >> 16).astype("<u2")
    if special:  # +-0, subnormal, inf, -inf, NaN, largest finite, smallest normal
        flat = bits.reshape(-1)
        flat[:8] = [0x0000, 0x8000, 0x0001, 0x7F80, 0xFF80, 0x7FC1, 0x7F7F, 0x0080]
    ref = (bits.astype("<u4") << 16).view("<f4")
    return ("BF16", shape, bits.tobytes()), ref


def f16(shape, special=False):
    h = rng.standard_normal(shape).astype("<f2")
    if special:
        flat = h.view("<u2").reshape(-1)
        flat[:8] = [0x0000, 0x8000, 0x0001, 0x03FF, 0x7C00, 0xFC00, 0x7E01, 0x7BFF]
    return ("F16", shape, h.tobytes()), h.astype("<f4")


def bits(a):
    return [int(x) for x in np.ascontiguousarray(a, dtype="<f4").view("<u4").reshape(-1)]


golden = {}


def llama():
    t = {}
    e, ref = bf16((64, 16), special=True)
    t["model.embed_tokens.weight"] = e
    golden["llama_embed_bits"] = bits(ref)
    for l in range(2):
        p = f"model.layers.{l}."
        t[p + "self_attn.q_proj.weight"] = bf16((16, 16))[0]
        t[p + "self_attn.k_proj.weight"] = bf16((8, 16))[0]
        t[p + "self_attn.v_proj.weight"] = bf16((8, 16))[0]
        t[p + "self_attn.o_proj.weight"] = bf16((16, 16))[0]
        t[p + "mlp.gate_proj.weight"] = bf16((32, 16))[0]
        t[p + "mlp.up_proj.weight"] = bf16((32, 16))[0]
        t[p + "mlp.down_proj.weight"] = bf16((16, 32))[0]
        t[p + "input_layernorm.weight"] = bf16((16,))[0]
        t[p + "post_attention_layernorm.weight"] = bf16((16,))[0]
    t["model.norm.weight"] = bf16((16,))[0]
    t["lm_head.weight"], lm_ref = bf16((64, 16))
    golden["llama_lm_head_bits"] = bits(lm_ref)
    write_safetensors(os.path.join(OUT, "llama_bf16.safetensors"), t, {"format": "pt"})


def gpt2():
    t = {}
    t["wte.weight"] = f32((50, 12))[0]
    t["wpe.weight"] = f32((20, 12))[0]
    for l in range(2):
        p = f"h.{l}."
        for n in ("ln_1", "ln_2"):
            t[p + n + ".weight"] = f32((12,))[0]
            t[p + n + ".bias"] = f32((12,))[0]
        c_attn, w = f32((12, 36))
        t[p + "attn.c_attn.weight"] = c_attn
        t[p + "attn.c_attn.bias"] = f32((36,))[0]
        c_proj, wo = f32((12, 12))
        t[p + "attn.c_proj.weight"] = c_proj
        t[p + "mlp.c_fc.weight"] = f32((12, 48))[0]
        t[p + "mlp.c_proj.weight"] = f32((48, 12))[0]
        if l == 1:
            golden["gpt2_h1_k_rows_bits"] = bits(w.T[12:24])  # output features 12..23 = k
        golden[f"gpt2_h{l}_attn_c_proj_rows_bits"] = bits(wo.T)
    t["ln_f.weight"] = f32((12,))[0]
    write_safetensors(os.path.join(OUT, "gpt2_f32.safetensors"), t)


def bert():
    t = {}
    e, ref = f16((40, 8), special=True)
    t["bert.embeddings.word_embeddings.weight"] = e
    golden["bert_word_embeddings_bits"] = bits(ref)
    t["bert.embeddings.position_embeddings.weight"] = f16((16, 8))[0]
    t["bert.embeddings.token_type_embeddings.weight"] = f16((2, 8))[0]
    t["bert.embeddings.LayerNorm.weight"] = f16((8,))[0]
    p = "bert.encoder.layer.0."
    for n in ("query", "key", "value"):
        t[p + "attention.self." + n + ".weight"] = f16((8, 8))[0]
        t[p + "attention.self." + n + ".bias"] = f16((8,))[0]
    t[p + "attention.output.dense.weight"] = f16((8, 8))[0]
    t[p + "attention.output.LayerNorm.weight"] = f16((8,))[0]
    t[p + "intermediate.dense.weight"] = f16((32, 8))[0]
    t[p + "output.dense.weight"] = f16((8, 32))[0]
    t["bert.pooler.dense.weight"] = f16((8, 8))[0]
    t["cls.predictions.decoder.weight"] = f16((40, 8))[0]
    write_safetensors(os.path.join(OUT, "bert_f16.safetensors"), t)


def small_f32(names_shapes, path):
    write_safetensors(path, {n: f32(s)[0] for n, s in names_shapes})


def conventions():
    small_f32([("tok_embeddings.weight", (32, 8)), ("layers.0.attention.wq.weight", (8, 8)),
               ("layers.0.attention.wk.weight", (8, 8)), ("layers.0.attention.wv.weight", (8, 8)),
               ("layers.0.attention.wo.weight", (8, 8)), ("layers.0.feed_forward.w1.weight", (16, 8)),
               ("layers.0.feed_forward.w2.weight", (8, 16)), ("layers.0.feed_forward.w3.weight", (16, 8)),
               ("layers.0.attention_norm.weight", (8,)), ("layers.0.ffn_norm.weight", (8,)),
               ("norm.weight", (8,)), ("output.weight", (32, 8))],
              os.path.join(OUT, "llama2c.safetensors"))
    small_f32([("shared.weight", (32, 8)),
               ("encoder.block.0.layer.0.SelfAttention.q.weight", (8, 8)),
               ("encoder.block.0.layer.0.SelfAttention.k.weight", (8, 8)),
               ("encoder.block.0.layer.0.SelfAttention.v.weight", (8, 8)),
               ("encoder.block.0.layer.0.SelfAttention.o.weight", (8, 8)),
               ("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", (32, 4)),
               ("encoder.block.0.layer.0.layer_norm.weight", (8,)),
               ("encoder.block.0.layer.1.DenseReluDense.wi_0.weight", (16, 8)),
               ("encoder.block.0.layer.1.DenseReluDense.wi_1.weight", (16, 8)),
               ("encoder.block.0.layer.1.DenseReluDense.wo.weight", (8, 16)),
               ("decoder.block.1.layer.1.EncDecAttention.k.weight", (8, 8)),
               ("lm_head.weight", (32, 8))],
              os.path.join(OUT, "t5.safetensors"))
    small_f32([("model.encoder.conv1.weight", (8, 4, 3)),
               ("model.encoder.embed_positions.weight", (16, 8)),
               ("model.encoder.layers.0.self_attn.k_proj.weight", (8, 8)),
               ("model.encoder.layers.0.self_attn.out_proj.weight", (8, 8)),
               ("model.encoder.layers.0.self_attn_layer_norm.weight", (8,)),
               ("model.encoder.layers.0.fc1.weight", (16, 8)),
               ("model.encoder.layers.0.fc2.weight", (8, 16)),
               ("model.decoder.layers.2.encoder_attn.q_proj.weight", (8, 8)),
               ("model.decoder.embed_tokens.weight", (32, 8)),
               ("proj_out.weight", (32, 8))],
              os.path.join(OUT, "whisper.safetensors"))
    small_f32([("pos_embed", (1, 17, 8)), ("blocks.0.attn.qkv.weight", (24, 8)),
               ("blocks.0.attn.proj.weight", (8, 8)), ("blocks.0.mlp.fc1.weight", (16, 8)),
               ("blocks.0.mlp.fc2.weight", (8, 16)), ("head.weight", (10, 8)),
               ("classifier.weight", (3, 8)), ("blocks.0.norm1.weight", (8,))],
              os.path.join(OUT, "generic.safetensors"))


def sharded():
    d = os.path.join(OUT, "sharded")
    os.makedirs(d, exist_ok=True)
    shards = {"model-00001-of-00002.safetensors": {}, "model-00002-of-00002.safetensors": {}}
    names = ["model.embed_tokens.weight"] + [
        f"model.layers.{l}.self_attn.{m}.weight" for l in range(3) for m in ("q_proj", "k_proj")]
    for i, n in enumerate(names):
        shape = (40, 16) if "embed" in n else (16, 16)
        shards[list(shards)[0 if i < 4 else 1]][n] = f32(shape)[0]
    weight_map = {}
    for file, tensors in shards.items():
        write_safetensors(os.path.join(d, file), tensors)
        weight_map.update({n: file for n in tensors})
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)


def row_stats(a):
    """The signature statistics of include/kvq/population.h, from their definitions."""
    x = a.astype(np.float64)
    norms = np.linalg.norm(x, axis=1)
    m = x[:512] / np.linalg.norm(x[:512], axis=1, keepdims=True)
    cos = np.abs(m @ m.T)[np.triu_indices(len(m), 1)]
    flat = x.reshape(-1)
    z = (flat - flat.mean()) / flat.std(ddof=1)
    s = np.linalg.svd(x, compute_uv=False)
    p = s / s.sum()
    return {"norm_cv": norms.std(ddof=1) / norms.mean(),
            "norm_max_ratio": norms.max() / np.median(norms),
            "mean_abs_cos": cos.mean(), "kurtosis": (z ** 4).mean() - 3.0,
            "eff_rank": float(np.exp(-(p[p > 0] * np.log(p[p > 0])).sum()))}


def npy_files():
    a = rng.standard_normal((40, 8)).astype("<f4")
    np.save(os.path.join(OUT, "keys_v1.npy"), a)
    golden["keys_v1_bits"] = bits(a)
    skewed = a * np.array([1, 1, 1, 1, 1, 1, 4, 0.25], dtype="<f4")
    skewed[3] *= 10
    golden["stats_plain"] = row_stats(a)
    golden["stats_skewed"] = row_stats(skewed)
    h = rng.standard_normal((30, 8)).astype("<f2")
    with open(os.path.join(OUT, "half_v2.npy"), "wb") as f:
        np.lib.format.write_array(f, h, version=(2, 0))
    golden["half_v2_bits"] = bits(h.astype("<f4"))
    c = rng.standard_normal((4, 5, 8)).astype("<f4")
    with open(os.path.join(OUT, "cube_v3.npy"), "wb") as f:
        np.lib.format.write_array(f, c, version=(3, 0))
    golden["cube_v3_bits"] = bits(c)
    np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(a))
    np.save(os.path.join(OUT, "bigendian.npy"), a.astype(">f4"))
    np.save(os.path.join(OUT, "int32.npy"), np.arange(40, dtype="<i4").reshape(5, 8))


def main():
    os.makedirs(OUT, exist_ok=True)
    llama()
    gpt2()
    bert()
    conventions()
    sharded()
    npy_files()
    with open(os.path.join(OUT, "populations.json"), "w") as f:
        json.dump(golden, f)
        f.write("\n")


if __name__ == "__main__":
    main()
