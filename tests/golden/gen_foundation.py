#!/usr/bin/python3
"""Golden values for the foundation tests, computed with numpy/scipy (independent of kvqeval).

Writes foundation.json next to this script:
  half:     f32 inputs with their IEEE binary16 bits (numpy.float16) and bfloat16 bits (exact
            rational round-to-nearest-even to 8 significant bits, written here from the definition)
  theory:   relative MSE of bf16 and int8 (per-row absmax, 127 levels) on i.i.d. N(0,1) rows of
            dim 128, by numerical integration (scipy)
  corr:     Pearson (scipy.stats.pearsonr) and Spearman (scipy.stats.spearmanr) on datasets with
            and without ties
Run: /usr/bin/python3 tests/golden/gen_foundation.py   (Debian python3-numpy, python3-scipy)
"""
import json
import math
import os
from fractions import Fraction

import numpy as np
import scipy
from scipy import integrate, stats
from scipy.stats import norm


def bf16_bits(x):
    """bfloat16 of float32 x, from the definition: nearest value with 8 significant bits, ties to
    the even significand; overflow past the largest finite value to infinity."""
    f = np.float32(x)
    if np.isnan(f):
        return None
    if np.isinf(f):
        return 0x7F80 if f > 0 else 0xFF80
    sign = 0x8000 if math.copysign(1.0, float(f)) < 0 else 0
    v = Fraction(abs(float(f)))
    if v == 0:
        return sign
    e = math.floor(math.log2(v))
    while Fraction(2) ** e > v:
        e -= 1
    while Fraction(2) ** (e + 1) <= v:
        e += 1
    e = max(e, -126)  # subnormal range has the spacing of 2^-126's binade
    ulp = Fraction(2) ** (e - 7)
    q = v / ulp
    r = math.floor(q)
    if q - r > Fraction(1, 2) or (q - r == Fraction(1, 2) and r % 2 == 1):
        r += 1
    value = r * ulp
    if value >= Fraction(2) ** 128:
        return sign | 0x7F80
    bits = np.array([float(value)], dtype=np.float32).view(np.uint32)[0]
    assert bits & 0xFFFF == 0
    return sign | int(bits >> 16)


def half_cases():
    rng = np.random.default_rng(20261123)
    xs = [0.0, -0.0, 1.0, -1.0, 1 / 3, -2 / 3, 0.1, 65504.0, 65519.0, 65520.0, 1e6,
          2.0 ** -14, 2.0 ** -24, 2.0 ** -25, 1.5 * 2.0 ** -25, 3.0 * 2.0 ** -26, 6.0e-8,
          1.00048828125, 1.000732421875, 3.4e38, 1e-40, float("inf"), float("-inf")]
    xs += list(rng.standard_normal(200) * np.exp(rng.uniform(-20, 12, 200)))
    cases = []
    for x in xs:
        f = np.float32(x)
        h = int(np.array([f], dtype=np.float32).astype(np.float16).view(np.uint16)[0])
        cases.append({"f32_bits": int(np.array([f]).view(np.uint32)[0]), "f16": h,
                      "bf16": bf16_bits(f)})
    return cases


def theory():
    bf16 = 0.0
    for e in range(-80, 12):
        p = 2 * (norm.cdf(2.0 ** (e + 1)) - norm.cdf(2.0 ** e))
        bf16 += p * 4.0 ** (e - 7) / 12
    d = 128
    # M = max_j |x_j| over the row; E[M^2] = int 2 m P(M > m) dm. The step M/127 gives uniform
    # error of variance step^2/12 on the d - 1 coordinates that are not the maximum (exact).
    em2 = integrate.quad(lambda m: 2 * m * (1 - (2 * norm.cdf(m) - 1) ** d), 0, np.inf)[0]
    int8 = em2 / 127 ** 2 / 12 * (d - 1) / d
    return {"bf16_rel_mse": bf16, "int8_rel_mse": int8, "dim": d}


def corr_cases():
    rng = np.random.default_rng(7)
    data = [
        ("small", [1, 2, 3, 4, 5], [2, 1, 4, 3, 5]),
        ("ties", [1, 2, 2, 3, 3, 3, 4, 5, 5, 6], [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]),
        ("random", list(rng.standard_normal(300)), None),
    ]
    out = []
    for name, x, y in data:
        x = np.asarray(x, dtype=float)
        if y is None:
            y = 0.6 * x + 0.8 * rng.standard_normal(x.size)
        y = np.asarray(y, dtype=float)
        out.append({"name": name, "x": x.tolist(), "y": y.tolist(),
                    "pearson": float(stats.pearsonr(x, y)[0]),
                    "spearman": float(stats.spearmanr(x, y)[0])})
    return out


def main():
    golden = {"generator": "tests/golden/gen_foundation.py",
              "numpy": np.__version__, "scipy": scipy.__version__,
              "half": half_cases(), "theory": theory(), "corr": corr_cases()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "foundation.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
