#!/usr/bin/python3
"""numpy baseline for the model runtime's prefill throughput: the float32 forward pass of
tests/golden/gen_model.py (the same function that computes the golden values, run with
dtype=float32) over a whole sequence at once, on one thread.

  make DIR            writes a random-weight LlamaForCausalLM to DIR: config.json and an F32
                      model.safetensors (8 layers, hidden 512, 8 query heads sharing 2 KV heads,
                      head_dim 64, intermediate 1376, vocab 1024, max_position_embeddings 1024,
                      untied lm_head; weights N(0, 1/fan_in), embeddings N(0, 1), norms 1), and
                      DIR/tokens.npy, int32 [1, 512] ids from numpy's default_rng(1024).
  time DIR [REPEATS]  runs the forward (prefill of every row of DIR/tokens.npy: matrix products
                      through numpy @, causal mask, log-softmax at every position) REPEATS times
                      (default 3) and prints one line `numpy_prefill_tokens_per_s <value>`:
                      tokens per second of wall clock (time.perf_counter) of the best pass.
                      Loading the weights is not timed.

OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS are set to 1 before numpy is imported,
so the figure is single-threaded, like the C runtime it is compared with.

Run: /usr/bin/python3 bench/model_numpy.py make DIR &&
     /usr/bin/python3 bench/model_numpy.py time DIR
(Debian python3-numpy)
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import importlib.util  # noqa: E402  (after the thread settings)
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

GEN_MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests",
                         "golden", "gen_model.py")

CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama",
    "hidden_size": 512, "intermediate_size": 1376,
    "num_attention_heads": 8, "num_key_value_heads": 2, "num_hidden_layers": 8,
    "vocab_size": 1024, "max_position_embeddings": 1024,
    "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False,
    "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32",
}
TOKENS = 512


def gen_model():
    """tests/golden/gen_model.py as a module (without leaving bytecode in tests/golden)."""
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location("gen_model", GEN_MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make(folder):
    gm = gen_model()
    rng = np.random.default_rng(1024)
    hidden, inter, vocab = CONFIG["hidden_size"], CONFIG["intermediate_size"], CONFIG["vocab_size"]
    heads, kv_heads = CONFIG["num_attention_heads"], CONFIG["num_key_value_heads"]
    hd = hidden // heads

    def proj(out, inp):
        return (rng.standard_normal((out, inp), dtype=np.float32) / np.sqrt(inp)).astype(np.float32)

    W = {"model.embed_tokens.weight": rng.standard_normal((vocab, hidden), dtype=np.float32),
         "model.norm.weight": np.ones(hidden, dtype=np.float32),
         "lm_head.weight": proj(vocab, hidden)}
    for n in range(CONFIG["num_hidden_layers"]):
        p = f"model.layers.{n}."
        W[p + "input_layernorm.weight"] = np.ones(hidden, dtype=np.float32)
        W[p + "post_attention_layernorm.weight"] = np.ones(hidden, dtype=np.float32)
        W[p + "self_attn.q_proj.weight"] = proj(heads * hd, hidden)
        W[p + "self_attn.k_proj.weight"] = proj(kv_heads * hd, hidden)
        W[p + "self_attn.v_proj.weight"] = proj(kv_heads * hd, hidden)
        W[p + "self_attn.o_proj.weight"] = proj(hidden, heads * hd)
        W[p + "mlp.gate_proj.weight"] = proj(inter, hidden)
        W[p + "mlp.up_proj.weight"] = proj(inter, hidden)
        W[p + "mlp.down_proj.weight"] = proj(hidden, inter)
    gm.write_model(folder, CONFIG, W, "F32")
    tokens = rng.integers(0, vocab, size=(1, TOKENS)).astype(np.int32)
    np.save(os.path.join(folder, "tokens.npy"), tokens)


def time_prefill(folder, repeats):
    gm = gen_model()
    cfg, W = gm.load(folder, dtype=np.float32)
    tokens = np.load(os.path.join(folder, "tokens.npy"))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for seq in tokens:
            gm.forward(cfg, W, seq, dtype=np.float32)
        best = min(best, time.perf_counter() - start)
    print(f"numpy_prefill_tokens_per_s {tokens.size / best:.1f}")


def main(argv):
    if len(argv) == 3 and argv[1] == "make":
        make(argv[2])
    elif len(argv) in (3, 4) and argv[1] == "time":
        time_prefill(argv[2], int(argv[3]) if len(argv) == 4 else 3)
    else:
        sys.exit(f"usage: {argv[0]} make DIR | time DIR [REPEATS]")


if __name__ == "__main__":
    main(sys.argv)
