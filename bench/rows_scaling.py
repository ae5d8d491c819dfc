#!/usr/bin/python3
"""How one cell's cost grows with the rows of a population: CPU time and peak memory.

Runs kvqeval on synthetic:gaussian?n=N&dim=128 with one codec (int8) and one thread for
N = 4096, 16384, 65536, 262144, 1048576 (--max-rows stops earlier), and prints for each N the
cell's CPU seconds (cells/*.json cpu_s: fit, encode, 256 queries scored against every row and
every per-cell metric), the whole run's CPU seconds and its peak resident memory (getrusage of the
child). Then the exponent b of cell CPU = a N^b fitted by least squares on log-log (target:
b <= 1.05, a cell linear in its rows up to the log factor of the rank correlations) and whether
the run at 10^6 rows peaked under 4 GiB.

Usage: /usr/bin/python3 bench/rows_scaling.py build-release/kvqeval [--min-rows N] [--max-rows N]
"""
import argparse
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile


def run(kvqeval, n, out):
    cmd = [kvqeval, "--population", f"synthetic:gaussian?n={n}&dim=128", "--codec", "int8",
           "--threads", "1", "--quiet", "--out", out]
    with open(os.path.join(out + ".err"), "w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        err.seek(0)
        message = err.read().strip()
    rc = os.waitstatus_to_exitcode(status)
    cells = glob.glob(os.path.join(out, "cells", "*.json"))
    # exit 3: an output (a figure) could not be written; the cell, which is measured, was
    if rc not in (0, 3) or not cells:
        sys.exit(f"kvqeval exited {rc}: {' '.join(cmd)}\n{message}")
    if rc == 3:
        print(f"  (kvqeval exited 3: {message.splitlines()[-1] if message else ''})")
    with open(cells[0]) as f:
        cell = json.load(f)
    return cell["cpu_s"], ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024


def slope(xs, ys):
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kvqeval")
    ap.add_argument("--min-rows", type=int, default=4096)
    ap.add_argument("--max-rows", type=int, default=1 << 20)
    a = ap.parse_args()
    sizes = [n for n in (4096, 16384, 65536, 262144, 1 << 20) if a.min_rows <= n <= a.max_rows]
    top = tempfile.mkdtemp(prefix="kvq_rows_")
    rows = []
    try:
        print(f"{'rows':>9} {'cell CPU s':>11} {'run CPU s':>10} {'peak RSS GiB':>13}")
        for n in sizes:
            cell, total, rss = run(a.kvqeval, n, os.path.join(top, str(n)))
            shutil.rmtree(os.path.join(top, str(n)), ignore_errors=True)
            rows.append((n, cell, total, rss))
            print(f"{n:>9} {cell:>11.2f} {total:>10.2f} {rss / 2**30:>13.2f}", flush=True)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    if len(rows) >= 2:
        b = slope([r[0] for r in rows], [r[1] for r in rows])
        print(f"exponent of cell CPU time in rows: {b:.3f} (target <= 1.05: "
              f"{'met' if b <= 1.05 else 'missed'})")
    big = [r for r in rows if r[0] >= 1_000_000]
    if big:
        rss = big[0][3]
        print(f"peak RSS at {big[0][0]} rows: {rss / 2**30:.2f} GiB (target < 4 GiB: "
              f"{'met' if rss < 4 * 2**30 else 'missed'})")


if __name__ == "__main__":
    main()
