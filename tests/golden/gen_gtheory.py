#!/usr/bin/python3
"""Golden values for the G studies of include/kvq/gtheory.h, computed independently of kvqeval.

Design (p:q) x (r:c), all facets random: y[q][p][c][r], np subjects nested in each of nq queries,
nr replicates nested in each of nc codecs. Sums of squares come from statsmodels: an OLS fit with
the nested effects written as interactions (p:q as C(Q):C(P), r:c as C(Cd):C(R), pc:q as
C(Q):C(P):C(Cd), qr:c as C(Q):C(Cd):C(R)) and its sequential (type I) ANOVA table, which for a
balanced design is the orthogonal decomposition; a numpy computation from projections onto the
marginal-mean subspaces must agree with it. The variance components solve the expected-mean-square
system with numpy.linalg.solve, its matrix built from the Cornfield-Tukey rule (the coefficient of
s2(b) in EMS(a) is the product of the sample sizes of the indices not in b when b's indices include
a's, else 0). A negative estimate is reported as 0 and flagged; the others are solved with the
signed values (Brennan 2001, sec. 3.4). G and Phi for the subject (a query-row pair,
tau = s2(q) + s2(p:q)) over nc codecs and nr replicates. With nr == 1 the design is (p:q) x c and
r:c, pc:q, qr:c are null (NaN). For each codec also the s x r study (subjects = all query-row pairs).

Checks made here before anything is written: statsmodels and numpy agree; on data simulated with
known components the estimates average to the truth (ANOVA estimators are unbiased), and their
spread gives the tolerance the C test allows on its own simulation of the same design.

Datasets (half-integer values, stored in the JSON): "small" 4 x 3 x 3 x 2, "medium" 5 x 4 x 4 x 3,
"one_replicate" 4 x 3 x 3 x 1, and "negative" 4 x 3 x 3 x 2 whose only negative estimate is r:c.
Writes tests/golden/gtheory.json. Run with Debian's /usr/bin/python3 (numpy, pandas, statsmodels)
from anywhere.
"""
import json
import os

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gtheory.json")
EFFECTS = ["q", "p:q", "c", "r:c", "qc", "pc:q", "qr:c", "res"]
INDICES = {"q": "q", "p:q": "qp", "c": "c", "r:c": "cr", "qc": "qc", "pc:q": "qpc", "qr:c": "qcr",
           "res": "qpcr"}
TERMS = {"q": "C(Q)", "p:q": "C(Q):C(P)", "c": "C(Cd)", "r:c": "C(Cd):C(R)", "qc": "C(Q):C(Cd)",
         "pc:q": "C(Q):C(P):C(Cd)", "qr:c": "C(Q):C(Cd):C(R)"}
TRUTH = {"q": 0.8, "p:q": 1.5, "c": 0.6, "r:c": 0.3, "qc": 0.4, "pc:q": 0.7, "qr:c": 0.25,
         "res": 1.0}
SIM = {"nq": 20, "np": 10, "nc": 12, "nr": 4}


def effects_of(nr):
    """The estimable effects: with one replicate, r:c, pc:q and qr:c are gone (res is (p:q)c,e)."""
    if nr > 1:
        return EFFECTS
    return ["q", "p:q", "c", "qc", "res"]


def simulate(rng, sizes, sd):
    """y[q, p, c, r] = the sum of one normal draw per level of every effect (sd: effect -> SD)."""
    nq, np_, nc, nr = sizes["nq"], sizes["np"], sizes["nc"], sizes["nr"]
    shape = {"q": (nq, 1, 1, 1), "p:q": (nq, np_, 1, 1), "c": (1, 1, nc, 1), "r:c": (1, 1, nc, nr),
             "qc": (nq, 1, nc, 1), "pc:q": (nq, np_, nc, 1), "qr:c": (nq, 1, nc, nr),
             "res": (nq, np_, nc, nr)}
    y = np.zeros((nq, np_, nc, nr))
    for e in EFFECTS:
        y = y + sd[e] * rng.standard_normal(shape[e])
    return y


def ems_matrix(sizes, effects):
    """K[a, b]: coefficient of s2(b) in EMS(a), by the Cornfield-Tukey rule."""
    n = {"q": sizes["nq"], "p": sizes["np"], "c": sizes["nc"], "r": sizes["nr"]}
    idx = {e: set(INDICES[e]) for e in effects}
    if sizes["nr"] == 1:
        idx["res"] = set("qpc")
    k = np.zeros((len(effects), len(effects)))
    for i, a in enumerate(effects):
        for j, b in enumerate(effects):
            if idx[a] <= idx[b]:
                k[i, j] = np.prod([n[x] for x in "qpcr" if x not in idx[b]] or [1])
    return k


def anova_statsmodels(y):
    """{effect: (df, SS)} from a type-I ANOVA of the nested model."""
    nq, np_, nc, nr = y.shape
    q, p, c, r = np.meshgrid(range(nq), range(np_), range(nc), range(nr), indexing="ij")
    df = pd.DataFrame({"y": y.ravel(), "Q": q.ravel(), "P": p.ravel(), "Cd": c.ravel(),
                       "R": r.ravel()})
    terms = [e for e in effects_of(nr) if e != "res" and (nr > 1 or e != "pc:q")]
    table = anova_lm(smf.ols("y ~ " + " + ".join(TERMS[e] for e in terms), data=df).fit(), typ=1)
    out = {e: (float(table.loc[TERMS[e], "df"]), float(table.loc[TERMS[e], "sum_sq"]))
           for e in terms}
    out["res"] = (float(table.loc["Residual", "df"]), float(table.loc["Residual", "sum_sq"]))
    return out


def anova_numpy(y):
    """{effect: SS} from projections: the effect of a set of indices is its marginal-mean table
    with every coarser effect in its span removed (inclusion-exclusion over the nested sets)."""
    axes = {"q": 0, "p": 1, "c": 2, "r": 3}
    legal = ["", "q", "c", "qc", "qp", "cr", "qpc", "qcr", "qpcr"]

    def mean_over(keep):
        drop = tuple(a for x, a in axes.items() if x not in keep)
        return y.mean(axis=drop, keepdims=True) if drop else y

    eff = {}
    for s in legal:
        m = mean_over(set(s))
        for t in eff:
            if set(t) < set(s):
                m = m - eff[t]
        eff[s] = m
    name = {"q": "q", "c": "c", "qc": "qc", "qp": "p:q", "cr": "r:c", "qpc": "pc:q",
            "qcr": "qr:c", "qpcr": "res"}
    return {name[s]: float((np.broadcast_to(eff[s], y.shape) ** 2).sum()) for s in name}


def solve(sizes, ms):
    """Raw components {effect: s2} from {effect: MS}."""
    effects = list(ms)
    s2 = np.linalg.solve(ems_matrix(sizes, effects), np.array([ms[e] for e in effects]))
    return dict(zip(effects, s2))


def coefficients(sizes, v):
    nc, nr = sizes["nc"], sizes["nr"]
    g = lambda e: v.get(e, 0.0)  # noqa: E731 (a merged component adds nothing)
    tau = g("q") + g("p:q")
    delta = g("qc") / nc + g("pc:q") / nc + g("qr:c") / (nc * nr) + g("res") / (nc * nr)
    big = delta + g("c") / nc + g("r:c") / (nc * nr)
    return tau, delta, big, tau / (tau + delta), tau / (tau + big)


def full_study(y):
    nq, np_, nc, nr = y.shape
    sizes = {"nq": nq, "np": np_, "nc": nc, "nr": nr}
    sm = anova_statsmodels(y)
    ss_np = anova_numpy(y)
    for e, (df, ss) in sm.items():
        ref = ss_np[e] + (ss_np["pc:q"] if nr == 1 and e == "res" else 0.0)
        assert abs(ss - ref) <= 1e-9 * max(1.0, abs(ref)), (e, ss, ref)
    ms = {e: ss / df for e, (df, ss) in sm.items()}
    raw = solve(sizes, ms)
    rep = {e: max(v, 0.0) for e, v in raw.items()}
    tau, delta, big, g, phi = coefficients(sizes, rep)
    col = lambda d: [d.get(e) for e in EFFECTS]  # noqa: E731 (None: not estimable)
    return {"df": col({e: sm[e][0] for e in sm}), "ms": col(ms), "raw": col(raw),
            "sigma2": col(rep), "negative": [int(raw[e] < 0) if e in raw else 0 for e in EFFECTS],
            "tau": tau, "delta": delta, "Delta": big, "g": g, "phi": phi}


def codec_study(y, c):
    """The s x r study of codec c, from statsmodels' two-way ANOVA without interaction."""
    nq, np_, nc, nr = y.shape
    x = y[:, :, c, :].reshape(nq * np_, nr)
    s, r = np.meshgrid(range(nq * np_), range(nr), indexing="ij")
    df = pd.DataFrame({"y": x.ravel(), "S": s.ravel(), "R": r.ravel()})
    table = anova_lm(smf.ols("y ~ C(S) + C(R)", data=df).fit(), typ=1)
    rows = ["C(S)", "C(R)", "Residual"]
    dfs = [float(table.loc[t, "df"]) for t in rows]
    ms = [float(table.loc[t, "mean_sq"]) for t in rows]
    # indices: s {s}, r {r}, sr,e {s, r}; sizes ns, nr
    n = {"s": nq * np_, "r": nr}
    idx = [{"s"}, {"r"}, {"s", "r"}]
    k = np.array([[np.prod([n[i] for i in "sr" if i not in b] or [1]) if a <= b else 0.0
                   for b in idx] for a in idx])
    raw = np.linalg.solve(k, np.array(ms))
    v = np.maximum(raw, 0.0)
    return {"c": c, "df": dfs, "ms": ms, "raw": [float(t) for t in raw],
            "sigma2": [float(t) for t in v], "negative": [int(t < 0) for t in raw],
            "g": float(v[0] / (v[0] + v[2] / nr)), "phi": float(v[0] / (v[0] + (v[1] + v[2]) / nr))}


def half_integers(rng, sizes, sd):
    return np.round(2.0 * simulate(rng, sizes, sd)) / 2.0


def negative_dataset():
    """A 4 x 3 x 3 x 2 set whose only negative estimate is r:c (true r:c = 0)."""
    sizes = {"nq": 4, "np": 3, "nc": 3, "nr": 2}
    sd = {e: 1.5 for e in EFFECTS}
    sd["r:c"] = 0.0
    for seed in range(1000):
        y = half_integers(np.random.default_rng(seed), sizes, sd)
        study = full_study(y)
        if study["negative"] == [int(e == "r:c") for e in EFFECTS]:
            return y
    raise RuntimeError("no seed gives r:c alone negative")


def fast_components(y):
    """Raw components from numpy projections (the simulation's many replicates)."""
    nq, np_, nc, nr = y.shape
    sizes = {"nq": nq, "np": np_, "nc": nc, "nr": nr}
    ss = anova_numpy(y)
    k = ems_matrix(sizes, EFFECTS)
    df = {"q": nq - 1, "p:q": nq * (np_ - 1), "c": nc - 1, "r:c": nc * (nr - 1),
          "qc": (nq - 1) * (nc - 1), "pc:q": nq * (np_ - 1) * (nc - 1),
          "qr:c": (nq - 1) * nc * (nr - 1), "res": nq * (np_ - 1) * nc * (nr - 1)}
    raw = np.linalg.solve(k, np.array([ss[e] / df[e] for e in EFFECTS]))
    rep = dict(zip(EFFECTS, np.maximum(raw, 0.0)))
    return raw, coefficients(sizes, rep)[3:]


def simulation():
    """Known components: the mean over replicates must be the truth; 5 SD is the C test's band."""
    rng = np.random.default_rng(20260807)
    sd = {e: np.sqrt(v) for e, v in TRUTH.items()}
    reps = 400
    est = np.empty((reps, len(EFFECTS) + 2))
    for i in range(reps):
        raw, (g, phi) = fast_components(simulate(rng, SIM, sd))
        est[i] = list(raw) + [g, phi]
    truth = np.array([TRUTH[e] for e in EFFECTS])
    mean, se = est[:, :-2].mean(axis=0), est[:, :-2].std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(mean - truth) < 4 * se), (mean, truth, se)
    _, _, _, g, phi = coefficients(SIM, TRUTH)
    assert abs(est[:, -2].mean() - g) < 0.02 and abs(est[:, -1].mean() - phi) < 0.02
    sdv = est.std(axis=0, ddof=1)
    return dict(SIM, truth=[TRUTH[e] for e in EFFECTS], g=g, phi=phi,
                tol=[float(5 * t) for t in sdv[:-2]], g_tol=float(5 * sdv[-2]),
                phi_tol=float(5 * sdv[-1]))


def dataset(name, y):
    nq, np_, nc, nr = y.shape
    out = {"name": name, "nq": nq, "np": np_, "nc": nc, "nr": nr, "y": [float(v) for v in y.ravel()]}
    out.update(full_study(y))
    out["codecs"] = [codec_study(y, c) for c in range(nc)] if nr > 1 else []
    return out


def main():
    rng = np.random.default_rng(20260806)
    sd = {e: 1.0 for e in EFFECTS}
    sets = [dataset("small", half_integers(rng, {"nq": 4, "np": 3, "nc": 3, "nr": 2}, sd)),
            dataset("medium", half_integers(rng, {"nq": 5, "np": 4, "nc": 4, "nr": 3}, sd)),
            dataset("one_replicate", half_integers(rng, {"nq": 4, "np": 3, "nc": 3, "nr": 1}, sd)),
            dataset("negative", negative_dataset())]
    out = {"effects": EFFECTS, "codec_effects": ["s", "r", "sr"], "datasets": sets,
           "simulation": simulation()}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
