/* The pair sort under ranks (metrics/pairs.c) against the C library's qsort with an independent
 * lexicographic comparison, on inputs large enough for its radix path: many ties, -0 beside +0,
 * values in ascending order (the callers' case) and not, and sizes on both sides of the switch. */
#include "metrics/pairs.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int lexicographic(const void *a, const void *b)
{
    const double *x = a, *y = b;
    for (int c = 0; c < 2; c++)
        if (x[c] < y[c] || x[c] > y[c]) return x[c] < y[c] ? -1 : 1;
    return 0;
}

/* n pairs: keys from gaussian rows, every third one rounded to a tenth (ties), with -0 and +0 and
 * large magnitudes among them; values ascending (the index) or drawn from 50 levels. */
static double *pairs(size_t n, int ascending_values, uint64_t seed)
{
    float *g = kvq_test_gaussian_rows(2, n, seed);
    double *p = malloc(2 * n * sizeof *p);
    cr_assert_not_null(p);
    for (size_t i = 0; i < n; i++) {
        double k = g[i];
        if (i % 3 == 0) k = round(k * 10.0) / 10.0;
        if (i % 97 == 0) k = i % 2 ? -0.0 : 0.0;
        if (i % 101 == 0) k *= 1e300;
        p[2 * i] = k;
        p[2 * i + 1] = ascending_values ? (double)i : round(g[n + i] * 10.0);
    }
    free(g);
    return p;
}

static void check_against_qsort(size_t n, int ascending_values)
{
    double *got = pairs(n, ascending_values, 40 + n), *want = malloc(2 * n * sizeof *want);
    memcpy(want, got, 2 * n * sizeof *want);
    kvq_sort_pairs(got, n);
    qsort(want, n, 2 * sizeof *want, lexicographic);
    for (size_t i = 0; i < 2 * n; i++)
        cr_assert(got[i] == want[i], "n=%zu ascending=%d: element %zu is %g, qsort says %g", n,
                  ascending_values, i, got[i], want[i]);
    free(got);
    free(want);
}

Test(metrics_pairs, equals_qsort_with_ties_and_signed_zeros)
{
    const size_t sizes[] = {2, 100, 4095, 4096, 200000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        check_against_qsort(sizes[s], 1);
        check_against_qsort(sizes[s], 0);
    }
}

Test(metrics_pairs, signed_zeros_tie_and_values_break_it)
{
    const size_t n = 8192;
    double *p = malloc(2 * n * sizeof *p);
    for (size_t i = 0; i < n; i++) p[2 * i] = i % 2 ? -0.0 : 0.0, p[2 * i + 1] = (double)(n - i);
    kvq_sort_pairs(p, n);
    for (size_t i = 0; i < n; i++) cr_assert_eq(p[2 * i + 1], (double)(i + 1));
    free(p);
}
