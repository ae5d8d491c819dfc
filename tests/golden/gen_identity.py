#!/usr/bin/python3
"""Golden values for the identity metric (include/kvq/identity.h), computed in float64 numpy from
the definitions, pairwise distances taken coordinate by coordinate (no Gram-matrix shortcut).

Writes tests/golden/identity/:
  near_dups.npy   512 x 64 float32 rows: 16 clusters of 16 rows (a centre of norm ~80 plus
                  N(0, 1e-3^2) noise: near-duplicates that float32 scores cannot tell apart),
                  240 independent rows of the same scale, and rows 496..511 exact copies of rows
                  0..15 (which an exact codec cannot identify: their copies come first)
  decoded.npy     the rows plus N(0, 2e-3^2) noise (a lossy codec's reconstruction, which loses
                  some rows of the clusters to their neighbours)
  identity.json   for every row as a probe and for the probes 'probes': identity of the exact
                  decode and of decoded.npy, the ceiling and the near-duplicate count

Run with Debian's /usr/bin/python3 (python3-numpy) from the repository root.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "identity")
RADIUS2 = 2.0 ** -16  # near-duplicate: |x_i - x_j|^2 <= 2^-16 |x_i|^2, i.e. within 2^-8 |x_i|


def rows():
    rng = np.random.default_rng(20240611)
    centres = 10.0 * rng.standard_normal((16, 64))
    clustered = np.repeat(centres, 16, axis=0) + 1e-3 * rng.standard_normal((256, 64))
    loose = 10.0 * rng.standard_normal((240, 64))
    x = np.concatenate([clustered, loose]).astype(np.float32)
    return np.concatenate([x, x[:16]])


def distances(x, xhat):
    a = x.astype(np.float64)
    b = xhat.astype(np.float64)
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


def identity(x, xhat, probes):
    d = distances(x[probes], xhat)
    return float(np.mean(np.argmin(d, axis=1) == probes))  # argmin: the first of equal minima


def ceiling_and_near(x, probes):
    d = distances(x[probes], x)
    norm2 = (x[probes].astype(np.float64) ** 2).sum(axis=1)
    ceiling = near = 0
    for k, i in enumerate(probes):
        equal = [j for j in range(len(x)) if j != i and np.array_equal(x[j], x[i])]
        ceiling += not any(j < i for j in equal)
        others = np.delete(d[k], i)
        near += bool(np.any(others <= RADIUS2 * norm2[k]))
    return ceiling / len(probes), near


def main():
    os.makedirs(OUT, exist_ok=True)
    x = rows()
    noise = np.random.default_rng(7).standard_normal(x.shape)
    xhat = (x + 2e-3 * noise).astype(np.float32)
    np.save(os.path.join(OUT, "near_dups.npy"), x)
    np.save(os.path.join(OUT, "decoded.npy"), xhat)
    probes = np.array([0, 3, 17, 255, 256, 300, 495, 496, 500, 511])
    out = {}
    for name, p in (("all", np.arange(len(x))), ("probes", probes)):
        ceiling, near = ceiling_and_near(x, p)
        out[name] = {"identity_exact": identity(x, x, p), "identity_lossy": identity(x, xhat, p),
                     "ceiling": ceiling, "near_duplicates": near}
    out["probes"]["index"] = probes.tolist()
    with open(os.path.join(OUT, "identity.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
