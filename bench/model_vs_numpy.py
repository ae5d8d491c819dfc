#!/usr/bin/python3
"""Prefill throughput of kvqeval's model runtime against the numpy forward pass on the same
weights, one thread each, in the same run: a random 8-layer Llama (hidden 512, 8 query heads
sharing 2 KV heads, intermediate 1376, one sequence of 512 tokens; bench/model_numpy.py make),
then ROUNDS alternations of the C benchmark (model_bench, best of 3 passes) and the numpy one
(best of 3), so that both sides see the same machine load. Prints each side's best tokens/s, the
ratio C / numpy, and the share of single-thread sgemm peak the C pass's matrix products reach.

Run: /usr/bin/python3 bench/model_vs_numpy.py build-release/bench/model_bench [ROUNDS]
(Debian python3-numpy; check `uptime` first: quote figures from an idle machine)
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def figures(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def main():
    bench = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    numpy_script = [sys.executable, os.path.join(HERE, "model_numpy.py")]
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(numpy_script + ["make", d], check=True)
        c_best, np_best, share = 0.0, 0.0, 0.0
        for _ in range(rounds):
            c = figures([bench, d, "3"])
            if c["kvqeval_prefill_tokens_per_s"] > c_best:
                c_best, share = c["kvqeval_prefill_tokens_per_s"], c["share_of_sgemm_peak"]
            n = figures(numpy_script + ["time", d, "3"])
            np_best = max(np_best, n["numpy_prefill_tokens_per_s"])
    print(f"kvqeval prefill: {c_best:.1f} tokens/s (one thread)")
    print(f"numpy prefill:   {np_best:.1f} tokens/s (one thread)")
    print(f"ratio kvqeval / numpy: {c_best / np_best:.2f}x (target >= 3x)")
    print(f"kvqeval matmuls at {100 * share:.1f}% of single-thread sgemm peak")


if __name__ == "__main__":
    main()
