#!/usr/bin/python3
"""Golden values for the query-cluster bootstrap of alpha and the ICCs (include/kvq/reliability.h),
computed with numpy from the definitions, independent of kvqeval.

Data: 40 clusters of 6 subjects rated by 4 raters, x = cluster effect + subject effect + rater
bias + noise, so that subjects of one cluster are alike (the design effect the cluster bootstrap
honours). Alpha is psych's raw alpha, k/(k-1) (1 - sum var_j / var(sum)); the ICCs are Shrout and
Fleiss's six forms from the two-way ANOVA mean squares. 20000 replicates each draw 40 clusters
with replacement and keep all their subjects; the 2.5% and 97.5% percentiles (numpy's default,
linear: R's type 7) bound each statistic, and the replicates' standard deviation gives the Monte
Carlo scale the C test allows (its stream differs). Writes tests/golden/cluster_bootstrap.json.

Run with Debian's /usr/bin/python3 (python3-numpy) from the repository root.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cluster_bootstrap.json")
CLUSTERS, SIZE, RATERS, REPS = 40, 6, 4, 20000


def alpha(x):
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def iccs(x):
    n, k = x.shape
    g = x.mean()
    r, c = x.mean(axis=1), x.mean(axis=0)
    msb = k * ((r - g) ** 2).sum() / (n - 1)
    msj = n * ((c - g) ** 2).sum() / (k - 1)
    sse = ((x - r[:, None] - c[None, :] + g) ** 2).sum()
    mse = sse / ((n - 1) * (k - 1))
    msw = (msj * (k - 1) + sse) / (n * (k - 1))
    return [(msb - msw) / (msb + (k - 1) * msw),
            (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n),
            (msb - mse) / (msb + (k - 1) * mse),
            (msb - msw) / msb,
            (msb - mse) / (msb + (msj - mse) / n),
            (msb - mse) / msb]


def main():
    rng = np.random.default_rng(20261201)
    cluster = np.repeat(np.arange(CLUSTERS), SIZE)
    x = (rng.standard_normal(CLUSTERS)[cluster][:, None] + 0.5 * rng.standard_normal((CLUSTERS * SIZE, 1))
         + 0.3 * rng.standard_normal(RATERS)[None, :] + 0.6 * rng.standard_normal((CLUSTERS * SIZE, RATERS)))
    members = [np.flatnonzero(cluster == c) for c in range(CLUSTERS)]
    stats = np.empty((REPS, 7))
    for r in range(REPS):
        pick = rng.integers(0, CLUSTERS, CLUSTERS)
        xb = x[np.concatenate([members[c] for c in pick])]
        stats[r] = iccs(xb) + [alpha(xb)]
    out = {"clusters": CLUSTERS, "raters": RATERS, "reps": REPS,
           "cluster": [int(c) for c in cluster], "x": [float(v) for v in x.ravel()],
           "names": ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k", "raw_alpha"],
           "lo": [float(v) for v in np.percentile(stats, 2.5, axis=0)],
           "hi": [float(v) for v in np.percentile(stats, 97.5, axis=0)],
           "sd": [float(v) for v in stats.std(axis=0, ddof=1)]}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
