/* Kendall's tau-b (include/kvq/metrics.h) in O(n log n), after Knight (1966), "A computer method
 * for calculating Kendall's tau with ungrouped data", JASA 61(314):436-439.
 *
 * With n0 = n(n-1)/2 pairs, n1 pairs tied in x, n2 tied in y, n3 tied in both and d discordant
 * pairs, concordant - discordant = n0 - n1 - n2 + n3 - 2d and
 *     tau_b = (n0 - n1 - n2 + n3 - 2d) / sqrt((n0 - n1)(n0 - n2))      (scipy.stats.kendalltau).
 * y is replaced by its dense rank (one sort), the pairs are sorted by (x, rank of y) (a second
 * sort), and d is the number of inversions of the ranks in that order, counted with a Fenwick tree
 * over the ranks: pairs tied in x are in ascending y order, so they add no inversion.
 * Known answer (tests/test_metrics_rank.c, from scipy): x = (1, 2, 3, 4, 5), y = (2, 1, 4, 3, 5)
 * gives tau_b = 0.6. */
#include "kvq/metrics.h"
#include "pairs.h"

#include <math.h>
#include <stdint.h>

/* Number of pairs within runs of equal keys in sorted pairs p. */
static uint64_t tied_pairs(const double *p, size_t n)
{
    uint64_t ties = 0;
    for (size_t i = 0; i < n;) {
        size_t end = kvq_pairs_run_end(p, n, i);
        uint64_t t = end - i;
        ties += t * (t - 1) / 2;
        i = end;
    }
    return ties;
}

/* Number of pairs tied in both key and value (p sorted lexicographically). */
static uint64_t joint_ties(const double *p, size_t n)
{
    uint64_t ties = 0;
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        while (end < n && p[2 * end] == p[2 * i] && p[2 * end + 1] == p[2 * i + 1]) end++;
        uint64_t t = end - i;
        ties += t * (t - 1) / 2;
        i = end;
    }
    return ties;
}

/* Inversions of the dense ranks (the values of p, integers in [0, n)), with a Fenwick tree of
 * counts in tree[1..n] (doubles hold counts exactly up to 2^53). */
static uint64_t inversions(const double *p, size_t n, double *tree)
{
    for (size_t i = 0; i <= n; i++) tree[i] = 0.0;
    uint64_t inv = 0;
    for (size_t i = 0; i < n; i++) {
        size_t rank = (size_t)p[2 * i + 1] + 1;
        double not_above = 0.0;
        for (size_t j = rank; j > 0; j -= j & (~j + 1)) not_above += tree[j];
        inv += i - (uint64_t)not_above;
        for (size_t j = rank; j <= n; j += j & (~j + 1)) tree[j] += 1.0;
    }
    return inv;
}

double kvq_kendall_tau_b(const double *x, const double *y, size_t n, double *work)
{
    if (n < 2 || !kvq_values_vary(x, n) || !kvq_values_vary(y, n)) return NAN;
    for (size_t i = 0; i < n; i++) work[2 * i] = y[i], work[2 * i + 1] = (double)i;
    kvq_sort_pairs(work, n);
    uint64_t n2 = tied_pairs(work, n);
    double dense = 0.0;
    for (size_t i = 0; i < n; dense += 1.0) {
        size_t end = kvq_pairs_run_end(work, n, i);
        for (; i < end; i++) work[2 * i] = x[(size_t)work[2 * i + 1]], work[2 * i + 1] = dense;
    }
    kvq_sort_pairs(work, n);
    uint64_t n1 = tied_pairs(work, n), n3 = joint_ties(work, n);
    uint64_t d = inversions(work, n, work + 2 * n);
    double n0 = 0.5 * (double)n * ((double)n - 1.0);
    double num = n0 - (double)n1 - (double)n2 + (double)n3 - 2.0 * (double)d;
    return num / sqrt((n0 - (double)n1) * (n0 - (double)n2));
}
