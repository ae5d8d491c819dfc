#!/usr/bin/python3
"""kvqeval's pq and rvq against FAISS's ProductQuantizer and ResidualQuantizer.

Both sides fit on the same rows, encode the same rows at the same code size, and are measured in
the same run: relative MSE of the reconstruction, sum |x - x^|^2 / sum |x|^2, and encode
throughput (rows per second, the best of ROUNDS passes, in process CPU time so that other load
on the machine does not count; the two sides alternate pass by pass, so that a burst of load does
not hit one side only). One thread on each side: FAISS with faiss.omp_set_num_threads(1)
and OPENBLAS_NUM_THREADS=1 (set before numpy and faiss load), kvqeval's encoder with OpenBLAS held
to one thread. FAISS's ResidualQuantizer
is measured at its default beam (max_beam_size = 5) and greedy (beam 1); kvqeval's rvq at beam 1
and 5.

Populations: N(0, 1) rows, and low-rank rows (rank 16 plus 10% isotropic noise), dim 128.

Run: /usr/bin/python3 bench/codecs2_vs_faiss.py BUILD/bench/codecs2_encode [N]
(Debian python3-faiss 1.7.3 and python3-numpy; `meson test -C BUILD --benchmark` runs it.)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before numpy and faiss load OpenBLAS

import faiss  # noqa: E402
import numpy as np  # noqa: E402

DIM = 128
ROUNDS = 5


def populations(n):
    rng = np.random.default_rng(2024)
    gauss = rng.standard_normal((n, DIM), dtype=np.float32)
    basis = rng.standard_normal((16, DIM)).astype(np.float32) / np.sqrt(DIM)
    lowrank = (rng.standard_normal((n, 16)).astype(np.float32) * np.linspace(4, 1, 16, dtype=np.float32)) @ basis
    lowrank += 0.1 * rng.standard_normal((n, DIM), dtype=np.float32) * np.sqrt((lowrank ** 2).mean())
    return {"gaussian": gauss, "lowrank16": lowrank.astype(np.float32)}


def rel_mse(x, y):
    return float(((x.astype(np.float64) - y) ** 2).sum() / (x.astype(np.float64) ** 2).sum())


def kvq_pass(exe, spec, path, x):
    """One kvqeval fit and encode pass (codecs2_encode with one repeat)."""
    out = subprocess.run([exe, spec, path, str(len(x)), str(DIM), "1"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def compare(exe, spec, path, x, quantizer):
    """kvqeval and FAISS alternating ROUNDS encode passes; each side's best throughput."""
    quantizer.train(x)
    k, f_best = None, float("inf")
    for _ in range(ROUNDS):
        one = kvq_pass(exe, spec, path, x)
        if k is None or one["encode_rows_per_s"] > k["encode_rows_per_s"]:
            k = one
        t0 = time.process_time()
        codes = quantizer.compute_codes(x)
        f_best = min(f_best, time.process_time() - t0)
    f = {"rel_mse": rel_mse(x, quantizer.decode(codes)), "bytes_per_row": quantizer.code_size,
         "encode_rows_per_s": len(x) / f_best}
    return k, f


def residual_quantizer(levels, beam):
    rq = faiss.ResidualQuantizer(DIM, levels, 8)
    rq.max_beam_size = beam
    return rq


def cases():
    """(label, kvqeval spec, FAISS quantizer factory) at equal code sizes."""
    ladder = lambda m: "-".join(["256"] * m)
    return [
        ("pq  8 x 8 bits", "pq:m=8,nbits=8", lambda: faiss.ProductQuantizer(DIM, 8, 8)),
        ("pq 16 x 8 bits", "pq:m=16,nbits=8", lambda: faiss.ProductQuantizer(DIM, 16, 8)),
        ("rq  4 x 8 bits, beam 1", f"rvq:k={ladder(4)},beam=1", lambda: residual_quantizer(4, 1)),
        ("rq  8 x 8 bits, beam 1", f"rvq:k={ladder(8)},beam=1", lambda: residual_quantizer(8, 1)),
        ("rq  8 x 8 bits, beam 5", f"rvq:k={ladder(8)},beam=5", lambda: residual_quantizer(8, 5)),
    ]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 16384
    faiss.omp_set_num_threads(1)
    print(f"kvqeval pq/rvq vs FAISS {faiss.__version__}: {n} rows x {DIM}, fit and encode the same "
          f"rows, one thread each, best of {ROUNDS} alternating encodes")
    print(f"{'population':<10} {'case':<24} {'bytes':>5} {'MSE kvq':>9} {'MSE faiss':>9} "
          f"{'MSE ratio':>9} {'enc/s kvq':>10} {'enc/s faiss':>11} {'speed ratio':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, x in populations(n).items():
            path = os.path.join(tmp, name + ".f32")
            x.astype("<f4").tofile(path)
            for label, spec, make in cases():
                k, f = compare(exe, spec, path, x, make())
                assert k["bytes_per_row"] == f["bytes_per_row"], (spec, k, f)
                print(f"{name:<10} {label:<24} {k['bytes_per_row']:>5} {k['rel_mse']:>9.4f} "
                      f"{f['rel_mse']:>9.4f} {k['rel_mse'] / f['rel_mse']:>9.3f} "
                      f"{k['encode_rows_per_s']:>10.0f} {f['encode_rows_per_s']:>11.0f} "
                      f"{k['encode_rows_per_s'] / f['encode_rows_per_s']:>11.2f}", flush=True)
    print("MSE ratio = kvqeval / FAISS (target <= 1.10); speed ratio = kvqeval / FAISS encode "
          "rows per second (target >= 1.0)")


if __name__ == "__main__":
    main()
