#!/usr/bin/python3
"""What the synthetic part of `kvqeval --matrix all` costs, codec by codec, in CPU seconds.

Runs every codec at its ladder (or the --codec ones) on the built-in synthetic populations (the
`synthetic:` specs `kvqeval list populations` names for --matrix all) with KVQEVAL, and prints the
CPU seconds of its cells summed per codec and in total, from the run's manifest.json (each cell's
cpu_s is the CPU time of the thread that ran it: fit, encode, every query scored, reconstruction
and every per-cell metric, so it does not depend on --threads or on other work sharing the cores
as much as wall time does). Codecs are sorted by cost, the dearest first. A second table splits
the same seconds by phase (each cell's "phases" in the manifest: fit, encode, score, metrics,
chain, criterion), per codec and in total.

With --against OTHER the same selection runs with both binaries, alternating (KVQEVAL first) for
--rounds rounds; each codec's figure is its median over the rounds, and the two runs' cells.csv and
summary.csv must be equal apart from the throughput columns (encode_rows_per_s, score_rows_per_s),
else the script says which codec's cells differ and exits 1.

Usage: /usr/bin/python3 bench/matrix_cost.py build-release/kvqeval [--codec NAME]... [--threads N]
           [--against OTHER_KVQEVAL] [--rounds R] [--keep DIR]
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PHASES = ("fit", "encode", "score", "metrics", "chain", "criterion")


def synthetic_populations(kvqeval):
    """The synthetic populations --matrix all runs, from `kvqeval list populations`."""
    out = subprocess.run([kvqeval, "list", "populations"], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        if line.startswith("built in (--matrix all):"):
            specs = line.split(":", 1)[1].replace(",", " ").split()
            return [s for s in specs if s.startswith("synthetic:")]
    sys.exit(f"{kvqeval} list populations names no built-in populations")


def run(kvqeval, codecs, populations, threads, out):
    cmd = [kvqeval, "--quiet", "--out", out]
    for c in codecs:
        cmd += ["--codec", c if ":" in c else c + ":ladder"]
    for p in populations:
        cmd += ["--population", p]
    if threads:
        cmd += ["--threads", str(threads)]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t0
    # exit 3: an output (a figure) could not be written; the cells, which are measured, were
    if proc.returncode not in (0, 3) or not os.path.exists(os.path.join(out, "manifest.json")):
        sys.exit(f"kvqeval exited {proc.returncode}: {' '.join(cmd)}\n{proc.stderr.strip()}")
    with open(os.path.join(out, "manifest.json")) as f:
        cells = json.load(f)["cells"]
    cpu, phases = {}, {}
    for cell in cells:
        cpu[cell["codec"]] = cpu.get(cell["codec"], 0.0) + cell.get("cpu_s", 0.0)
        per = phases.setdefault(cell["codec"], dict.fromkeys(PHASES, 0.0))
        for phase, seconds in cell.get("phases", {}).items():
            if phase in per and seconds is not None:
                per[phase] += seconds
    return cpu, phases, wall, len(cells)


def print_table(head, rows):
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(r[0].ljust(widths[0]) if i == 0 else r[i].rjust(widths[i])
                        for i in range(len(r))))


def print_phases(name, codecs, phases):
    """Each codec's CPU seconds by phase (medians over the rounds) and the phases' totals."""
    def median(codec, phase):
        return statistics.median(p.get(codec, {}).get(phase, 0.0) for p in phases)

    print(f"CPU s by phase, {name}:")
    rows = [[codec] + [f"{median(codec, ph):.2f}" for ph in PHASES] for codec in codecs]
    rows.append(["total"] + [f"{sum(median(c, ph) for c in codecs):.2f}" for ph in PHASES])
    print_table(["codec"] + list(PHASES), rows)


def without_timing(path):
    """The rows of a CSV table without its throughput columns (summary.csv) or rows (cells.csv)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    keep = [i for i, name in enumerate(rows[0]) if not name.endswith("_per_s")]
    metric = rows[0].index("metric") if "metric" in rows[0] else None
    out = []
    for row in rows[1:]:
        if metric is not None and row[metric].endswith("_per_s"):
            continue
        out.append(tuple(row[i] for i in keep if i != 0))  # column 0 is the run's folder name
    return out


def differing_codecs(dir_a, dir_b):
    """Codecs whose cells differ between two run folders, apart from throughputs."""
    codecs = set()
    for table in ("cells.csv", "summary.csv"):
        a = set(without_timing(os.path.join(dir_a, table)))
        b = set(without_timing(os.path.join(dir_b, table)))
        codecs |= {row[0] for row in a ^ b}  # column 1 of the table, the codec
    return sorted(codecs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kvqeval")
    ap.add_argument("--codec", action="append", default=[],
                    help="a codec (at its ladder) or variant; default every codec at its ladder")
    ap.add_argument("--threads", type=int, default=0, help="kvqeval --threads (default its own)")
    ap.add_argument("--against", help="a second kvqeval binary, run alternately with the first")
    ap.add_argument("--rounds", type=int, default=1, help="runs of each binary (default 1)")
    ap.add_argument("--keep", help="keep the run folders in this folder")
    args = ap.parse_args()

    binaries = [args.kvqeval] + ([args.against] if args.against else [])
    populations = synthetic_populations(args.kvqeval)
    work = args.keep or tempfile.mkdtemp(prefix="matrix_cost.")
    os.makedirs(work, exist_ok=True)
    with open("/proc/loadavg") as f:
        print(f"load average before: {' '.join(f.read().split()[:3])}")
    print(f"populations: {' '.join(populations)}")
    cpu = [[] for _ in binaries]
    phases = [[] for _ in binaries]
    walls = [[] for _ in binaries]
    differ = set()
    for r in range(args.rounds):
        dirs = []
        for b, binary in enumerate(binaries):
            out = os.path.join(work, f"run{b}-{r}")
            shutil.rmtree(out, ignore_errors=True)
            c, ph, wall, ncells = run(binary, args.codec, populations, args.threads, out)
            cpu[b].append(c)
            phases[b].append(ph)
            walls[b].append(wall)
            dirs.append(out)
            print(f"round {r + 1}, {binary}: {ncells} cells, {sum(c.values()):.1f} CPU s, "
                  f"{wall:.1f} s wall", flush=True)
        if len(dirs) == 2:
            differ |= set(differing_codecs(dirs[0], dirs[1]))
    with open("/proc/loadavg") as f:
        print(f"load average after: {' '.join(f.read().split()[:3])}")

    def median(b, codec):
        return statistics.median(c.get(codec, 0.0) for c in cpu[b])

    codecs = sorted(cpu[0][0], key=lambda c: -median(0, c))
    names = ["A", "B"][:len(binaries)]
    for name, binary in zip(names, binaries):
        print(f"{name}: {binary}")
    head = ["codec"] + [f"CPU s {name}" for name in names]
    if args.against:
        head.append("B / A")
    rows = []
    for codec in codecs + ["total"]:
        values = [sum(median(b, c) for c in codecs) if codec == "total" else median(b, codec)
                  for b in range(len(binaries))]
        row = [codec] + [f"{v:.2f}" for v in values]
        if args.against:
            row.append(f"{values[1] / values[0]:.2f}" if values[0] > 0 else "-")
        rows.append(row)
    print_table(head, rows)
    for name, per in zip(names, phases):
        print_phases(name, codecs, per)
    if not args.keep:
        shutil.rmtree(work)
    if args.against:
        if differ:
            print(f"cells differ (apart from throughputs) for: {' '.join(sorted(differ))}")
            sys.exit(1)
        print("cells.csv and summary.csv equal apart from throughputs in every round")


if __name__ == "__main__":
    main()
