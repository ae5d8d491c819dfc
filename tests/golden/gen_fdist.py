#!/usr/bin/python3
"""Golden F quantiles (scipy.stats.f.isf) for tests/test_fdist.c, over degrees of freedom where
GSL's own inverse fails (e.g. 2047, 8188) and where it works. Writes fdist.json beside this script.
Run: /usr/bin/python3 tests/golden/gen_fdist.py"""
import json
import os

import scipy
from scipy.stats import f

dfs = [(1, 1), (2, 10), (5, 100000), (100, 400), (2047, 2048), (2047, 4096), (2047, 8188),
       (8188, 2047), (2047, 59392), (59392, 2047), (4095, 12285), (30, 3)]
cases = []
for d1, d2 in dfs:
    for tail in (0.025, 0.975, 0.5, 1e-6):
        cases.append({"tail": tail, "df1": d1, "df2": d2, "x": float(f.isf(tail, d1, d2))})
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fdist.json")
with open(path, "w") as out:
    json.dump({"generator": "tests/golden/gen_fdist.py", "scipy": scipy.__version__,
               "cases": cases}, out, indent=1)
    out.write("\n")
