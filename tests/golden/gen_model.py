#!/usr/bin/python3
"""Golden values for the model runtime (`kvqeval model DIR --tokens FILE.npy`), computed by a
float64 numpy forward pass written here from the Hugging Face definitions, independently of
kvqeval.

Writes, next to this script:
  models/tiny_qwen2/: config.json (Qwen2ForCausalLM: hidden 32, 4 query heads sharing 2 KV heads,
      head_dim 8, intermediate 48, 2 layers, vocab 64, rope_theta 1e6, eps 1e-6, untied lm_head),
      model.safetensors (random weights stored as BF16, rounded to nearest even, with q/k/v
      biases) and tokens.npy (int32 [3, 12]).
  models/tiny_mistral/: config.json (MistralForCausalLM: hidden 32, explicit head_dim 16 with
      4 query heads sharing 1 KV head, so q_proj is [64, 32] and o_proj [32, 64], intermediate
      40, 3 layers, vocab 48, rope_theta 1e4, eps 1e-5, tied embeddings, no biases),
      model.safetensors (random weights stored as F16) and tokens.npy (int64 [2, 20]).
  stories260K_tokens.npy: int32 [4, 32], sequences sampled at temperature 1 from bos id 1 from
      the shipped stories260K model (models/stories260K of this repository, or the folder given
      as argument)
      with the forward pass here.
  model.json: for each of "tiny_qwen2", "tiny_mistral", "stories260K": "rows", one
      {seq, pos, token, logprob} per sequence s and position pos = 1..T-1, where token =
      tokens[s][pos] and logprob = log p(token | tokens[s][0..pos-1]) (natural log), the same
      rows as the CSV `seq,pos,token,logprob` the C command prints; "mean_nll", the mean of
      -logprob over those rows. For stories260K also "sample_mean_nll", the mean NLL of 16
      further self-sampled sequences of 64 tokens (the model card's figure is about 2.7 nats).

The random fixture weights are drawn from numpy's default_rng with fixed seeds and the golden
forward reads them back from the written files, so it sees exactly the stored (rounded) values.

Reference forward (transformers' LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM):
embedding lookup; per layer, RMSNorm (x / sqrt(mean(x^2) + eps) * weight), q/k/v projections
(y = x @ W.T, + bias where the checkpoint has one), head_dim = config head_dim or hidden /
heads, rotate-half RoPE at positions 0..T-1 (inv_freq = theta^(-arange(0, hd, 2) / hd), cos and
sin of concat(angles, angles), q' = q cos + rotate_half(q) sin, rotate_half(x) =
concat(-x[hd/2:], x[:hd/2])), grouped-query attention (query head h reads KV head
h // (heads / kv_heads)) scaled by 1/sqrt(head_dim) under a causal mask, o_proj, residual;
RMSNorm, SwiGLU MLP down(silu(gate(x)) * up(x)), residual; final RMSNorm; lm_head (or the
embedding matrix when tie_word_embeddings); log-softmax. All in float64 here; bench/model_numpy.py
runs the same function in float32.

Run: /usr/bin/python3 tests/golden/gen_model.py [STORIES260K_DIR]   (Debian python3-numpy)
"""
import json
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
STORIES = os.path.join(HERE, os.pardir, os.pardir, "models", "stories260K")

# safetensors dtype name -> numpy little-endian storage type
STORAGE = {"F32": "<f4", "F16": "<f2", "BF16": "<u2"}


# ---------------------------------------------------------------------------------------------
# safetensors I/O

def load(folder, dtype=np.float64):
    """Reads folder/config.json and folder/model.safetensors; returns (config, weights), the
    weights a dict name -> numpy array of `dtype` (F32, F16 and BF16 are widened exactly)."""
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        blob = f.read()
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    base = 8 + size
    weights = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in STORAGE:
            raise ValueError(f"{name}: unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        raw = np.frombuffer(blob[base + begin:base + end], dtype=STORAGE[info["dtype"]])
        if info["dtype"] == "BF16":  # bf16 is the upper half of an f32
            raw = (raw.astype("<u4") << 16).view("<f4")
        weights[name] = raw.astype(dtype).reshape(info["shape"])
    return cfg, weights


def to_storage(a, dtype):
    """Rounds the float array a to safetensors `dtype`; returns the little-endian storage array
    (bf16: round to nearest even, as torch's .to(torch.bfloat16) does for finite values)."""
    if dtype == "BF16":
        u = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
        return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2")
    return np.ascontiguousarray(a, dtype=STORAGE[dtype])


def save_safetensors(path, tensors, dtype):
    """Writes tensors (name -> float array) to path, all stored as `dtype` (F32, F16 or BF16):
    u64 header length, JSON header with sorted names padded with spaces to a multiple of 8,
    then the tensors' bytes in the same order."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        raw = to_storage(tensors[name], dtype).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


# ---------------------------------------------------------------------------------------------
# Reference forward

def rms_norm(x, weight, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def check_config(cfg, length):
    """Refuses the config options this reference does not implement."""
    if cfg.get("hidden_act", "silu") != "silu":
        raise NotImplementedError(f"hidden_act {cfg['hidden_act']}")
    if cfg.get("rope_scaling"):
        raise NotImplementedError("rope_scaling")
    window = cfg.get("sliding_window")
    sliding = cfg.get("use_sliding_window", cfg.get("model_type") == "mistral")
    if sliding and window is not None and length > window:
        raise NotImplementedError("sequence longer than the sliding window")


def forward(cfg, W, tokens, dtype=np.float64):
    """Log-softmax over the vocabulary at every position of one sequence: [T, vocab] of `dtype`.
    W: weights as returned by load() (of the same dtype); tokens: sequence of ids."""
    tokens = np.asarray(tokens, dtype=np.int64)
    T = len(tokens)
    check_config(cfg, T)
    heads, kv_heads = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or cfg["hidden_size"] // heads
    eps = cfg["rms_norm_eps"]

    def linear(x, name):  # y = x @ W.T (+ b); W is [out, in]
        y = x @ W[name + ".weight"].T
        if name + ".bias" in W:
            y = y + W[name + ".bias"]
        return y

    # RoPE tables [T, hd], computed in float64 then cast
    inv_freq = 1.0 / cfg.get("rope_theta", 10000.0) ** (np.arange(0, hd, 2) / hd)
    angles = np.arange(T)[:, None] * inv_freq[None, :]
    emb = np.concatenate([angles, angles], axis=-1)
    cos, sin = np.cos(emb).astype(dtype), np.sin(emb).astype(dtype)
    causal = np.triu(np.ones((T, T), dtype=bool), k=1)  # True where key j > query i
    scale = np.asarray(1.0 / np.sqrt(hd), dtype=dtype)

    x = W["model.embed_tokens.weight"][tokens]
    for n in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{n}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        # [heads, T, hd]
        q = linear(h, p + "self_attn.q_proj").reshape(T, heads, hd).transpose(1, 0, 2)
        k = linear(h, p + "self_attn.k_proj").reshape(T, kv_heads, hd).transpose(1, 0, 2)
        v = linear(h, p + "self_attn.v_proj").reshape(T, kv_heads, hd).transpose(1, 0, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # grouped-query attention: query head i reads KV head i // (heads // kv_heads)
        k = np.repeat(k, heads // kv_heads, axis=0)
        v = np.repeat(v, heads // kv_heads, axis=0)
        scores = (q @ k.transpose(0, 2, 1)) * scale
        scores[:, causal] = -np.inf
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        attn = (probs @ v).transpose(1, 0, 2).reshape(T, heads * hd)
        x = x + linear(attn, p + "self_attn.o_proj")
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        gate = linear(h, p + "mlp.gate_proj")
        silu = gate / (1 + np.exp(-gate))
        x = x + linear(silu * linear(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W.get("lm_head.weight")
    if head is None:
        if not cfg.get("tie_word_embeddings", False):
            raise ValueError("no lm_head.weight and tie_word_embeddings is false")
        head = W["model.embed_tokens.weight"]
    return log_softmax(x @ head.T)


# ---------------------------------------------------------------------------------------------
# Fixtures

def random_weights(cfg, rng, embed_sd, bias_sd=None, gain=1.5):
    """Random weights of a Llama-family checkpoint: projections N(0, (gain / sqrt(fan_in))^2),
    embeddings N(0, embed_sd^2), norm weights 1 + 0.1 N(0, 1), q/k/v biases N(0, bias_sd^2) when
    bias_sd is given, lm_head unless tie_word_embeddings."""
    hidden, inter = cfg["hidden_size"], cfg["intermediate_size"]
    heads, kv_heads = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or hidden // heads

    def proj(out, inp):
        return rng.standard_normal((out, inp)) * (gain / np.sqrt(inp))

    def norm(dim):
        return 1 + 0.1 * rng.standard_normal(dim)

    W = {"model.embed_tokens.weight": rng.standard_normal((cfg["vocab_size"], hidden)) * embed_sd}
    for n in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{n}."
        W[p + "input_layernorm.weight"] = norm(hidden)
        for name, out in (("q", heads * hd), ("k", kv_heads * hd), ("v", kv_heads * hd)):
            W[p + f"self_attn.{name}_proj.weight"] = proj(out, hidden)
            if bias_sd is not None:
                W[p + f"self_attn.{name}_proj.bias"] = rng.standard_normal(out) * bias_sd
        W[p + "self_attn.o_proj.weight"] = proj(hidden, heads * hd)
        W[p + "post_attention_layernorm.weight"] = norm(hidden)
        W[p + "mlp.gate_proj.weight"] = proj(inter, hidden)
        W[p + "mlp.up_proj.weight"] = proj(inter, hidden)
        W[p + "mlp.down_proj.weight"] = proj(hidden, inter)
    W["model.norm.weight"] = norm(hidden)
    if not cfg["tie_word_embeddings"]:
        W["lm_head.weight"] = proj(cfg["vocab_size"], hidden)
    return W


def write_model(folder, cfg, weights, dtype):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    save_safetensors(os.path.join(folder, "model.safetensors"), weights, dtype)


def random_tokens(rng, shape, vocab, bos, dtype):
    tokens = rng.integers(0, vocab, size=shape)
    tokens[:, 0] = bos
    return tokens.astype(dtype)


TINY_QWEN2 = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
    "hidden_size": 32, "intermediate_size": 48,
    "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2,
    "vocab_size": 64, "max_position_embeddings": 64,
    "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": False,
    "use_sliding_window": False, "hidden_act": "silu",
    "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16",
}

TINY_MISTRAL = {
    "architectures": ["MistralForCausalLM"], "model_type": "mistral",
    "hidden_size": 32, "head_dim": 16, "intermediate_size": 40,
    "num_attention_heads": 4, "num_key_value_heads": 1, "num_hidden_layers": 3,
    "vocab_size": 48, "max_position_embeddings": 32,
    "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": True,
    "sliding_window": None, "hidden_act": "silu",
    "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float16",
}


def make_fixtures():
    """Writes the two random-weight models and their token files."""
    rng = np.random.default_rng(20250301)
    folder = os.path.join(MODELS, "tiny_qwen2")
    write_model(folder, TINY_QWEN2, random_weights(TINY_QWEN2, rng, 1.0, bias_sd=0.5), "BF16")
    np.save(os.path.join(folder, "tokens.npy"), random_tokens(rng, (3, 12), 64, 1, np.int32))

    # Tied embeddings also serve as lm_head: sd 0.25 keeps the logits at sd ~1.4 (RMSNorm
    # normalises the input side whatever the scale).
    rng = np.random.default_rng(20250302)
    folder = os.path.join(MODELS, "tiny_mistral")
    write_model(folder, TINY_MISTRAL, random_weights(TINY_MISTRAL, rng, 0.25), "F16")
    np.save(os.path.join(folder, "tokens.npy"), random_tokens(rng, (2, 20), 48, 1, np.int64))


# ---------------------------------------------------------------------------------------------
# Golden rows

def sample(cfg, W, rng, count, length, bos):
    """count sequences of `length` tokens sampled at temperature 1 from bos (inverse CDF on one
    uniform per step, recomputing the whole prefix each step)."""
    out = np.empty((count, length), dtype=np.int64)
    for s in range(count):
        seq = [bos]
        while len(seq) < length:
            p = np.exp(forward(cfg, W, seq)[-1])
            cdf = np.cumsum(p)
            seq.append(int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"),
                               len(p) - 1)))
        out[s] = seq
    return out


def rows(cfg, W, tokens):
    """One row per sequence s and position pos >= 1: log p(tokens[s][pos] | tokens[s][:pos])."""
    out = []
    for s, seq in enumerate(np.asarray(tokens)):
        logp = forward(cfg, W, seq)
        for pos in range(1, len(seq)):
            out.append({"seq": s, "pos": pos, "token": int(seq[pos]),
                        "logprob": float(logp[pos - 1, seq[pos]])})
    return out


def mean_nll(rs):
    return float(-np.mean([r["logprob"] for r in rs]))


def main():
    stories = sys.argv[1] if len(sys.argv) > 1 else STORIES
    make_fixtures()
    golden = {"generator": "tests/golden/gen_model.py", "numpy": np.__version__}
    for name in ("tiny_qwen2", "tiny_mistral"):
        folder = os.path.join(MODELS, name)
        cfg, W = load(folder)
        rs = rows(cfg, W, np.load(os.path.join(folder, "tokens.npy")))
        golden[name] = {"model": f"tests/golden/models/{name}",
                        "tokens": f"tests/golden/models/{name}/tokens.npy",
                        "mean_nll": mean_nll(rs), "rows": rs}

    cfg, W = load(stories)
    bos = cfg["bos_token_id"]
    rng = np.random.default_rng(260)
    tokens = sample(cfg, W, rng, 4, 32, bos).astype(np.int32)
    np.save(os.path.join(HERE, "stories260K_tokens.npy"), tokens)
    rs = rows(cfg, W, tokens)
    big = rows(cfg, W, sample(cfg, W, rng, 16, 64, bos))
    golden["stories260K"] = {"model": "models/stories260K" if stories == STORIES else stories,
                             "tokens": "tests/golden/stories260K_tokens.npy",
                             "mean_nll": mean_nll(rs),
                             "sample": "16 sequences of 64 tokens sampled at temperature 1",
                             "sample_mean_nll": mean_nll(big), "rows": rs}

    with open(os.path.join(HERE, "model.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
