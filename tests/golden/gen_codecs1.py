#!/usr/bin/python3
"""Golden values for the codecs-I tests, computed with numpy/scipy, independently of
kvqeval.

Writes codecs1.json next to this script:
  lloyd_max1960: the mean squared error of the Lloyd–Max quantizer of N(0, 1) at 1..4 bits as
      published by J. Max, "Quantizing for minimum distortion", IRE Trans. Inf. Theory 6(1), 1960,
      Table I (N = 2, 4, 8, 16 levels). Max's 8- and 16-level entries are low in the last digit
      (the fixed point of his own centroids gives 0.034548 and 0.0095010, as below).
  lloyd_gaussian: the N(0, 1) codebooks at 1..8 bits by Lloyd's iteration written here in numpy,
      with cell moments from scipy.stats.norm and the mse integrated by scipy.integrate.quad.
  lloyd_uniform: the uniform density on [0, 1] at 3 bits (closed form: centroids (i + 1/2) / 8,
      mse 1 / (12 * 64)).
  wht: the orthonormal Walsh–Hadamard transform of fixed vectors, scipy.linalg.hadamard(n) @ x /
      sqrt(n) (Sylvester ordering).
  f16_rel_mse: the relative MSE of IEEE half rounding on N(0, 1), integrated binade by binade
      (ulp^2 / 12 with 11 significant bits; the subnormal range is negligible).
  int4_rel_mse: ggml Q4_0 (scale = extreme element / -8 rounded to float16, codes floor(x / d +
      8.5) clipped to [0, 15]) on N(0, 1) groups, simulated in numpy at group 32 and 128.
  polarquant: the angle codebooks of PolarQuant (Han et al., arXiv 2502.02617) by a Lloyd
      iteration with scipy.integrate.quad on the level densities (uniform on [0, 2 pi) at level 1;
      proportional to sin^(n-1)(2 psi) on [0, pi/2], n = 2^(l-1), at level l), and the relative
      MSE of the whole codec simulated in numpy on N(0, 1) rows of dim 128 (levels 4, 4 bits at
      level 1, 2 bits above, top radii in float16); a Gaussian row needs no rotation, its
      distribution being rotation invariant.
Run: /usr/bin/python3 tests/golden/gen_codecs1.py   (Debian python3-numpy, python3-scipy)
"""
import json
import os

import numpy as np
import scipy
from scipy import integrate, linalg
from scipy.stats import norm

MAX1960 = [0.3634, 0.1175, 0.03454, 0.009497]


def lloyd_gaussian(bits):
    levels = 2 ** bits
    c = np.sqrt(3.0) * norm.ppf((np.arange(levels) + 0.5) / levels)
    for _ in range(1000000):
        t = np.concatenate([[-np.inf], (c[1:] + c[:-1]) / 2, [np.inf]])
        # mass from the tail on each side of 0, where the difference of CDFs would cancel
        mass = np.where(t[:-1] >= 0, norm.sf(t[:-1]) - norm.sf(t[1:]),
                        norm.cdf(t[1:]) - norm.cdf(t[:-1]))
        new = (norm.pdf(t[:-1]) - norm.pdf(t[1:])) / mass
        moved = np.max(np.abs(new - c))
        c = new
        if moved < 1e-13:
            break
    t = np.concatenate([[-np.inf], (c[1:] + c[:-1]) / 2, [np.inf]])
    mse = sum(integrate.quad(lambda x, ci=ci: (x - ci) ** 2 * norm.pdf(x), a, b,
                             epsabs=1e-16, epsrel=1e-12, limit=200)[0]
              for ci, a, b in zip(c, t[:-1], t[1:]))
    return {"bits": bits, "mse": mse, "centroids": c.tolist()}


def f16_rel_mse():
    total = 0.0
    for e in range(-14, 16):
        p = 2 * (norm.cdf(2.0 ** (e + 1)) - norm.cdf(2.0 ** e))
        total += p * 4.0 ** (e - 10) / 12
    return total


def int4_rel_mse(group, rows=1 << 16):
    rng = np.random.default_rng(41)
    x = rng.standard_normal((rows, group)).astype(np.float32)
    m = x[np.arange(rows), np.argmax(np.abs(x), axis=1)]
    d = (m / -8).astype(np.float16).astype(np.float32)
    inv = np.where(d != 0, 1 / np.where(d != 0, d, 1), 0).astype(np.float32)
    q = np.clip(np.floor(x * inv[:, None] + np.float32(8.5)), 0, 15)
    y = (q - 8) * d[:, None]
    return float(((x.astype(np.float64) - y) ** 2).sum() / (x.astype(np.float64) ** 2).sum())


def lloyd_density(pdf, lo, hi, bits, start):
    c = np.array(start, dtype=float)
    for _ in range(100000):
        t = np.concatenate([[lo], (c[1:] + c[:-1]) / 2, [hi]])
        m0 = np.array([integrate.quad(pdf, a, b, epsabs=1e-300, epsrel=1e-12)[0]
                       for a, b in zip(t[:-1], t[1:])])
        m1 = np.array([integrate.quad(lambda x: x * pdf(x), a, b, epsabs=1e-300, epsrel=1e-12)[0]
                       for a, b in zip(t[:-1], t[1:])])
        new = m1 / m0
        moved = np.max(np.abs(new - c))
        c = new
        if moved < 1e-12:
            break
    return c


def polar_codebooks(levels=4, bits1=4, bits=2):
    books = [lloyd_density(lambda x: 1.0, 0.0, 2 * np.pi, bits1,
                           (np.arange(2 ** bits1) + 0.25) * 2 * np.pi / 2 ** bits1)]
    for level in range(2, levels + 1):
        n = 2 ** (level - 1)
        pdf = lambda x, n=n: np.sin(2 * x) ** (n - 1)
        start = np.linspace(0.2, np.pi / 2 - 0.2, 2 ** bits)
        books.append(lloyd_density(pdf, 0.0, np.pi / 2, bits, start))
    return books


def nearest(c, v):
    t = (c[1:] + c[:-1]) / 2
    return c[np.searchsorted(t, v, side="right")]


def polar_rel_mse(books, dim=128, rows=20000):
    rng = np.random.default_rng(43)
    x = rng.standard_normal((rows, dim))
    v = x.copy()
    angles = []
    for level, c in enumerate(books):
        a, b = v[:, 0::2], v[:, 1::2]
        psi = np.arctan2(b, a)
        if level == 0:
            psi = np.mod(psi, 2 * np.pi)
        angles.append(nearest(c, psi))
        v = np.hypot(a, b)
    v = v.astype(np.float16).astype(np.float64)
    for psi in reversed(angles):
        out = np.empty((rows, 2 * v.shape[1]))
        out[:, 0::2] = v * np.cos(psi)
        out[:, 1::2] = v * np.sin(psi)
        v = out
    return float(((x - v) ** 2).sum() / (x ** 2).sum())


def wht_cases():
    rng = np.random.default_rng(5)
    out = []
    for n in (1, 2, 4, 8, 64):
        x = rng.standard_normal(n)
        out.append({"n": n, "x": x.tolist(), "y": (linalg.hadamard(n) @ x / np.sqrt(n)).tolist()})
    return out


def main():
    golden = {
        "generator": "tests/golden/gen_codecs1.py",
        "numpy": np.__version__, "scipy": scipy.__version__,
        "lloyd_max1960": MAX1960,
        "lloyd_gaussian": [lloyd_gaussian(b) for b in range(1, 9)],
        "lloyd_uniform": {"bits": 3, "centroids": ((np.arange(8) + 0.5) / 8).tolist(),
                          "mse": 1.0 / (12 * 64)},
        "wht": wht_cases(),
        "f16_rel_mse": f16_rel_mse(),
        "int4_rel_mse": {"group32": int4_rel_mse(32), "group128": int4_rel_mse(128)},
    }
    books = polar_codebooks()
    golden["polarquant"] = {"levels": 4, "bits1": 4, "bits": 2,
                            "codebooks": [c.tolist() for c in books],
                            "rel_mse_dim128": polar_rel_mse(books)}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "codecs1.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
