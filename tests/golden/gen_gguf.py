#!/usr/bin/python3
"""GGUF fixtures and golden values for the GGUF reader (tests/test_gguf.c, tests/inspect_test.sh,
fuzz/seeds/gguf/).

Run with Debian's Python and numpy (not a pyenv python): /usr/bin/python3 tests/golden/gen_gguf.py
It writes tests/golden/gguf/, from the GGUF specification of ggml (docs/gguf.md: "GGUF", u32
version, u64 tensor count, u64 metadata count, key/values, tensor infos, padding to
general.alignment (default 32), the data section), independently of kvqeval:

  llama.gguf   version 3, a two-layer llama-like model with llama.cpp's tensor names (F32, F16
               and BF16 tensors) and metadata of every value type, arrays (of strings, of floats,
               nested) among them;
  quant.gguf   version 2, general.alignment 64: Q8_0, Q4_0 and Q4_K tensors whose blocks are made
               by tests/golden/gen_deployed.py's quantizers (ggml's reference quantizers written
               from their description), so the values they decode to are known independently;
  refused_*.gguf  hostile variants, each refused by the reader for one reason;
  gguf.json    the expected rows (f32) of the tensors the test reads, and for each refused file
               the text its message must contain.
GGUF dims are listed innermost first (ne[0] is the row length); kvqeval shows them outer-first.
F16 values are numpy's float16, BF16 values are f32 values whose low 16 bits are zero, so both
widen to f32 exactly.
"""
import json
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_deployed as deployed  # noqa: E402  (its quantizers; main() is not run)

OUT = os.path.join(HERE, "gguf")
rng = np.random.default_rng(20250620)

# gguf_type
U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
SCALAR = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f",
          BOOL: "<?", U64: "<Q", I64: "<q", F64: "<d"}
# ggml_type (ggml.h)
GGML = {"F32": 0, "F16": 1, "Q4_0": 2, "Q8_0": 8, "Q4_K": 12, "BF16": 30}


def gstr(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def value(vtype, v):
    if vtype == STRING:
        return gstr(v)
    if vtype == ARRAY:
        etype, items = v
        body = b"".join(value(etype, x) for x in items)
        return struct.pack("<IQ", etype, len(items)) + body
    return struct.pack(SCALAR[vtype], v)


def kv(key, vtype, v):
    return gstr(key) + struct.pack("<I", vtype) + value(vtype, v)


def tensor_info(name, ne, gtype, offset):
    return gstr(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne) \
        + struct.pack("<IQ", gtype, offset)


def gguf(kvs, tensors, version=3, alignment=32, offsets=None, magic=b"GGUF"):
    """kvs: encoded key/values; tensors: (name, ne, ggml type name or id, raw bytes). offsets
    overrides the computed data offsets (hostile files)."""
    data, offs = b"", []
    for _, _, _, raw in tensors:
        data += b"\0" * (-len(data) % alignment)
        offs.append(len(data))
        data += raw
    offs = offsets or offs
    head = magic + struct.pack("<IQQ", version, len(tensors), len(kvs)) + b"".join(kvs)
    for (name, ne, gtype, _), off in zip(tensors, offs):
        head += tensor_info(name, ne, GGML.get(gtype, gtype), off)
    head += b"\0" * (-len(head) % alignment)
    return head + data


def f32_matrix(rows, cols, scale=1.0):
    return (rng.standard_normal((rows, cols)) * scale).astype("<f4")


def f16_matrix(rows, cols):
    return (rng.standard_normal((rows, cols)) * 0.5).astype("<f2")


def bf16_matrix(rows, cols):
    a = f32_matrix(rows, cols).view("<u4") & np.uint32(0xFFFF0000)
    return a.view("<f4")


def bf16_bytes(a):
    return (a.view("<u4") >> 16).astype("<u2").tobytes()


ROWS_KEPT = ("token_embd.weight", "blk.0.attn_k.weight", "blk.0.attn_output.weight",
             "blk.1.ffn_up.weight", "output_norm.weight")


def llama():
    dim, kv_dim, ffn, vocab = 32, 16, 64, 48
    kvs = [
        kv("general.architecture", STRING, "llama"),
        kv("general.name", STRING, "kvqeval-gguf-fixture"),
        kv("general.file_type", U32, 1),
        kv("llama.block_count", U32, 2),
        kv("llama.context_length", U32, 64),
        kv("llama.embedding_length", U32, dim),
        kv("llama.feed_forward_length", U32, ffn),
        kv("llama.attention.head_count", U32, 4),
        kv("llama.attention.head_count_kv", U16, 2),
        kv("llama.rope.freq_base", F32, 10000.0),
        kv("llama.attention.layer_norm_rms_epsilon", F64, 1e-5),
        kv("fixture.u8", U8, 200), kv("fixture.i8", I8, -5), kv("fixture.i16", I16, -300),
        kv("fixture.i32", I32, -70000), kv("fixture.u64", U64, 1 << 40),
        kv("fixture.i64", I64, -(1 << 40)), kv("fixture.bool", BOOL, True),
        kv("fixture.nested", ARRAY, (ARRAY, [(U8, [1, 2, 3]), (I16, [-1])])),
        kv("tokenizer.ggml.model", STRING, "llama"),
        kv("tokenizer.ggml.tokens", ARRAY, (STRING, ["<t%d>" % i for i in range(vocab)])),
        kv("tokenizer.ggml.scores", ARRAY, (F32, [float(-i) for i in range(vocab)])),
    ]
    tensors, expect = [], {}

    def add(name, arr, kind):
        rows, cols = arr.shape if arr.ndim == 2 else (1, arr.shape[0])
        raw = bf16_bytes(arr) if kind == "BF16" else arr.tobytes()
        ne = [cols, rows] if arr.ndim == 2 else [cols]
        tensors.append((name, ne, kind, raw))
        expect[name] = {"dtype": kind, "shape": list(arr.shape)}
        if name in ROWS_KEPT:  # the expected values of a few, to keep gguf.json small
            expect[name]["rows"] = arr.astype("<f4").reshape(-1, cols).tolist()

    add("token_embd.weight", f16_matrix(vocab, dim), "F16")
    for layer in range(2):
        p = "blk.%d." % layer
        add(p + "attn_norm.weight", np.ones(dim, dtype="<f4"), "F32")
        add(p + "attn_q.weight", f32_matrix(dim, dim), "F32")
        add(p + "attn_k.weight", f32_matrix(kv_dim, dim), "F32")
        add(p + "attn_v.weight", f32_matrix(kv_dim, dim), "F32")
        add(p + "attn_output.weight", f16_matrix(dim, dim), "F16")
        add(p + "ffn_norm.weight", np.ones(dim, dtype="<f4"), "F32")
        add(p + "ffn_gate.weight", f32_matrix(ffn, dim), "F32")
        add(p + "ffn_up.weight", bf16_matrix(ffn, dim), "BF16")
        add(p + "ffn_down.weight", f32_matrix(dim, ffn), "F32")
    add("output_norm.weight", np.ones(dim, dtype="<f4"), "F32")
    add("output.weight", f32_matrix(vocab, dim), "F32")
    return kvs, tensors, expect


def quant():
    kvs = [kv("general.architecture", STRING, "llama"), kv("general.alignment", U32, 64),
           kv("llama.block_count", U32, 1)]
    tensors, expect = [], {}
    specs = [("blk.0.attn_k.weight", "Q8_0", deployed.blockwise(deployed.q8_0, 32), 6, 64),
             ("blk.0.attn_v.weight", "Q4_0", deployed.blockwise(deployed.q4_0, 32), 6, 64),
             ("blk.0.ffn_down.weight", "Q4_K", deployed.blockwise(deployed.q4_k, 256), 3, 256)]
    for name, kind, fn, rows, cols in specs:
        x = f32_matrix(rows, cols)
        raw, dec = b"", []
        for r in x:
            code, d = fn(r)
            raw += code
            dec.append([float(v) for v in d])
        tensors.append((name, [cols, rows], kind, raw))
        expect[name] = {"dtype": kind, "shape": [rows, cols], "rows": dec}
    return kvs, tensors, expect


def hostile(kvs, tensors):
    """(file name, bytes, text the message must contain)."""
    two = tensors[:2]
    ok = gguf(kvs, two)
    out = [("refused_truncated_header.gguf", ok[:20], "the metadata count needs 8 bytes"),
           ("refused_magic.gguf", b"GGML" + ok[4:], "no \"GGUF\" magic"),
           ("refused_version.gguf", gguf(kvs, two, version=1), "version 1")]
    # a string value whose length runs past the end of the file
    bad = kv("general.name", STRING, "x")[:-9] + struct.pack("<Q", 1 << 40) + b"x"
    out.append(("refused_string_length.gguf", gguf([bad], two),
                "key 'general.name' at offset"))
    out.append(("refused_unaligned_offset.gguf", gguf(kvs, two, offsets=[0, 4]),
                "data offset 4 is not a multiple of the alignment 32"))
    out.append(("refused_offset_beyond.gguf", gguf(kvs, two, offsets=[0, 1 << 20]),
                "end past the file"))
    unknown = [(n, ne, 99, raw) for n, ne, _, raw in two]
    out.append(("refused_unknown_type.gguf", gguf(kvs, unknown), "ggml type 99"))
    dup = [two[0], (two[0][0],) + two[1][1:]]
    out.append(("refused_duplicate_name.gguf", gguf(kvs, dup), "appears twice"))
    huge = [(two[0][0], [1 << 32, 1 << 32, 1 << 32], "F32", two[0][3])]
    out.append(("refused_overflow.gguf", gguf(kvs, huge), "overflows"))
    five = [(two[0][0], [4, 1, 1, 1, 1], "F32", two[0][3])]
    out.append(("refused_ndims5.gguf", gguf(kvs, five), "5 dimensions"))
    out.append(("refused_overlap.gguf", gguf(kvs, two, offsets=[0, 0]), "overlap"))
    out.append(("refused_duplicate_key.gguf", gguf(kvs + kvs[:1], two),
                "key 'general.architecture'"))
    block = [("blk.0.attn_k.weight", [48, 1], "Q8_0", b"\0" * 34)]
    out.append(("refused_block_size.gguf", gguf(kvs, block), "not a multiple of the Q8_0 block"))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    golden = {"generator": "tests/golden/gen_gguf.py", "numpy": np.__version__, "files": {},
              "refused": {}}
    for name, (kvs, tensors, expect), version, align in (
            ("llama.gguf", llama(), 3, 32), ("quant.gguf", quant(), 2, 64)):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(gguf(kvs, tensors, version=version, alignment=align))
        golden["files"][name] = expect
    kvs, tensors, _ = llama()
    for name, data, text in hostile(kvs, tensors):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        golden["refused"][name] = text
    with open(os.path.join(OUT, "gguf.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
