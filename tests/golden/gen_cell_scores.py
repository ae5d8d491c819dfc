#!/usr/bin/python3
"""Golden values for the per-query averaging of a cell's correlations (harness/cell_scores.c),
from scipy.stats (pearsonr, spearmanr, kendalltau's tau-b) and numpy, independent of kvqeval.

Writes cell_scores.json next to this script: exact and codec scores of 6 queries x 12 rows
(float32 values), where the codec scores of query 2 and the exact scores of query 4 are
constant, so those queries have no correlation; the expected means over the 4 defined queries
(numpy.mean), each query's values, and a case where every codec score is constant (nothing
defined: NaN).
Run: /usr/bin/python3 tests/golden/gen_cell_scores.py
"""
import json
import math
import os

import numpy as np
from scipy import stats

NQ, N = 6, 12


def scores():
    rng = np.random.default_rng(11)
    exact = rng.standard_normal((NQ, N)).astype(np.float32)
    est = (exact + 0.5 * rng.standard_normal((NQ, N))).astype(np.float32)
    est[2, :] = np.float32(0.25)   # the codec's scores of query 2 do not vary
    exact[4, :] = np.float32(-1.5)  # nor do the exact scores of query 4
    est[5, 3] = est[5, 7]           # a tie, to exercise tau-b and average ranks
    return exact, est


def correlations(exact, est):
    out = {"pearson": [], "spearman": [], "kendall_tau_b": []}
    for s, e in zip(exact.astype(np.float64), est.astype(np.float64)):
        if np.ptp(s) == 0 or np.ptp(e) == 0:
            for v in out.values():
                v.append(math.nan)
            continue
        out["pearson"].append(stats.pearsonr(e, s)[0])
        out["spearman"].append(stats.spearmanr(e, s)[0])
        out["kendall_tau_b"].append(stats.kendalltau(e, s, variant="b")[0])
    return out


def nan_text(values):
    return ["NaN" if math.isnan(v) else float(v) for v in values]


def main():
    exact, est = scores()
    per_query = correlations(exact, est)
    defined = [q for q in range(NQ) if not math.isnan(per_query["pearson"][q])]
    out = {"nq": NQ, "n": N, "exact": exact.ravel().tolist(), "est": est.ravel().tolist(),
           "n_queries_defined": len(defined),
           "per_query": {k: nan_text(v) for k, v in per_query.items()},
           "mean": {k: float(np.mean([v[q] for q in defined])) for k, v in per_query.items()},
           "constant_est": 0.25}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cell_scores.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
