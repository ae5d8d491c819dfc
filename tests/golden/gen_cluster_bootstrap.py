#!/usr/bin/python3
"""Golden values for the query-cluster bootstrap of alpha and the ICCs (include/kvq/reliability.h),
computed with numpy from the definitions, independent of kvqeval.

Data: 40 clusters of 6 subjects rated by 4 raters, x = cluster effect + subject effect + rater
bias + noise, so that subjects of one cluster are alike (the design effect the cluster bootstrap
honours). Alpha is psych's raw alpha, k/(k-1) (1 - sum var_j / var(sum)); the ICCs are Shrout and
Fleiss's six forms from the two-way ANOVA mean squares. 20000 replicates each draw 40 clusters
with replacement and keep all their subjects; the 2.5% and 97.5% percentiles (numpy's default,
linear: R's type 7) bound each statistic, and the replicates' standard deviation gives the Monte
Carlo scale the C test allows (its stream differs).

"kappa": 3-category labels of an exact rater and 3 codecs (40 clusters of 6, labels alike within a
cluster), Cohen's kappa of each codec against the exact one from statsmodels' cohens_kappa
(unweighted, and linear and quadratic weights on the category positions), each with its cluster
bootstrap interval. "loadings": first-factor loadings (sqrt(l1) v1 of numpy's eigh of the
correlation matrix, signed to sum >= 0) of x and of a second population y of 30 clusters of 5,
with cluster bootstrap intervals, and Tucker's phi between the two populations' replicates paired
in order. Writes tests/golden/cluster_bootstrap.json.

Run with Debian's /usr/bin/python3 (python3-numpy) from the repository root.
"""
import json
import os

import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa

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


def kappas(lab, cats):
    """Cohen's kappa of columns 1.. against column 0, unweighted / linear / quadratic."""
    out = []
    for i in range(1, lab.shape[1]):
        table = np.zeros((cats, cats))
        np.add.at(table, (lab[:, 0], lab[:, i]), 1)
        used = np.flatnonzero(table.sum(axis=0) + table.sum(axis=1) > 0)
        table = table[np.ix_(used, used)]
        out += [cohens_kappa(table, return_results=False),
                cohens_kappa(table, wt="linear", return_results=False),
                cohens_kappa(table, wt="quadratic", return_results=False)]
    return out


def loadings(x):
    values, vectors = np.linalg.eigh(np.corrcoef(x, rowvar=False))
    v = vectors[:, -1] * np.sqrt(values[-1])
    return v if v.sum() >= 0 else -v


def phi(a, b):
    return (a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum())


def resample(rng, members):
    return np.concatenate([members[c] for c in rng.integers(0, len(members), len(members))])


def extra(rng, x, members):
    """The kappa and loadings sections, from their own stream."""
    n = x.shape[0]
    truth = x.mean(axis=1)
    cuts = np.quantile(truth, [1 / 3, 2 / 3])
    lab = np.empty((n, 4), dtype=int)
    lab[:, 0] = np.digitize(truth, cuts)
    for i in range(1, 4):
        noisy = truth + (0.2 + 0.2 * i) * rng.standard_normal(n)
        lab[:, i] = np.digitize(noisy, cuts)
    cluster_b = np.repeat(np.arange(30), 5)
    y = (rng.standard_normal(30)[cluster_b][:, None] + 0.7 * rng.standard_normal((150, 1))
         + 0.8 * rng.standard_normal((150, RATERS)))
    members_b = [np.flatnonzero(cluster_b == c) for c in range(30)]
    ks, la, lb, ph = [], [], [], []
    for _ in range(REPS):
        ks.append(kappas(lab[resample(rng, members)], 3))
        a, b = loadings(x[resample(rng, members)]), loadings(y[resample(rng, members_b)])
        la.append(a), lb.append(b), ph.append(phi(a, b))
    ks, la, lb, ph = map(np.array, (ks, la, lb, ph))

    def interval(v):
        return {"lo": [float(t) for t in np.atleast_1d(np.percentile(v, 2.5, axis=0))],
                "hi": [float(t) for t in np.atleast_1d(np.percentile(v, 97.5, axis=0))],
                "sd": [float(t) for t in np.atleast_1d(v.std(axis=0, ddof=1))]}
    return {"kappa": dict(labels=[int(v) for v in lab.ravel()], categories=3,
                          estimate=[float(v) for v in kappas(lab, 3)], **interval(ks)),
            "loadings": dict(estimate_a=[float(v) for v in loadings(x)], a=interval(la),
                             y=[float(v) for v in y.ravel()], cluster_b=[int(c) for c in cluster_b],
                             clusters_b=30, estimate_b=[float(v) for v in loadings(y)],
                             b=interval(lb), phi=float(phi(loadings(x), loadings(y))),
                             phi_interval=interval(ph))}


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
    out.update(extra(np.random.default_rng(20261202), x, members))
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
