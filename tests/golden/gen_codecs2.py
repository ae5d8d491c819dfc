#!/usr/bin/python3
"""Golden values for the learned and block codec tests (tests/test_codecs2_*.c), computed with numpy and
scipy, independently of kvqeval.

Writes codecs2.json next to this script:
  lloyd:        the 1- and 2-bit Lloyd-Max quantizers of N(0,1) (Lloyd's iteration with the
                closed-form Gaussian cell moments from scipy.stats.norm): mse (Max 1960: 0.3634,
                0.1175), centroids, and at 2 bits the probability of each cell (what the kakeya
                residual coordinates must fill when their scale makes them N(0,1))
  besicovitch:  relative MSE of quantizing the angle of an isotropic 2-D vector to 2^d equally
                spaced directions with the exact projection as magnitude:
                E[sin^2 theta], theta ~ U(-pi/2^d, pi/2^d), by scipy.integrate.quad
  pca:          a 60 x 10 matrix with a decaying spectrum (numpy seed 6) and numpy.linalg.svd of
                its centred rows: variances s^2 / n, directions, and the energy the rank-3
                projection leaves (sum |x - x^|^2 for x^ = mean + top-3 projection) over sum |x|^2
  fps:          30 points in R^3 (numpy seed 7) and the order in which furthest-point sampling
                picks 6 of them, starting from the point furthest from their mean
Run: /usr/bin/python3 tests/golden/gen_codecs2.py   (Debian python3-numpy, python3-scipy)
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import integrate
from scipy.stats import norm


def gaussian_lloyd(bits):
    levels = 2 ** bits
    c = norm.ppf((np.arange(levels) + 0.5) / levels)
    for _ in range(100000):
        t = np.concatenate([[-np.inf], (c[1:] + c[:-1]) / 2, [np.inf]])
        mass = norm.cdf(t[1:]) - norm.cdf(t[:-1])
        new = (norm.pdf(t[:-1]) - norm.pdf(t[1:])) / mass
        if np.max(np.abs(new - c)) < 1e-14:
            c = new
            break
        c = new
    t = np.concatenate([[-np.inf], (c[1:] + c[:-1]) / 2, [np.inf]])
    mse = sum(integrate.quad(lambda x, ci=ci: (x - ci) ** 2 * norm.pdf(x), a, b, epsabs=1e-14)[0]
              for ci, a, b in zip(c, t[:-1], t[1:]))
    cells = (norm.cdf(t[1:]) - norm.cdf(t[:-1])).tolist()
    return {"bits": bits, "mse": mse, "centroids": c.tolist(), "cells": cells}


def besicovitch():
    out = []
    for d in (3, 4, 6):
        alpha = math.pi / 2 ** d
        value = integrate.quad(lambda th: math.sin(th) ** 2, -alpha, alpha)[0] / (2 * alpha)
        out.append({"dbits": d, "rel_mse": value})
    return out


def pca():
    rng = np.random.default_rng(6)
    n, dim, rank = 60, 10, 3
    scales = 2.0 ** -np.arange(dim)
    x = (rng.standard_normal((n, dim)) * scales) @ np.linalg.qr(rng.standard_normal((dim, dim)))[0]
    x += rng.standard_normal(dim)  # a mean to remove
    x = x.astype(np.float32).astype(np.float64)  # the values the test reads as f32
    mean = x.mean(axis=0)
    u, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    proj = mean + (x - mean) @ vt[:rank].T @ vt[:rank]
    return {"n": n, "dim": dim, "rank": rank, "rows": x.ravel().tolist(),
            "variances": (s ** 2 / n).tolist(), "directions": vt.ravel().tolist(),
            "rel_mse_rank3": float(((x - proj) ** 2).sum() / (x ** 2).sum())}


def fps():
    rng = np.random.default_rng(7)
    pts = rng.standard_normal((30, 3)).astype(np.float32).astype(np.float64)
    first = int(np.argmax(((pts - pts.mean(axis=0)) ** 2).sum(axis=1)))
    order = [first]
    mind = ((pts - pts[first]) ** 2).sum(axis=1)
    while len(order) < 6:
        nxt = int(np.argmax(mind))
        order.append(nxt)
        mind = np.minimum(mind, ((pts - pts[nxt]) ** 2).sum(axis=1))
    return {"points": pts.ravel().tolist(), "k": 6, "order": order}


def main():
    golden = {
        "generator": "tests/golden/gen_codecs2.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "lloyd": [gaussian_lloyd(1), gaussian_lloyd(2)],
        "besicovitch": besicovitch(),
        "pca": pca(),
        "fps": fps(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "codecs2.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
