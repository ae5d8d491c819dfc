#!/usr/bin/python3
"""Golden values for the metric tests, computed with numpy, scipy and statsmodels (Debian
python3-numpy 1.24, python3-scipy 1.10, python3-statsmodels 0.13), independent of kvqeval.

Writes metrics_scipy.json next to this script:
  corr       Pearson (scipy.stats.pearsonr), Spearman (scipy.stats.spearmanr, average ranks) and
             Kendall tau-b (scipy.stats.kendalltau) on data with and without ties, and degenerate
             data (constant vectors, n = 2); NaN written as the string "NaN"
  topk       indices of the k highest scores, ties to the lower index: numpy.argsort(-s, stable)
  residuals  MAE, RMSE, bias, max |e|, percentiles of |e| (numpy.percentile, linear), relative MSE
             and mean row cosine, from float32 data widened to float64
  attention  softmax(q.K^T / sqrt(d)) exact vs estimated scores (scipy.special.log_softmax): mean
             KL(p || p^), argmax agreement, ||P^V - PV||_F / ||PV||_F
  kappa      Cohen's kappa with unweighted, linear and quadratic weights and their variances
             (statsmodels.stats.inter_rater.cohens_kappa, Fleiss, Cohen & Everitt 1969) for every
             pair of columns of the categorical datasets written by gen_metrics.R
  fleiss     Fleiss' kappa (statsmodels fleiss_kappa) on the ties dataset and on the worked example
             of Fleiss (1971) as given on Wikipedia (10 subjects, 14 raters, 5 categories, 0.210)
  bootstrap  scipy.stats.bootstrap percentile 95% intervals (200000 resamples) of a mean and of a
             paired mean difference; kvqeval's resampling differs, so tests allow Monte Carlo error
Run: /usr/bin/python3 tests/golden/gen_metrics.py   (after Rscript tests/golden/gen_metrics.R)
"""
import json
import math
import os

import numpy as np
import scipy
import statsmodels
from scipy import special, stats
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa, to_table

HERE = os.path.dirname(os.path.abspath(__file__))


def num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return x


def corr_cases(rng):
    ties_x = rng.integers(0, 5, 500).astype(float)
    ties_y = np.clip(ties_x + rng.integers(-2, 3, 500), 0, 6).astype(float)
    big = rng.standard_normal(3000)
    data = [
        ("small", [1, 2, 3, 4, 5], [2, 1, 4, 3, 5]),
        ("many_ties", ties_x, ties_y),
        ("ties_one_side", ties_x, rng.standard_normal(500)),
        ("random", big, 0.5 * big + rng.standard_normal(3000)),
        ("anti", [1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]),
        ("two", [1.5, -2.0], [3.0, 7.0]),
        ("constant_x", [2, 2, 2, 2], [1, 2, 3, 4]),
        ("constant_y", [1, 2, 3, 4], [5, 5, 5, 5]),
    ]
    out = []
    for name, x, y in data:
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        with np.errstate(all="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p = stats.pearsonr(x, y)[0] if x.size > 2 else np.corrcoef(x, y)[0, 1]
                s = stats.spearmanr(x, y)[0]
                k = stats.kendalltau(x, y, variant="b")[0]
        out.append({"name": name, "x": x.tolist(), "y": y.tolist(), "pearson": num(p),
                    "spearman": num(s), "kendall_tau_b": num(k)})
    return out


def topk_cases(rng):
    out = []
    scores = [
        rng.integers(0, 6, 200).astype(np.float32),  # heavy ties
        rng.standard_normal(1000).astype(np.float32),
        np.ones(10, dtype=np.float32),
    ]
    for s in scores:
        order = np.argsort(-s.astype(np.float64), kind="stable")
        for k in (1, 5, 10):
            out.append({"scores": [float(v) for v in s], "k": k, "top": order[:k].tolist()})
    return out


def residual_cases(rng):
    out = []
    x = rng.standard_normal(1001).astype(np.float32)
    xhat = (x + 0.1 * rng.standard_normal(1001) + 0.01).astype(np.float32)
    for a, b, dim in ((x, xhat, 7), ([3, 4, 0], [3, 3, 1], 3)):
        a = np.asarray(a, dtype=np.float32)
        b = np.asarray(b, dtype=np.float32)
        e = b.astype(np.float64) - a.astype(np.float64)
        rows = a.size // dim
        A = a[:rows * dim].astype(np.float64).reshape(rows, dim)
        B = b[:rows * dim].astype(np.float64).reshape(rows, dim)
        cos = np.sum(A * B, 1) / np.sqrt(np.sum(A * A, 1) * np.sum(B * B, 1))
        out.append({"x": [float(v) for v in a], "xhat": [float(v) for v in b], "dim": dim,
                    "mae": float(np.mean(np.abs(e))), "rmse": float(np.sqrt(np.mean(e * e))),
                    "bias": float(np.mean(e)), "max_abs": float(np.max(np.abs(e))),
                    "p50_abs": float(np.percentile(np.abs(e), 50)),
                    "p95_abs": float(np.percentile(np.abs(e), 95)),
                    "p99_abs": float(np.percentile(np.abs(e), 99)),
                    "rel_mse": float(np.sum(e * e) / np.sum(a.astype(np.float64) ** 2)),
                    "mean_cosine": float(np.mean(cos))})
    return out


def attention_cases(rng):
    out = []
    nq, n, d, dv = 5, 40, 16, 3
    q = rng.standard_normal((nq, d))
    K = rng.standard_normal((n, d))
    V = rng.standard_normal((n, dv)).astype(np.float32)
    exact = (q @ K.T).astype(np.float32)
    for noise in (0.0, 0.3, 3.0):
        est = (exact + noise * rng.standard_normal(exact.shape)).astype(np.float32)
        le = special.log_softmax(exact.astype(np.float64) / math.sqrt(d), axis=1)
        la = special.log_softmax(est.astype(np.float64) / math.sqrt(d), axis=1)
        p, pa = np.exp(le), np.exp(la)
        kl = np.mean(np.sum(p * (le - la), axis=1))
        top1 = np.mean(np.argmax(est, 1) == np.argmax(exact, 1))
        O, Oa = p @ V.astype(np.float64), pa @ V.astype(np.float64)
        rel = np.linalg.norm(Oa - O) / np.linalg.norm(O)
        out.append({"nq": nq, "n": n, "dim": d, "dv": dv,
                    "exact": [float(v) for v in exact.ravel()],
                    "est": [float(v) for v in est.ravel()], "v": [float(v) for v in V.ravel()],
                    "kl": float(kl), "top1": float(top1), "out_rel_err": float(rel)})
    return out


def kappa_cases():
    out = []
    for name in ("sf1979", "ties", "pair"):
        x = np.loadtxt(os.path.join(HERE, f"metrics_{name}.csv"), delimiter=",", skiprows=1)
        for a in range(x.shape[1]):
            for b in range(a + 1, x.shape[1]):
                table, _ = to_table(x[:, [a, b]])
                entry = {"dataset": name, "a": a, "b": b}
                for wt, key in ((None, "unweighted"), ("linear", "linear"),
                                ("quadratic", "quadratic")):
                    r = cohens_kappa(table, wt=wt)
                    entry[key] = num(r.kappa)
                    entry[key + "_var"] = num(r.var_kappa)
                out.append(entry)
    return out


def fleiss_cases():
    x = np.loadtxt(os.path.join(HERE, "metrics_ties.csv"), delimiter=",", skiprows=1)
    counts, _ = aggregate_raters(x.astype(int))
    wiki = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
                     [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
                     [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    kw = fleiss_kappa(wiki, method="fleiss")
    assert abs(kw - 0.210) < 5e-4, kw  # the published value
    # The same example as ratings (subjects x raters): category c repeated counts[c] times.
    wiki_ratings = [[c + 1 for c in range(5) for _ in range(row[c])] for row in wiki]
    return [{"dataset": "ties", "kappa": float(fleiss_kappa(counts, method="fleiss"))},
            {"dataset": "fleiss1971_wikipedia", "ratings": wiki_ratings, "kappa": float(kw)}]


def bootstrap_cases(rng):
    a = rng.standard_normal(200) + 0.5
    b = a + 0.2 + 0.5 * rng.standard_normal(200)
    level = 0.95
    mean_ci = stats.bootstrap((a,), np.mean, n_resamples=200000, confidence_level=level,
                              method="percentile", random_state=1).confidence_interval

    def mean_diff(u, v, axis=-1):
        return np.mean(u - v, axis=axis)

    diff_ci = stats.bootstrap((b, a), mean_diff, paired=True, vectorized=True,
                              n_resamples=200000, confidence_level=level, method="percentile",
                              random_state=2).confidence_interval
    return {"a": a.tolist(), "b": b.tolist(), "level": level, "mean": float(np.mean(a)),
            "mean_lo": float(mean_ci.low), "mean_hi": float(mean_ci.high),
            "diff": float(np.mean(b - a)), "diff_lo": float(diff_ci.low),
            "diff_hi": float(diff_ci.high),
            "mean_boot_sd": float(np.std(a) / math.sqrt(a.size))}


def main():
    rng = np.random.default_rng(20261123)
    golden = {
        "generator": "tests/golden/gen_metrics.py",
        "numpy": np.__version__, "scipy": scipy.__version__,
        "statsmodels": statsmodels.__version__,
        "corr": corr_cases(rng),
        "topk": topk_cases(rng),
        "residuals": residual_cases(rng),
        "attention": attention_cases(rng),
        "kappa": kappa_cases(),
        "fleiss": fleiss_cases(),
        "bootstrap": bootstrap_cases(rng),
    }
    with open(os.path.join(HERE, "metrics_scipy.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
