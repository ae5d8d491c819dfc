#!/usr/bin/python3
"""The metric engine against scipy/numpy on the same data, at the sizes below:
Spearman (and Kendall tau-b) on 10^7 pairs, ICC on 10^6 subjects x 10 raters, recall@10 for 4096 queries x 65,536 rows
(dim 128; the estimate is an int8 per-row absmax rounding of the rows). Writes the data once as raw
arrays in a temporary folder, times kvqeval (bench/metrics_bench.c) and the reference on them, checks
that both give the same answer, and prints wall-clock and CPU times and the ratios reference /
kvqeval (> 1: kvqeval is faster). Asserts nothing about time.
Run: /usr/bin/python3 bench/metrics_bench.py build/bench/metrics_bench [--scale 0.1]
(Debian python3-numpy, python3-scipy; --scale shrinks every size for a quick look.)
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
from scipy import stats


def run_c(exe, *args):
    out = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, check=True)
    name, value, wall, cpu = out.stdout.split()
    return float(value), float(wall), float(cpu)


def icc2_numpy(x):
    """ICC(2,1) of Shrout & Fleiss from the two-way ANOVA mean squares, with every form's F test and
    interval as psych::ICC computes them (the same work kvqeval does)."""
    n, k = x.shape
    rows, cols = x.mean(1), x.mean(0)
    g = cols.mean()
    ssb = k * np.sum((rows - g) ** 2)
    ssj = n * np.sum((cols - g) ** 2)
    sse = np.sum((x - rows[:, None] - cols[None, :] + g) ** 2)
    msb, msj = ssb / (n - 1), ssj / (k - 1)
    mse = sse / ((n - 1) * (k - 1))
    msw = (ssj + sse) / (n * (k - 1))
    f1, f3 = msb / msw, msb / mse
    stats.f.sf([f1, f3], [n - 1, n - 1], [n * (k - 1), (n - 1) * (k - 1)])
    stats.f.ppf(0.975, [n - 1, n * (k - 1), n - 1, (n - 1) * (k - 1)],
                [n * (k - 1), n - 1, (n - 1) * (k - 1), n - 1])
    return (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)


def recall_numpy(q, x, xhat, k, block=256):
    """Mean recall@k: top k by argpartition of blocked score matrices (never a full sort)."""
    hits = 0
    for i in range(0, q.shape[0], block):
        qb = q[i:i + block]
        exact = np.argpartition(-(qb @ x.T), k, axis=1)[:, :k]
        est = np.argpartition(-(qb @ xhat.T), k, axis=1)[:, :k]
        hits += np.sum((est[:, :, None] == exact[:, None, :]).any(axis=2))
    return hits / (q.shape[0] * k)


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn(*args)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def report(name, size, c, ref, ref_name, same):
    """Wall-clock and CPU seconds (all threads) of both sides, and the ratios reference / kvqeval.
    On a shared machine the CPU ratio is the steadier figure."""
    print(f"{name} ({size}) vs {ref_name}: same answer {same} ({c[0]:.10g} vs {ref[0]:.10g})\n"
          f"    wall  kvqeval {c[1]:8.3f} s   reference {ref[1]:8.3f} s   ratio {ref[1] / c[1]:6.2f}x\n"
          f"    CPU   kvqeval {c[2]:8.3f} s   reference {ref[2]:8.3f} s   ratio {ref[2] / c[2]:6.2f}x")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    rng = np.random.default_rng(2026)
    n_sp, n_icc, nq, n_rows = (int(v * a.scale) for v in (10**7, 10**6, 4096, 65536))
    k_icc, dim, k = 10, 128, 10
    with tempfile.TemporaryDirectory() as tmp:
        path = lambda name: os.path.join(tmp, name)

        x = rng.standard_normal(n_sp)
        y = np.round(0.5 * x + rng.standard_normal(n_sp), 2)  # rounded: many ties
        x.tofile(path("x")), y.tofile(path("y"))
        c = run_c(a.exe, "spearman", path("x"), path("y"), n_sp)
        ref = timed(lambda: stats.spearmanr(x, y)[0])
        report("spearman", f"{n_sp} pairs", c, ref, "scipy.stats.spearmanr",
               abs(c[0] - ref[0]) < 1e-9)
        c = run_c(a.exe, "kendall", path("x"), path("y"), n_sp)
        ref = timed(lambda: stats.kendalltau(x, y)[0])
        report("kendall_tau_b", f"{n_sp} pairs", c, ref, "scipy.stats.kendalltau",
               abs(c[0] - ref[0]) < 1e-9)
        del x, y

        truth = rng.standard_normal((n_icc, 1))
        r = truth + 0.5 * rng.standard_normal((n_icc, k_icc)) + rng.standard_normal(k_icc)
        r.tofile(path("r"))
        c = run_c(a.exe, "icc", path("r"), n_icc, k_icc)
        ref = timed(icc2_numpy, r)
        report("icc", f"{n_icc} x {k_icc}", c, ref, "numpy+scipy.stats.f", abs(c[0] - ref[0]) < 1e-9)
        del r

        q = rng.standard_normal((nq, dim)).astype(np.float32)
        xs = rng.standard_normal((n_rows, dim)).astype(np.float32)
        scale = np.abs(xs).max(axis=1, keepdims=True) / 127
        xhat = (np.round(xs / scale) * scale).astype(np.float32)
        q.tofile(path("q")), xs.tofile(path("xs")), xhat.tofile(path("xhat"))
        c = run_c(a.exe, "recall", path("q"), path("xs"), path("xhat"), nq, n_rows, dim, k)
        ref = timed(recall_numpy, q, xs, xhat, k)
        report(f"recall@{k}", f"{nq} queries x {n_rows} rows", c, ref, "numpy argpartition",
               abs(c[0] - ref[0]) < 1e-3)


if __name__ == "__main__":
    main()
