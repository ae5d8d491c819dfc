#!/usr/bin/python3
"""Writes real_stats.json: the signature statistics of real tensors, against which
tests/test_population_synth.c checks the built-in synthetic generators (populations/synth_*.c).

The statistics are those of kvq_row_stats_compute (include/kvq/population.h), computed here in
float64 numpy, independently of kvqeval:
  norm_cv        sample sd / mean of the row L2 norms;
  norm_max_ratio largest / median row norm;
  mean_abs_cos   mean |cos| over all pairs of rows, or of a uniform random subset of 512 rows
                 when there are more (numpy's generator here, not kvqeval's pcg32 stream);
  kurtosis       excess kurtosis of all coordinates pooled, mean(((x - mean) / sd)^4) - 3 with
                 the sample sd (GSL's definition);
  eff_rank       exp of the entropy of the singular values normalised to sum 1 (Roy & Vetterli
                 2007), exact (all rows).
Two statistics depend on the shape rather than on the signature, and are also given in a form
comparable across shapes: eff_rank_frac = eff_rank / min(rows, dim) (rows is the smaller for a
32 x 64 k_proj), and cos_vs_null = mean_abs_cos / sqrt(2 / (pi dim)), the ratio to the mean |cos|
of i.i.d. Gaussian rows of the same dim (1 for near-orthogonal rows, whatever dim).

Sources, all from the shipped checkpoint models/stories260K (a trained Llama: dim 64, 5 layers,
8 query heads sharing 4 KV heads of head_dim 8, MLP 172, tied embeddings, F32):
  weights: every layer's q/k/v/o_proj and mlp gate/up/down_proj, and the token embedding
      (rows = output features, as kvqeval reads them);
  activations, from the float64 forward pass of tests/golden/gen_model.py on SEQS sequences of
      LENGTH tokens the model samples itself (temperature 1 from BOS, numpy seed SEED):
      k_cache (post-RoPE keys, rows of head_dim, the KV heads of a layer pooled: what
      `model:DIR#kind=k` loads), k_cache_pre_rope (the same before RoPE, what the research
      measured), v_cache, and mlp_act (silu(gate) * up, the input of down_proj, rows of 172).
      For the caches also pos0_norm_ratio: the norm of the position-0 key (the would-be
      attention sink) over the median key norm, per layer and head.
Per role: "layers" (the statistics of each layer), "pooled" (all layers' rows together) and
"range" ([min, max] over the layers and the pooled rows).

"research" holds the figures of production models that the research reports (CLAIMS.md section
7, quoted), and "targets" the ranges each generator is checked against: the union of the
shipped model's range and the research's where the two disagree, each with the reason.

Run with Debian's /usr/bin/python3 (python3-numpy): /usr/bin/python3 tests/golden/gen_real_stats.py
"""
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_model  # noqa: E402  (the checkpoint reader and the reference forward pass)

STORIES = os.path.join(HERE, os.pardir, os.pardir, "models", "stories260K")
SEQS, LENGTH, SEED = 8, 64, 7
SAMPLE_ROWS = 512
STATS = ("norm_cv", "norm_max_ratio", "mean_abs_cos", "kurtosis", "eff_rank", "eff_rank_frac",
         "eff_rank_vs_null", "cos_vs_null")
NULL_EFF_RANK = {}
WEIGHT_ROLES = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
                "attn_v": "self_attn.v_proj", "attn_o": "self_attn.o_proj",
                "mlp_gate": "mlp.gate_proj", "mlp_up": "mlp.up_proj", "mlp_down": "mlp.down_proj"}


def null_eff_rank(n, dim):
    """The effective rank of i.i.d. N(0, 1) rows of this shape (mean of 3 draws, fixed seed)."""
    if (n, dim) not in NULL_EFF_RANK:
        rng = np.random.default_rng(n * 100003 + dim)
        NULL_EFF_RANK[(n, dim)] = float(np.mean(
            [entropy_rank(np.linalg.svd(rng.standard_normal((n, dim)), compute_uv=False))
             for _ in range(3)]))
    return NULL_EFF_RANK[(n, dim)]


def entropy_rank(s):
    p = s / s.sum()
    p = p[p > 0]
    return math.exp(-(p * np.log(p)).sum())


def row_stats(x, rng):
    """The signature statistics of the rows of x (n x dim), as kvq_row_stats_compute defines
    them, plus the shape-free eff_rank_frac and cos_vs_null."""
    x = np.asarray(x, dtype=np.float64)
    n, dim = x.shape
    norms = np.linalg.norm(x, axis=1)
    sub = x if n <= SAMPLE_ROWS else x[np.sort(rng.choice(n, SAMPLE_ROWS, replace=False))]
    unit = sub / np.linalg.norm(sub, axis=1, keepdims=True)
    cos = np.abs(unit @ unit.T)
    m = len(sub)
    mean_abs_cos = (cos.sum() - np.trace(cos)) / (m * (m - 1))
    flat = x.ravel()
    z = (flat - flat.mean()) / flat.std(ddof=1)
    eff_rank = entropy_rank(np.linalg.svd(x, compute_uv=False))
    return {"rows": n, "dim": dim,
            "norm_cv": float(norms.std(ddof=1) / norms.mean()),
            "norm_max_ratio": float(norms.max() / np.median(norms)),
            "mean_abs_cos": float(mean_abs_cos),
            "kurtosis": float(np.mean(z ** 4) - 3.0),
            "eff_rank": eff_rank,
            "eff_rank_frac": eff_rank / min(n, dim),
            "eff_rank_vs_null": eff_rank / null_eff_rank(n, dim),
            "cos_vs_null": float(mean_abs_cos / math.sqrt(2.0 / (math.pi * dim)))}


def summarise(layers, pooled, extra=None):
    """One role: its per-layer statistics, the pooled ones and [min, max] of each over both."""
    every = layers + [pooled]
    rng = {k: [min(s[k] for s in every), max(s[k] for s in every)] for k in STATS}
    out = {"layers": layers, "pooled": pooled, "range": rng}
    if extra:
        out.update(extra)
    return out


def attention_inputs(cfg, W, tokens):
    """The normed inputs of attention and of the MLP at every layer for one sequence: two lists
    of [T, hidden] arrays, caught from the reference forward by wrapping its rms_norm (each
    layer's call is recognised by its weight)."""
    layer_of = {}
    for n in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{n}."
        layer_of[id(W[p + "input_layernorm.weight"])] = ("attn", n)
        layer_of[id(W[p + "post_attention_layernorm.weight"])] = ("mlp", n)
    caught = {"attn": [None] * cfg["num_hidden_layers"], "mlp": [None] * cfg["num_hidden_layers"]}
    plain = gen_model.rms_norm

    def catching(x, weight, eps):
        y = plain(x, weight, eps)
        where = layer_of.get(id(weight))
        if where:
            caught[where[0]][where[1]] = y
        return y

    gen_model.rms_norm = catching
    try:
        gen_model.forward(cfg, W, tokens)
    finally:
        gen_model.rms_norm = plain
    return caught["attn"], caught["mlp"]


def activations(cfg, W, sequences):
    """Per layer: k (post-RoPE), k_pre (pre-RoPE), v as [seqs, kv_heads, T, hd] and mlp_act as
    [seqs * T, intermediate]."""
    heads, kv_heads = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or cfg["hidden_size"] // heads
    T = sequences.shape[1]
    inv_freq = 1.0 / cfg.get("rope_theta", 10000.0) ** (np.arange(0, hd, 2) / hd)
    emb = np.concatenate([np.arange(T)[:, None] * inv_freq] * 2, axis=-1)
    cos, sin = np.cos(emb), np.sin(emb)
    out = [{"k": [], "k_pre": [], "v": [], "mlp_act": []} for _ in range(cfg["num_hidden_layers"])]
    for seq in sequences:
        attn_in, mlp_in = attention_inputs(cfg, W, seq)
        for n, (h, h2) in enumerate(zip(attn_in, mlp_in)):
            p = f"model.layers.{n}."

            def heads_of(name):
                return (h @ W[p + name].T).reshape(T, kv_heads, hd).transpose(1, 0, 2)

            k = heads_of("self_attn.k_proj.weight")
            out[n]["k_pre"].append(k)
            out[n]["k"].append(k * cos + gen_model.rotate_half(k) * sin)
            out[n]["v"].append(heads_of("self_attn.v_proj.weight"))
            gate = h2 @ W[p + "mlp.gate_proj.weight"].T
            up = h2 @ W[p + "mlp.up_proj.weight"].T
            out[n]["mlp_act"].append(gate / (1 + np.exp(-gate)) * up)
    return [{k: np.stack(v) if k != "mlp_act" else np.concatenate(v) for k, v in layer.items()}
            for layer in out]


def cache_role(acts, key, rng):
    """A cache role (k, k_pre or v): rows of head_dim; "heads" has one entry per layer and KV
    head (every sequence and position: one head's cache), "layers" the KV heads of a layer
    pooled; pos0_norm_ratio: [min, max] over layers and heads of the median position-0 norm
    over the median norm."""
    layers, heads, pos0, pooled = [], [], [], []
    for n, layer in enumerate(acts):
        a = layer[key]  # [seqs, kv_heads, T, hd]
        rows = a.reshape(-1, a.shape[-1])
        layers.append(dict(layer=n, **row_stats(rows, rng)))
        pooled.append(rows)
        norms = np.linalg.norm(a, axis=-1)  # [seqs, kv_heads, T]
        for h in range(a.shape[1]):
            heads.append(dict(layer=n, head=h, **row_stats(a[:, h].reshape(-1, a.shape[-1]), rng)))
            pos0.append(float(np.median(norms[:, h, 0]) / np.median(norms[:, h, :])))
    out = summarise(layers, row_stats(np.concatenate(pooled), rng),
                    {"heads": heads, "pos0_norm_ratio": [min(pos0), max(pos0)]})
    out["head_range"] = {k: [min(e[k] for e in heads), max(e[k] for e in heads)] for k in STATS}
    return out


def subsets(x, rng, draws=100):
    """[min, max] of each statistic over random halves of the rows of x: the sampling spread of
    a role that has a single matrix."""
    every = [row_stats(x[np.sort(rng.choice(len(x), len(x) // 2, replace=False))], rng)
             for _ in range(draws)]
    return {k: [min(e[k] for e in every), max(e[k] for e in every)] for k in STATS}


def spectrum_rank(alpha, dim):
    """Entropy effective rank of singular values proportional to k^-alpha, k = 1..dim."""
    return entropy_rank(np.arange(1, dim + 1) ** -alpha)


def research_keys(dim=128, rows=4096):
    """The statistics of keys with the research's spectrum: Gaussian rows, singular values
    k^-alpha in a random orthonormal basis, for the alphas that give entropy effective rank
    0.37 and 0.45 of dim (alpha = 1 is 0.37) and between; [min, max] over them and 2 seeds."""
    def alpha_for(frac):
        lo, hi = 0.0, 3.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if spectrum_rank(mid, dim) / dim > frac else (lo, mid)
        return (lo + hi) / 2

    a_hi, a_lo = alpha_for(0.37), alpha_for(0.45)
    every = []
    for seed in (1, 2):
        rng = np.random.default_rng(seed)
        basis, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        for alpha in np.linspace(a_lo, a_hi, 3):
            x = (rng.standard_normal((rows, dim)) * np.arange(1, dim + 1) ** -alpha) @ basis
            every.append(row_stats(x, rng))
    return {"dim": dim, "rows": rows, "alpha": [a_lo, a_hi],
            "range": {k: [min(e[k] for e in every), max(e[k] for e in every)] for k in STATS}}


RESEARCH = {
    "source": "CLAIMS.md section 7, 'Signature statistics of real tensors' (production models: "
              "Qwen2.5-0.5B, DS-R1-Distill-Qwen-1.5B, GLM-edge-1.5B, Qwen3-0.6B/4B, SmolLM2-1.7B)",
    "kv_keys_pre_rope": {
        "text": "Spectrum heavy-tailed, sigma_k proportional to 1/k (99.9% variance at 58 of 64; "
                "derived: entropy effective rank ~ 29 at D=64, ~ 47 at D=128; 95% variance at "
                "~10-11 components). Sink: DS layer 0 max|k| = 408, mean ~ 8.0 (non-zero mean); "
                "outlier layers by max|L| > 2 x median: 0, 13, 15 of 28. Whitened kurtosis 10-50 "
                "(L24 50, |max| 68). Qwen3 post-qk-norm K residuals lack heavy tails.",
        "eff_rank_frac": [0.37, 0.45],
        "eff_rank_frac_1_over_k": {"64": spectrum_rank(1.0, 64) / 64,
                                   "128": spectrum_rank(1.0, 128) / 128},
        "sink_max_abs_over_mean_abs": 408.0 / 8.0,
        "derived": "the statistics of 4096 Gaussian rows of dim 128 with singular values k^-alpha, "
                   "alpha giving an entropy effective rank of 0.37-0.45 of dim (research_keys)",
    },
    "kv_values": {
        "text": "Flat spectra (SmolLM2: 59 of 64 components for 95%); heavy-tailed and "
                "non-elliptical; residual near-Gaussian; rare large-magnitude groups drive a "
                "per-vector max scale.",
    },
    "weights": {
        "text": "Weight rows near-orthogonal (no statistic). k_proj: magnitude tracks "
                "neighbourhoods. MLP gate SiLU-gated with heavier tails, vocab sparse, audio codec "
                "embeddings a discrete latent, Jina v5 / BGE-M3 outputs unit-normalised: "
                "signatures named without numbers.",
    },
}


def targets(real, research_k, vocab_halves):
    """The range each generator's statistics must fall in, with the reason for each choice.
    Shape-free forms stand in for the shape-dependent statistics: eff_rank_vs_null for eff_rank,
    cos_vs_null for the mean |cos| of near-orthogonal rows (mean_abs_cos itself where a shared
    direction, not the dimension, sets it)."""
    base = ("norm_cv", "norm_max_ratio", "cos_vs_null", "kurtosis", "eff_rank_vs_null")

    def of(rng, keys=base):
        return {k: list(rng[k]) for k in keys}

    kv = of(real["k_cache"]["head_range"])
    for k in kv:
        kv[k] = [min(kv[k][0], real["k_cache_pre_rope"]["head_range"][k][0],
                     research_k["range"][k][0]),
                 max(kv[k][1], real["k_cache_pre_rope"]["head_range"][k][1],
                     research_k["range"][k][1])]
    vocab = of(vocab_halves, ("norm_cv", "mean_abs_cos", "kurtosis", "eff_rank_vs_null"))
    weights = [real[r]["range"]["norm_max_ratio"] for r in WEIGHT_ROLES]
    vocab["norm_max_ratio"] = [min(min(w[0] for w in weights), vocab_halves["norm_max_ratio"][0]),
                               max(max(w[1] for w in weights), vocab_halves["norm_max_ratio"][1])]
    return {
        "k_proj": {"role": "attn_k", "ranges": of(real["attn_k"]["range"]),
                   "why": "stories260K k_proj, every layer and pooled"},
        "mlp_gate": {"role": "mlp_gate", "ranges": of(real["mlp_gate"]["range"]),
                     "why": "stories260K mlp.gate_proj weights, every layer and pooled"},
        "mlp_act": {"role": "mlp_act", "ranges": of(real["mlp_act"]["range"]),
                    "why": "stories260K silu(gate) * up activations (the input of down_proj), "
                           "every layer and pooled"},
        "vocab": {"role": "vocab_embed", "ranges": vocab,
                  "why": "stories260K token embedding, one matrix: the spread over random halves "
                         "of its rows; mean_abs_cos raw (a shared direction sets it, not the "
                         "dimension); norm_max_ratio, an extreme value that grows with the row "
                         "count (the generator has 8x the rows), widened to the range of every "
                         "weight matrix of the model"},
        "kv_cache": {"role": "k_cache", "ranges": kv,
                     "why": "one head's keys: stories260K post- and pre-RoPE keys of every layer "
                            "and KV head (head_dim 8), united with the statistics of the "
                            "research's production keys (sigma_k ~ k^-alpha, entropy effective "
                            "rank 0.37-0.45 of D, research.kv_keys_pre_rope.derived), which a "
                            "head_dim of 8 cannot show. The research's sink (max|k| 408 vs mean 8 "
                            "in layer 0 of 28) is a per-coordinate outlier, not a row-norm "
                            "statistic; the stories260K position-0 keys are "
                            "k_cache.pos0_norm_ratio times the median norm."},
    }


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else STORIES
    cfg, W = gen_model.load(folder)
    rng = np.random.default_rng(SEED)
    real = {}
    for role, module in WEIGHT_ROLES.items():
        mats = [W[f"model.layers.{n}.{module}.weight"] for n in range(cfg["num_hidden_layers"])]
        layers = [dict(layer=n, **row_stats(m, rng)) for n, m in enumerate(mats)]
        real[role] = summarise(layers, row_stats(np.concatenate(mats), rng))
    embed = row_stats(W["model.embed_tokens.weight"], rng)
    real["vocab_embed"] = summarise([], embed)
    vocab_halves = subsets(W["model.embed_tokens.weight"], rng)

    sequences = gen_model.sample(cfg, W, rng, SEQS, LENGTH, cfg["bos_token_id"])
    acts = activations(cfg, W, sequences)
    for role, key in (("k_cache", "k"), ("k_cache_pre_rope", "k_pre"), ("v_cache", "v")):
        real[role] = cache_role(acts, key, rng)
    layers = [dict(layer=n, **row_stats(a["mlp_act"], rng)) for n, a in enumerate(acts)]
    real["mlp_act"] = summarise(layers,
                                row_stats(np.concatenate([a["mlp_act"] for a in acts]), rng))

    RESEARCH["kv_keys_pre_rope"]["derived_stats"] = research_keys()
    golden = {"generator": "tests/golden/gen_real_stats.py", "numpy": np.__version__,
              "model": "models/stories260K" if folder == STORIES else folder,
              "sequences": f"{SEQS} x {LENGTH} tokens sampled at temperature 1, seed {SEED}",
              "real": real, "research": RESEARCH,
              "targets": targets(real, RESEARCH["kv_keys_pre_rope"]["derived_stats"], vocab_halves)}
    with open(os.path.join(HERE, "real_stats.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
