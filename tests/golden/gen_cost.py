#!/usr/bin/python3
"""Writes cost.json: what the cost metrics of a few cells must be, from the codecs' documented code
layouts and numpy, for tests/cost_test.sh.

For each (variant, rows n, dimension dim): bytes_per_row and shared_bytes as each codec's opening
comment states its layout, then
    bits_per_coord_total = 8 (bytes_per_row n + shared_bytes) / (n dim)
and degenerate = 1 when shared_bytes >= n dim 2 (the rows' own size in bf16).

- int8: an f32 scale and dim i8 per row (4 + dim bytes); nothing shared.
- pq (m=16, nbits=8): 16 indices of 8 bits (16 bytes); 2^8 centroids per subspace, the codebooks
  together 256 * dim f32. On 256 rows every row can be its own centroid: degenerate.
- passthrough: dim f32 per row; nothing shared.

Run with Debian's /usr/bin/python3 (python3-numpy)."""
import json
import os

import numpy as np

LAYOUTS = {
    "int8": lambda dim: (4 + dim, 0),
    "pq": lambda dim: (16 * 8 // 8, 2**8 * dim * 4),
    "passthrough": lambda dim: (4 * dim, 0),
}
POPULATIONS = [(256, 32), (1000, 24)]

cells = []
for n, dim in POPULATIONS:
    for variant, layout in LAYOUTS.items():
        per_row, shared = layout(dim)
        stored = np.float64(per_row) * n + shared
        cells.append({
            "variant": variant,
            "population": f"synthetic:gaussian?n={n}&dim={dim}&queries=16",
            "bytes_per_row": per_row,
            "shared_bytes": shared,
            "bits_per_coord_total": float(8.0 * stored / (np.float64(n) * dim)),
            "degenerate": int(shared >= n * dim * 2),
        })

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cost.json")
with open(out, "w") as f:
    json.dump({"generator": "tests/golden/gen_cost.py", "numpy": np.__version__, "cells": cells}, f,
              indent=1)
    f.write("\n")
