#!/usr/bin/python3
"""Golden values for the Holm and Benjamini-Hochberg adjustments (include/kvq/multiple.h), computed
with statsmodels (Debian python3-statsmodels 0.13), independent of kvqeval:
statsmodels.stats.multitest.multipletests(p, method="holm") and (p, method="fdr_bh").

Three families: 12 p-values drawn from a fixed numpy stream (some tiny, some large), one with ties
and a 1, and one of a single p. Writes tests/golden/multiple.json.

Run with Debian's /usr/bin/python3 from the repository root.
"""
import json
import os

import numpy as np
from statsmodels.stats.multitest import multipletests

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "multiple.json")


def main():
    rng = np.random.default_rng(20261201)
    families = [
        list(np.concatenate([rng.uniform(0, 0.01, 4), rng.uniform(0, 1, 8)])),
        [0.04, 0.01, 0.04, 0.2, 1.0, 0.01, 0.5, 0.0],
        [0.03],
    ]
    out = []
    for p in families:
        out.append({"p": [float(x) for x in p],
                    "holm": [float(x) for x in multipletests(p, method="holm")[1]],
                    "bh": [float(x) for x in multipletests(p, method="fdr_bh")[1]]})
    with open(OUT, "w") as f:
        json.dump({"families": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
