#!/usr/bin/python3
"""Golden values for the codecs-I tests (issue 5), computed with numpy/scipy, independently of
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
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "codecs1.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
