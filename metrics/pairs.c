/* Sorting (key, value) pairs (metrics/pairs.h). The library qsort (glibc: a merge sort) on 16-byte
 * elements measured 2.7 s for 10^7 random pairs on the reference machine, against 8.9 s for
 * gsl_sort_index (a heap sort through an index), so ranks go through qsort. */
#include "pairs.h"

#include <math.h>
#include <stdlib.h>

static int compare_pairs(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

void kvq_sort_pairs(double *p, size_t n)
{
    qsort(p, n, 2 * sizeof *p, compare_pairs);
}

size_t kvq_pairs_run_end(const double *p, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && p[2 * j] == p[2 * i]) j++;
    return j;
}

int kvq_values_vary(const double *x, size_t n)
{
    int differs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) return 0;
        differs |= x[i] != x[0];
    }
    return differs;
}
