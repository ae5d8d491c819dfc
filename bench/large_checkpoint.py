#!/usr/bin/python3
"""Reads a full-size checkpoint: bytes read from disk, peak memory and CPU time of one run.

Writes a Llama-shaped sharded safetensors checkpoint (hidden 4096, intermediate 11008, 4 layers,
BF16 random weights, one shard per layer plus one for the embedding and the head, config.json and
model.safetensors.index.json, laid out as tests/golden/gen_model.py lays out its fixtures) into a
temporary folder, drops its pages from the page cache (posix_fadvise DONTNEED after fsync), runs

    kvqeval --model DIR --codec int8 --codec int4 --codec turboquant:bits=4 --quiet --out TMP

and prints the bytes the run read from disk (getrusage ru_inblock x 512, the blocks the kernel
fetched for it), its peak resident memory and its CPU time. The folder is removed afterwards
unless --keep is given. About 1.6 GB at the default sizes: --layers, --hidden, --intermediate and
--vocab shrink it.

config.json names the architecture "LlamaBenchForCausalLM", which kvqeval does not run, so --model
gives the safetensors: populations (one per role, rows sampled across layers): the file-reading
path. --runtime names LlamaForCausalLM instead, so that the model runtime converts whole matrices
(a forward pass of this size takes long on a small machine: use it with smaller sizes).

Usage: /usr/bin/python3 bench/large_checkpoint.py build-release/kvqeval [--layers 4] [--keep]
"""
import argparse
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np


def bf16_bytes(rng, shape, scale):
    """Random N(0, scale^2) values rounded to BF16 (nearest even), little-endian bytes."""
    u = (rng.standard_normal(shape, dtype=np.float32) * np.float32(scale)).view("<u4")
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2").tobytes()


def write_shard(path, tensors, rng):
    """tensors: name -> shape; writes them as BF16 in sorted order (safetensors layout)."""
    header, offset = {}, 0
    for name in sorted(tensors):
        size = 2 * int(np.prod(tensors[name]))
        header[name] = {"dtype": "BF16", "shape": list(tensors[name]),
                        "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for name in sorted(tensors):
            shape = tensors[name]
            f.write(bf16_bytes(rng, shape, 1.0 / np.sqrt(shape[-1])))
    return offset


def write_checkpoint(folder, a):
    rng = np.random.default_rng(1)
    h, i, v = a.hidden, a.intermediate, a.vocab
    heads = h // 128
    shards = []
    for layer in range(a.layers):
        p = f"model.layers.{layer}."
        shards.append({p + "self_attn.q_proj.weight": (h, h), p + "self_attn.k_proj.weight": (h, h),
                       p + "self_attn.v_proj.weight": (h, h), p + "self_attn.o_proj.weight": (h, h),
                       p + "mlp.gate_proj.weight": (i, h), p + "mlp.up_proj.weight": (i, h),
                       p + "mlp.down_proj.weight": (h, i), p + "input_layernorm.weight": (h,),
                       p + "post_attention_layernorm.weight": (h,)})
    shards.append({"model.embed_tokens.weight": (v, h), "lm_head.weight": (v, h),
                   "model.norm.weight": (h,)})
    weight_map, total = {}, 0
    for k, tensors in enumerate(shards):
        name = f"model-{k + 1:05d}-of-{len(shards):05d}.safetensors"
        total += write_shard(os.path.join(folder, name), tensors, rng)
        weight_map.update({t: name for t in tensors})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    config = {"architectures": ["LlamaForCausalLM" if a.runtime else "LlamaBenchForCausalLM"],
              "model_type": "llama", "hidden_size": h, "intermediate_size": i,
              "num_attention_heads": heads, "num_key_value_heads": heads,
              "num_hidden_layers": a.layers, "vocab_size": v, "max_position_embeddings": 2048,
              "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False,
              "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2,
              "torch_dtype": "bfloat16"}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return total


def drop_cache(folder):
    """Asks the kernel to forget the folder's pages (they are clean after fsync)."""
    for name in os.listdir(folder):
        fd = os.open(os.path.join(folder, name), os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def run(cmd):
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), ru, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kvqeval")
    ap.add_argument("--hidden", type=int, default=4096)
    ap.add_argument("--intermediate", type=int, default=11008)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=0, help="kvqeval --threads (default its own)")
    ap.add_argument("--runtime", action="store_true", help="config.json names LlamaForCausalLM")
    ap.add_argument("--dir", help="where the temporary folder goes (default the system's)")
    ap.add_argument("--keep", action="store_true", help="keep the checkpoint and the run")
    a = ap.parse_args()
    top = tempfile.mkdtemp(prefix="kvq_large_", dir=a.dir)
    try:
        model = os.path.join(top, "model")
        os.mkdir(model)
        t0 = time.monotonic()
        total = write_checkpoint(model, a)
        print(f"checkpoint: {a.layers} layers, hidden {a.hidden}, intermediate {a.intermediate}, "
              f"vocab {a.vocab}: {total / 2**30:.2f} GiB of BF16 in {time.monotonic() - t0:.0f} s")
        drop_cache(model)
        cmd = [a.kvqeval, "--model", model, "--codec", "int8", "--codec", "int4",
               "--codec", "turboquant:bits=4", "--quiet", "--out", os.path.join(top, "run")]
        if a.threads:
            cmd += ["--threads", str(a.threads)]
        rc, ru, wall = run(cmd)
        if rc != 0:
            sys.exit(f"kvqeval exited {rc}: {' '.join(cmd)}")
        read = ru.ru_inblock * 512
        print(f"bytes read from disk: {read / 2**20:.1f} MiB ({100 * read / total:.1f}% of the "
              f"checkpoint)")
        print(f"peak RSS: {ru.ru_maxrss / 2**20:.2f} GiB")
        print(f"CPU: {ru.ru_utime + ru.ru_stime:.1f} s (user {ru.ru_utime:.1f} s, system "
              f"{ru.ru_stime:.1f} s), wall {wall:.1f} s")
        if a.keep:
            print(f"kept: {top}")
    finally:
        if not a.keep:
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
