#!/usr/bin/python3
"""Golden values for chain collapse (include/kvq/chain.h), computed in float64 numpy and scipy from
the definitions, independent of kvqeval.

The codec is a sign sketch that a test can define in a few lines: it keeps the sign of every
coordinate of a row (s = +1 where x >= 0, else -1) and scores a query q by sum_j q_j s_j, so the
chain through it is the chain of the matrices sign(W_l). Three layers of 32 x 32 N(0, 1/32)
values, RMSNorm weights 1 + 0.5 N(0, 1) (so the norm matters), eps 1e-5, eight N(0, 1) starting
vectors, 33 layers (cycling through the three):
  bare      h_l = normalize(h W^T), h^_l = normalize(h^ sign(W)^T)
  residual  h_l = h + rmsnorm_l(h) W^T, h^_l = h^ + rmsnorm_l(h^) sign(W)^T,
            rmsnorm_l(x) = x / sqrt(mean(x^2) + eps) * g_l
rho_l = mean over the starting vectors of scipy.stats.spearmanr(h_l[i], h^_l[i]); also each
vector's curve. Writes tests/golden/chain.json (the inputs as float32 values, then the curves).

Run with Debian's /usr/bin/python3 (python3-numpy, python3-scipy) from the repository root.
"""
import json
import os

import numpy as np
from scipy.stats import spearmanr

DIM, LAYERS, NH, DEPTH, EPS = 32, 3, 8, 33, 1e-5
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chain.json")


def normalize(h):
    n = np.linalg.norm(h, axis=1, keepdims=True)
    return np.where(n > 0, h / np.where(n > 0, n, 1), h)


def rmsnorm(h, g):
    return h / np.sqrt((h * h).mean(axis=1, keepdims=True) + EPS) * g


def curves(w, g, h0, residual):
    signs = np.where(w >= 0, 1.0, -1.0)
    h, hhat = h0.copy(), h0.copy()
    each = np.zeros((NH, DEPTH))
    for l in range(DEPTH):
        k = l % LAYERS
        if residual:
            h = h + rmsnorm(h, g[k]) @ w[k].T
            hhat = hhat + rmsnorm(hhat, g[k]) @ signs[k].T
        else:
            h = normalize(h @ w[k].T)
            hhat = normalize(hhat @ signs[k].T)
        for i in range(NH):
            each[i, l] = spearmanr(h[i], hhat[i]).statistic
    return each


def main():
    rng = np.random.default_rng(20261201)
    w = (rng.standard_normal((LAYERS, DIM, DIM)) / np.sqrt(DIM)).astype(np.float32)
    g = (1.0 + 0.5 * rng.standard_normal((LAYERS, DIM))).astype(np.float32)
    h0 = rng.standard_normal((NH, DIM)).astype(np.float32)
    out = {"dim": DIM, "layers": LAYERS, "nh": NH, "depth": DEPTH, "eps": EPS,
           "w": [float(x) for x in w.ravel()], "norm": [float(x) for x in g.ravel()],
           "h0": [float(x) for x in h0.ravel()]}
    for name, residual in (("bare", False), ("residual", True)):
        each = curves(w.astype(np.float64), g.astype(np.float64), h0.astype(np.float64), residual)
        out[name] = {"rho": [float(x) for x in each.mean(axis=0)],
                     "each": [float(x) for x in each.ravel()]}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
