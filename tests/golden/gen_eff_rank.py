#!/usr/bin/python3
"""Writes eff_rank.json: the effective rank (Roy & Vetterli 2007) of integer matrices of known
rank, from numpy's SVD, for tests/test_population_stats.c.

X = G B with G[i, k] = (7 i + 13 k) % 17 - 8 and B[k, j] = (5 k + 3 j + k j) % 11 - 5, small
integers, so X is exact in float32 and the C test builds the same matrix; its rank is r (checked
here). Shapes cover the three ways kvq_row_stats_compute reaches the eigenvalues: fewer rows than
columns (n x n Gram), columns <= 512 with many rows (dim x dim Gram over blocks of rows), and both
above 512 (a sample of 512 rows: the golden is then the full matrix's value, which the sample's
must approach).

Run with Debian's /usr/bin/python3 (python3-numpy)."""
import json
import os

import numpy as np


def matrix(n, dim, r):
    i, k, j = np.arange(n)[:, None], np.arange(r), np.arange(dim)
    g = (7 * i + 13 * k[None, :]) % 17 - 8
    b = (5 * k[:, None] + 3 * j[None, :] + k[:, None] * j[None, :]) % 11 - 5
    return (g @ b).astype(np.float64)


def eff_rank(x):
    s = np.linalg.svd(x, compute_uv=False)
    p = s / s.sum()
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))


def main():
    cases = []
    for n, dim, r in ((40, 600, 5), (20000, 24, 7), (1500, 700, 6)):
        x = matrix(n, dim, r)
        assert np.abs(x).max() < 2**24 and np.linalg.matrix_rank(x) == r
        cases.append({"n": n, "dim": dim, "rank": r, "eff_rank": eff_rank(x)})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eff_rank.json")
    with open(out, "w") as f:
        json.dump({"cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
