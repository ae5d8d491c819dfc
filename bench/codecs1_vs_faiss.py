#!/usr/bin/python3
"""kvqeval's int8, int4 and f16 against FAISS's ScalarQuantizer QT_8bit, QT_4bit and QT_fp16:
encode and score throughput as ratios kvqeval / FAISS, with the relative MSE and the
code size of each side, measured in one run on the same rows.

Rows: N(0, 1), dim 128, n rows (default 65536) and 64 queries, from numpy's default_rng(2024).
Encode: rows per second over all n rows. Score: rows scored per second, one query at a time
against all n codes; FAISS through IndexScalarQuantizer(METRIC_INNER_PRODUCT).search(q, k=1),
which computes every inner product and keeps the best in a heap; kvqeval through its score slot,
which writes every estimate. Times are CPU time of the process (time.process_time() here,
CLOCK_PROCESS_CPUTIME_ID in codecs1_throughput), not wall clock, so that the load of a shared
machine does not skew the ratios; the two sides alternate over ROUNDS rounds and each figure is
its best pass. Both sides run on one thread: FAISS with faiss.omp_set_num_threads(1). Relative
MSE: sum |x - x^|^2 / sum |x|^2 of the decoded rows (FAISS: ScalarQuantizer.decode).

The sides do not spend exactly the same bits: FAISS's scalar quantizers train one range per
dimension (shared, not per row), kvqeval's int8 and int4 keep a scale per row or group, so each
line shows both code sizes. Run a release build (meson setup --buildtype=release): the ratios of
a debug build mean nothing.

Run: /usr/bin/python3 bench/codecs1_vs_faiss.py BUILD/bench/codecs1_throughput [N]
(Debian python3-faiss 1.7.3 and python3-numpy; `meson test -C BUILD --benchmark` runs it.)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import faiss
import numpy as np

DIM = 128
QUERIES = 64
REPEATS = 3
ROUNDS = 3
PAIRS = [("int8", "QT_8bit"), ("int4:group=32", "QT_4bit"), ("int4:group=128", "QT_4bit"),
         ("f16", "QT_fp16")]


def rel_mse(x, y):
    x = x.astype(np.float64)
    return float(((x - y) ** 2).sum() / (x ** 2).sum())


def best_time(fn):
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def faiss_side(qtype_name, x, queries):
    qtype = getattr(faiss.ScalarQuantizer, qtype_name)
    sq = faiss.ScalarQuantizer(DIM, qtype)
    sq.train(x)
    encode_s = best_time(lambda: sq.compute_codes(x))
    codes = sq.compute_codes(x)
    index = faiss.IndexScalarQuantizer(DIM, qtype, faiss.METRIC_INNER_PRODUCT)
    index.train(x)
    index.add(x)
    score_s = best_time(lambda: index.search(queries, 1))
    return {"bytes_per_row": sq.code_size, "encode_rows_per_s": len(x) / encode_s,
            "score_rows_per_s": len(x) * len(queries) / score_s,
            "rel_mse": rel_mse(x, sq.decode(codes))}


def kvq_side(program, x, queries):
    with tempfile.TemporaryDirectory() as tmp:
        rows_path, queries_path = os.path.join(tmp, "rows.f32"), os.path.join(tmp, "queries.f32")
        x.astype("<f4").tofile(rows_path)
        queries.astype("<f4").tofile(queries_path)
        out = subprocess.run([program, rows_path, str(len(x)), queries_path, str(len(queries)),
                              str(DIM)] + [spec for spec, _ in PAIRS],
                             check=True, capture_output=True, text=True).stdout
    return {r["spec"]: r for r in map(json.loads, out.splitlines())}


def best_of(best, run):
    """Keeps, per variant, the highest throughputs seen so far."""
    for name, r in run.items():
        if name not in best:
            best[name] = r
            continue
        for key in ("encode_rows_per_s", "score_rows_per_s"):
            best[name][key] = max(best[name][key], r[key])


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: codecs1_vs_faiss.py PATH/TO/codecs1_throughput [N]")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 65536
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(2024)
    x = rng.standard_normal((n, DIM), dtype=np.float32)
    queries = rng.standard_normal((QUERIES, DIM), dtype=np.float32)
    ours, theirs = {}, {}
    for _ in range(ROUNDS):  # alternate, so that a burst of load does not hit one side only
        best_of(ours, kvq_side(sys.argv[1], x, queries))
        best_of(theirs, {q: faiss_side(q, x, queries) for q in sorted({q for _, q in PAIRS})})
    print("N(0,1) rows: n=%d dim=%d, %d queries; one thread each (faiss %s, "
          "omp_set_num_threads(1)); CPU time, best of %d x %d passes" % (
              n, DIM, QUERIES, faiss.__version__, ROUNDS, REPEATS))
    print("%-16s %-8s %9s %9s %12s %12s %11s %11s" % (
        "kvqeval", "faiss", "B/row kvq", "B/row fs", "encode x", "score x", "rel_mse kvq",
        "rel_mse fs"))
    for spec, qtype in PAIRS:
        a, b = ours[spec], theirs[qtype]
        print("%-16s %-8s %9d %9d %11.2fx %11.2fx %11.3g %11.3g" % (
            spec, qtype, a["bytes_per_row"], b["bytes_per_row"],
            a["encode_rows_per_s"] / b["encode_rows_per_s"],
            a["score_rows_per_s"] / b["score_rows_per_s"], a["rel_mse"], b["rel_mse"]))
    print("absolute (rows/s): " + "; ".join(
        "%s encode %.3g score %.3g" % (k, v["encode_rows_per_s"], v["score_rows_per_s"])
        for k, v in list(ours.items()) + list(theirs.items())))


if __name__ == "__main__":
    main()
