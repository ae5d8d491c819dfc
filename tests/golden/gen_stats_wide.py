#!/usr/bin/python3
"""Golden values for Cronbach's alpha on a wide data set: 5 subjects x 10,000 items.

Writes, next to this script:
  stats_wide.csv        the data: header i1..i10000, five rows of integers
  stats_wide_alpha.txt  "analysis item statistic value" lines, as `kvqeval stats alpha --format
                        csv` names them: raw and standardised alpha and the average correlation of
                        all items, and alpha if deleted (raw, standardised, average r) and the
                        corrected item-total r of a few items

Every number comes from its definition, in plain Python with exactly rounded sums (math.fsum),
sharing nothing with kvqeval:
  raw alpha      k/(k-1) (1 - sum of the item variances / variance of the total score)
  std alpha      k/(k-1) (1 - k / sum R), sum R = k + 2 * the sum of the k(k-1)/2 correlations,
                 each computed pair by pair (about 5 * 10^7 pairs: a few minutes)
  average r      (sum R - k) / (k(k-1))
  if deleted     the same on the other k - 1 items: raw alpha from the variance of their own total
                 score, sum R less twice item i's correlations with the others and its 1
  r_drop         Pearson r of item i with the total score of the others
Items: i1 has a thousand times the scale of the others (deleting it moves raw alpha far), i2 is
reversed (loads negatively), i3 is pure noise; the rest load 0, 1 or 2 on one common factor.
Run: /usr/bin/python3 tests/golden/gen_stats_wide.py   (no packages beyond the standard library)
"""
import math
import os
import random

N, K = 5, 10000
CHECKED = [1, 2, 3, 4, 5000, 9999, 10000]  # 1-based items whose deletion is written


def column(rng, j, factor):
    """Item j (1-based): integer scores of the N subjects, never all equal."""
    while True:
        if j == 1:
            x = [1000 * f + 100 * rng.randint(-9, 9) for f in factor]
        elif j == 2:
            x = [-3 * f + rng.randint(-9, 9) for f in factor]
        elif j == 3:
            x = [rng.randint(-9, 9) for _ in factor]
        else:
            load = rng.choice([0, 1, 1, 2])
            x = [load * f + rng.randint(-9, 9) for f in factor]
        if len(set(x)) > 1:
            return x


def mean(v):
    return math.fsum(v) / len(v)


def var(v):
    m = mean(v)
    return math.fsum((a - m) ** 2 for a in v) / (len(v) - 1)


def pearson(a, b):
    ma, mb = mean(a), mean(b)
    sab = math.fsum((x - ma) * (y - mb) for x, y in zip(a, b))
    saa = math.fsum((x - ma) ** 2 for x in a)
    sbb = math.fsum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(saa * sbb)


def raw_alpha(cols):
    k = len(cols)
    total = [math.fsum(c[s] for c in cols) for s in range(N)]
    return k / (k - 1) * (1 - math.fsum(var(c) for c in cols) / var(total))


def unit(c):
    """The centred column scaled to length 1: a dot product of two is their correlation."""
    m = mean(c)
    d = [a - m for a in c]
    norm = math.sqrt(math.fsum(a * a for a in d))
    return tuple(a / norm for a in d)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(20251201)
    factor = [-2, -1, 0, 1, 2]
    cols = [column(rng, j, factor) for j in range(1, K + 1)]
    with open(os.path.join(here, "stats_wide.csv"), "w") as f:
        f.write(",".join(f"i{j}" for j in range(1, K + 1)) + "\n")
        for s in range(N):
            f.write(",".join(str(c[s]) for c in cols) + "\n")

    u = [unit(c) for c in cols]
    # row[i]: sum over j != i of r_ij, pair by pair.
    row = [0.0] * K
    pair_sums = []
    for a in range(K):
        ua0, ua1, ua2, ua3, ua4 = u[a]
        rs = [ua0 * ub[0] + ua1 * ub[1] + ua2 * ub[2] + ua3 * ub[3] + ua4 * ub[4]
              for ub in u[a + 1:]]
        pair_sums.append(math.fsum(rs))
        row[a] += pair_sums[-1]
        for off, r in enumerate(rs):
            row[a + 1 + off] += r
    sum_r = K + 2 * math.fsum(pair_sums)

    lines = []

    def put(analysis, item, statistic, value):
        lines.append(f"{analysis} {item or '-'} {statistic} {value!r}")

    put("alpha", "", "raw_alpha", raw_alpha(cols))
    put("alpha", "", "std_alpha", K / (K - 1) * (1 - K / sum_r))
    put("alpha", "", "average_r", (sum_r - K) / (K * (K - 1)))
    k = K - 1
    for j in CHECKED:
        i = j - 1
        rest = cols[:i] + cols[i + 1:]
        rest_r = sum_r - 2 * row[i] - 1
        name = f"i{j}"
        put("alpha_if_deleted", name, "raw_alpha", raw_alpha(rest))
        put("alpha_if_deleted", name, "std_alpha", k / (k - 1) * (1 - k / rest_r))
        put("alpha_if_deleted", name, "average_r", (rest_r - k) / (k * (k - 1)))
        others = [math.fsum(c[s] for c in rest) for s in range(N)]
        put("alpha_if_deleted", name, "r_drop", pearson(cols[i], others))
    with open(os.path.join(here, "stats_wide_alpha.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
