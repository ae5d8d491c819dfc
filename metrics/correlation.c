/* Pearson and Spearman correlation (include/kvq/metrics.h), through GSL.
 * Known answer (tests/test_metrics.c, from scipy): x = (1, 2, 3, 4, 5), y = (2, 1, 4, 3, 5)
 * gives Pearson = Spearman = 0.8. */
#include "kvq/metrics.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>

/* 1 when x holds at least two distinct values. */
static int varies(const double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0]) return 1;
    return 0;
}

double kvq_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2 || !varies(x, n) || !varies(y, n)) return NAN;
    return gsl_stats_correlation(x, 1, y, 1, n);
}

double kvq_spearman(const double *x, const double *y, size_t n, double *work)
{
    if (n < 2 || !varies(x, n) || !varies(y, n)) return NAN;
    return gsl_stats_spearman(x, 1, y, 1, n, work);
}
