/* Order statistics by selection (metrics/select.c) against a full sort: the quantiles and the
 * median (one at a time, and several at once) equal GSL's from-sorted-data values bit for bit on
 * random data, on data made of a few
 * repeated values (ties), on sorted and reversed input, and at n = 1 and 2; and the percentiles of
 * kvq_residuals_compute equal those of a sort of the same absolute errors. */
#include "kvq/metrics.h"
#include "kvq/rng.h"
#include "metrics/select.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double fractions[] = {0.0, 0.01, 0.25, 0.5, 0.95, 0.99, 0.999, 1.0};

/* v[n]: 0 random, 1 a few values repeated, 2 ascending, 3 descending, 4 all equal. */
static void fill(double *v, size_t n, int kind, kvq_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0:
            v[i] = kvq_rng_gaussian(rng);
            break;
        case 1:
            v[i] = (double)kvq_rng_bounded(rng, 5) * 0.5;
            break;
        case 2:
            v[i] = (double)i;
            break;
        case 3:
            v[i] = (double)(n - i);
            break;
        default:
            v[i] = 1.5;
        }
    }
}

static void expect_same_as_sort(size_t n, int kind, kvq_rng *rng)
{
    double *data = malloc(n * sizeof *data), *sorted = malloc(n * sizeof *sorted);
    double *work = malloc(n * sizeof *work);
    fill(data, n, kind, rng);
    memcpy(sorted, data, n * sizeof *data);
    gsl_sort(sorted, 1, n);
    for (size_t f = 0; f < sizeof fractions / sizeof *fractions; f++) {
        memcpy(work, data, n * sizeof *data);
        double want = gsl_stats_quantile_from_sorted_data(sorted, 1, n, fractions[f]);
        double got = kvq_quantile_select(work, n, fractions[f]);
        cr_assert(memcmp(&got, &want, sizeof got) == 0, "n %zu kind %d f %g: %.17g, sort %.17g", n,
                  kind, fractions[f], got, want);
    }
    /* all at once, ascending (each selected above the last), then in a mixed order */
    enum { NF = sizeof fractions / sizeof *fractions };
    static const double mixed[] = {0.99, 0.5, 0.999, 0.01, 1.0, 0.0};
    double got_all[NF];
    memcpy(work, data, n * sizeof *data);
    kvq_quantiles_select(work, n, fractions, NF, got_all);
    for (size_t f = 0; f < NF; f++) {
        double want = gsl_stats_quantile_from_sorted_data(sorted, 1, n, fractions[f]);
        cr_assert(memcmp(&got_all[f], &want, sizeof want) == 0, "n %zu kind %d f %g together", n,
                  kind, fractions[f]);
    }
    memcpy(work, data, n * sizeof *data);
    kvq_quantiles_select(work, n, mixed, 6, got_all);
    for (size_t f = 0; f < 6; f++) {
        double want = gsl_stats_quantile_from_sorted_data(sorted, 1, n, mixed[f]);
        cr_assert(memcmp(&got_all[f], &want, sizeof want) == 0, "n %zu kind %d f %g mixed", n, kind,
                  mixed[f]);
    }
    memcpy(work, data, n * sizeof *data);
    double want = gsl_stats_median_from_sorted_data(sorted, 1, n);
    double got = kvq_median_select(work, n);
    cr_assert(memcmp(&got, &want, sizeof got) == 0, "median n %zu kind %d: %.17g, sort %.17g", n,
              kind, got, want);
    for (size_t k = 0; k < n; k += 1 + n / 7) {
        memcpy(work, data, n * sizeof *data);
        kvq_select_pair(work, n, k);
        cr_assert_eq(work[k], sorted[k], "order statistic %zu of %zu (kind %d)", k, n, kind);
        if (k + 1 < n) cr_assert_eq(work[k + 1], sorted[k + 1], "the next one, %zu", k + 1);
        for (size_t i = 0; i < k; i++) cr_assert(work[i] <= work[k]);
        for (size_t i = k + 1; i < n; i++) cr_assert(work[i] >= work[k]);
    }
    free(data);
    free(sorted);
    free(work);
}

Test(metrics_select, quantiles_equal_the_sorted_ones)
{
    static const size_t sizes[] = {1, 2, 3, 4, 5, 10, 101, 1000, 4097, 100000};
    kvq_rng rng;
    kvq_rng_seed(&rng, 7, 1);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int kind = 0; kind < 5; kind++) expect_same_as_sort(sizes[s], kind, &rng);
}

Test(metrics_select, nan_ends)
{
    double v[] = {3.0, NAN, 1.0, NAN, 2.0, 0.5, NAN};
    kvq_select_pair(v, 7, 3); /* the order is unspecified; it must end */
    cr_assert(1);
}

Test(metrics_select, residual_percentiles_equal_a_sort)
{
    static const size_t sizes[] = {1, 2, 3, 1000, 65537};
    kvq_rng rng;
    kvq_rng_seed(&rng, 11, 1);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        float *x = malloc(n * sizeof *x), *xhat = malloc(n * sizeof *xhat);
        double *abs_err = malloc(n * sizeof *abs_err);
        for (size_t i = 0; i < n; i++) {
            x[i] = (float)kvq_rng_gaussian(&rng);
            /* a quantizer's errors: many exactly equal */
            xhat[i] = i % 3 ? roundf(x[i] * 4.0f) / 4.0f : x[i];
            abs_err[i] = fabs((double)xhat[i] - (double)x[i]);
        }
        gsl_sort(abs_err, 1, n);
        kvq_residuals r;
        kvq_error err;
        cr_assert_eq(kvq_residuals_compute(x, xhat, n, &r, &err), KVQ_OK, "%s", err.msg);
        cr_assert_eq(r.max_abs, abs_err[n - 1]);
        cr_assert_eq(r.p50_abs, gsl_stats_quantile_from_sorted_data(abs_err, 1, n, 0.50));
        cr_assert_eq(r.p95_abs, gsl_stats_quantile_from_sorted_data(abs_err, 1, n, 0.95));
        cr_assert_eq(r.p99_abs, gsl_stats_quantile_from_sorted_data(abs_err, 1, n, 0.99));
        free(x);
        free(xhat);
        free(abs_err);
    }
}
