/* Pearson and Spearman correlation (include/kvq/metrics.h).
 *
 * Spearman's rho is the Pearson correlation of the ranks, ties given their average rank (as
 * scipy.stats.spearmanr). It needs only the 2n doubles of work the caller gives: x is sorted as
 * (x_i, i) pairs; each pair is then overwritten with (y_i, rank of x_i) and sorted again by y, so
 * the ranks of y come out in the same pass that accumulates the correlation. Average ranks always
 * sum to n(n+1)/2, so both rank means are (n+1)/2 exactly.
 * Known answer (tests/test_metrics_basic.c, from scipy): x = (1, 2, 3, 4, 5), y = (2, 1, 4, 3, 5)
 * gives Pearson = Spearman = 0.8. */
#include "kvq/metrics.h"
#include "pairs.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>

double kvq_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2 || !kvq_values_vary(x, n) || !kvq_values_vary(y, n)) return NAN;
    return gsl_stats_correlation(x, 1, y, 1, n);
}

/* The 1-based average rank of the run of sorted positions [i, end). */
static double average_rank(size_t i, size_t end)
{
    return 0.5 * ((double)i + 1.0 + (double)end);
}

double kvq_spearman(const double *x, const double *y, size_t n, double *work)
{
    if (n < 2 || !kvq_values_vary(x, n) || !kvq_values_vary(y, n)) return NAN;
    for (size_t i = 0; i < n; i++) work[2 * i] = x[i], work[2 * i + 1] = (double)i;
    kvq_sort_pairs(work, n);
    for (size_t i = 0; i < n;) {
        size_t end = kvq_pairs_run_end(work, n, i);
        double rank = average_rank(i, end);
        for (; i < end; i++) {
            size_t row = (size_t)work[2 * i + 1];
            work[2 * i] = y[row], work[2 * i + 1] = rank;
        }
    }
    kvq_sort_pairs(work, n);
    double mean = 0.5 * ((double)n + 1.0), sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (size_t i = 0; i < n;) {
        size_t end = kvq_pairs_run_end(work, n, i);
        double dy = average_rank(i, end) - mean;
        for (; i < end; i++) {
            double dx = work[2 * i + 1] - mean;
            sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
        }
    }
    return sxy / sqrt(sxx * syy);
}
