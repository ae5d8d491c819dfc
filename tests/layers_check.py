#!/usr/bin/python3
"""The layers of kvqeval, checked from the #include lines of its C sources.

Layers, each using only the ones below it:
  0 library   core/ backends/ metrics/ populations/ model/ include/kvq/
  1 io        io/        files, CSV and JSON, escaped messages
  2 runner    harness/   selection, run folder, scheduling, one cell, the cell store
  3 analysis  analysis/  everything computed across the cells of a run
  4 writers   report/    every output file and figure
  5 commands  cli/       argument parsing, one file per subcommand, the wiring

A unit is a source and its header (x.c with x.h). Fails (exit 1), naming each include, when a
file includes a header of a layer above its own, or when units include each other in a circle.
Usage: layers_check.py [ROOT]   (prints the files per folder and what it found)
"""
import os
import re
import sys

LAYERS = {"core": 0, "backends": 0, "metrics": 0, "populations": 0, "model": 0,
          "include": 0,
          "io": 1, "harness": 2, "analysis": 3, "report": 4, "cli": 5}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for folder in LAYERS:
        top = os.path.join(root, folder)
        for base, _, names in os.walk(top):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(base, name), root)


def resolve(root, src, target):
    """The repository path an include names, or None (a generated or system header)."""
    for cand in (os.path.join(os.path.dirname(src), target), target,
                 os.path.join("include", target)):
        path = os.path.normpath(cand)
        if os.path.exists(os.path.join(root, path)):
            return path
    return None


def unit(path):
    return os.path.splitext(path)[0]


def layer(path):
    return LAYERS[path.split(os.sep)[0]]


def circles(edges):
    """The strongly connected components of more than one unit (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    files = list(sources(root))
    edges, upward = {}, []
    for src in files:
        with open(os.path.join(root, src), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for target in INCLUDE.findall(text):
            dst = resolve(root, src, target)
            if dst is None or dst.split(os.sep)[0] not in LAYERS:
                continue
            if layer(dst) > layer(src):
                upward.append((src, dst))
            if unit(dst) != unit(src):
                edges.setdefault(unit(src), set()).add(unit(dst))
    found = circles(edges)
    per_folder = {}
    for f in files:
        per_folder[f.split(os.sep)[0]] = per_folder.get(f.split(os.sep)[0], 0) + 1
    print("files per folder: " + ", ".join("%s %d" % kv for kv in sorted(per_folder.items())))
    for src, dst in upward:
        print("UP: %s includes %s (layer %d above %d)" % (src, dst, layer(dst), layer(src)))
    for comp in found:
        print("CIRCLE: " + " -> ".join(comp))
    print("%d includes run up a layer, %d circles" % (len(upward), len(found)))
    return 1 if upward or found else 0


if __name__ == "__main__":
    sys.exit(main())
