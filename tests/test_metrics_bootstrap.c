/* Bootstrap percentile intervals against scipy.stats.bootstrap (tests/golden/gen_metrics.py) on the
 * same data: the resampling streams differ, so endpoints must agree within Monte Carlo error (with
 * 20000 replicates the endpoint's standard error is about 0.02 of the bootstrap SD; allowed: 0.1
 * SD). Determinism for a fixed seed; degenerate cases. */
#include "kvq/bootstrap.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

Test(metrics_bootstrap, matches_scipy_within_monte_carlo_error, .init = setup)
{
    cJSON *g = kvq_test_golden("metrics_scipy.json");
    const cJSON *c = cJSON_GetObjectItem(g, "bootstrap");
    size_t n, nb;
    double *a = kvq_test_doubles(cJSON_GetObjectItem(c, "a"), &n);
    double *b = kvq_test_doubles(cJSON_GetObjectItem(c, "b"), &nb);
    cr_assert_eq(n, nb);
    double level = kvq_test_num(c, "level"), sd = kvq_test_num(c, "mean_boot_sd");
    kvq_rng rng;
    kvq_rng_seed(&rng, 2026, 7);
    kvq_interval m;
    kvq_error err;
    cr_assert_eq(kvq_bootstrap_mean(a, n, 20000, level, &rng, &m, &err), 0, "%s", err.msg);
    golden_check(m.estimate, kvq_test_num(c, "mean"), "mean");
    cr_assert_lt(fabs(m.lo - kvq_test_num(c, "mean_lo")), 0.1 * sd, "lo %g", m.lo);
    cr_assert_lt(fabs(m.hi - kvq_test_num(c, "mean_hi")), 0.1 * sd, "hi %g", m.hi);
    cr_assert_eq(m.valid, 20000);
    kvq_paired p;
    cr_assert_eq(kvq_bootstrap_paired(b, a, n, 20000, level, &rng, &p, &err), 0, "%s", err.msg);
    golden_check(p.diff.estimate, kvq_test_num(c, "diff"), "diff");
    double width = kvq_test_num(c, "diff_hi") - kvq_test_num(c, "diff_lo");
    cr_assert_lt(fabs(p.diff.lo - kvq_test_num(c, "diff_lo")), 0.03 * width, "lo %g", p.diff.lo);
    cr_assert_lt(fabs(p.diff.hi - kvq_test_num(c, "diff_hi")), 0.03 * width, "hi %g", p.diff.hi);
    cr_assert_lt(p.p, 0.01); /* the interval excludes 0 by a wide margin */
    free(a), free(b);
    cJSON_Delete(g);
}

Test(metrics_bootstrap, seeded_and_degenerate, .init = setup)
{
    const double v[5] = {1, 2, 3, 4, 10};
    kvq_rng r1, r2;
    kvq_rng_seed(&r1, 3, 3);
    kvq_rng_seed(&r2, 3, 3);
    kvq_interval a, b;
    cr_assert_eq(kvq_bootstrap_mean(v, 5, 500, 0.9, &r1, &a, NULL), 0);
    cr_assert_eq(kvq_bootstrap_mean(v, 5, 500, 0.9, &r2, &b, NULL), 0);
    cr_assert(a.lo == b.lo && a.hi == b.hi);
    cr_assert(a.lo < 4.0 && a.hi > 4.0 && a.lo >= 1.0 && a.hi <= 10.0);
    kvq_paired p;
    cr_assert_eq(kvq_bootstrap_paired(v, v, 5, 100, 0.95, &r1, &p, NULL), 0);
    cr_assert(p.diff.lo == 0.0 && p.diff.hi == 0.0 && p.p == 1.0);
    kvq_error err;
    cr_assert_eq(kvq_bootstrap_mean(v, 0, 100, 0.95, &r1, &a, &err), KVQ_EINVAL);
    cr_assert_eq(kvq_bootstrap_mean(v, 5, 100, 0.0, &r1, &a, &err), KVQ_EINVAL);
}

/* What a resampling statistic records: the subjects of each resample, back to back. */
typedef struct drawn {
    size_t *idx, count;
} drawn;

static double record(const size_t *idx, size_t n, void *ctx)
{
    drawn *d = ctx;
    for (size_t i = 0; i < n; i++) d->idx[d->count++] = idx[i];
    return 0.0;
}

/* The resamples are the stream's pcg32_boundedrand draws (kvq_rng_bounded) in order, after the
 * estimate on the subjects 0..n-1 (which draws nothing), for sizes with and without a rejection
 * threshold (2^32 mod n; 0 for powers of two). */
Test(metrics_bootstrap, resamples_are_bounded_draws_in_order, .init = setup)
{
    const size_t sizes[] = {1, 2, 7, 64, 1000, 4096, 65521};
    enum { REPS = 3 };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        drawn d = {malloc((REPS + 1) * n * sizeof *d.idx), 0};
        kvq_rng r1, r2;
        kvq_rng_seed(&r1, 11, (uint64_t)k);
        kvq_rng_seed(&r2, 11, (uint64_t)k);
        kvq_interval ci;
        cr_assert_eq(kvq_bootstrap(n, record, &d, REPS, 0.9, &r1, &ci, NULL), 0);
        cr_assert_eq(d.count, (REPS + 1) * n);
        for (size_t i = 0; i < n; i++) cr_assert_eq(d.idx[i], i);
        for (size_t i = n; i < d.count; i++)
            cr_assert_eq(d.idx[i], kvq_rng_bounded(&r2, (uint32_t)n), "n %zu draw %zu", n, i - n);
        cr_assert_eq(kvq_rng_u32(&r1), kvq_rng_u32(&r2), "n %zu: the streams part", n);
        free(d.idx);
    }
}

/* The statistics kvq_bootstrap_mean and kvq_bootstrap_ratio compute, written out here as
 * kvq_bootstrap callbacks over the drawn subjects. */
typedef struct sums {
    const double *num, *den;
} sums;

static double mean_stat(const size_t *idx, size_t n, void *ctx)
{
    const sums *s = ctx;
    double a = 0.0;
    for (size_t i = 0; i < n; i++) a += s->num[idx[i]];
    return a / (double)n;
}

static double ratio_stat(const size_t *idx, size_t n, void *ctx)
{
    const sums *s = ctx;
    double a = 0.0, c = 0.0;
    for (size_t i = 0; i < n; i++) a += s->num[idx[i]], c += s->den[idx[i]];
    return c > 0.0 ? a / c : NAN;
}

static void assert_same_interval(const kvq_interval *a, const kvq_interval *b, size_t n)
{
    cr_assert(a->estimate == b->estimate || (isnan(a->estimate) && isnan(b->estimate)), "n %zu", n);
    cr_assert(a->lo == b->lo || (isnan(a->lo) && isnan(b->lo)), "n %zu: lo %.17g %.17g", n, a->lo,
              b->lo);
    cr_assert(a->hi == b->hi || (isnan(a->hi) && isnan(b->hi)), "n %zu: hi %.17g %.17g", n, a->hi,
              b->hi);
    cr_assert_eq(a->valid, b->valid, "n %zu", n);
}

/* The mean and the ratio, which sum each value as it is drawn, give what kvq_bootstrap gives with
 * the same sums over its drawn subjects, bit for bit, and leave the stream where it leaves it; a
 * denominator summing to 0 gives no valid replicate. */
Test(metrics_bootstrap, mean_and_ratio_equal_the_general_bootstrap, .init = setup)
{
    const size_t sizes[] = {1, 3, 256, 4096, 5000};
    for (size_t k = 0; k < 2 * sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k / 2], reps = k % 2 ? 203 : 200; /* whole runs of four, and not */
        double *num = malloc(n * sizeof *num), *den = malloc(n * sizeof *den);
        double *zero = calloc(n, sizeof *zero);
        kvq_rng g;
        kvq_rng_seed(&g, 5, (uint64_t)k);
        for (size_t i = 0; i < n; i++) num[i] = kvq_rng_gaussian(&g), den[i] = kvq_rng_uniform(&g);
        const sums cases[] = {{num, den}, {num, zero}};
        for (size_t c = 0; c < 2; c++) {
            kvq_rng r1, r2;
            kvq_rng_seed(&r1, 9, (uint64_t)k);
            kvq_rng_seed(&r2, 9, (uint64_t)k);
            kvq_interval a, b;
            if (c == 0) {
                cr_assert_eq(kvq_bootstrap_mean(num, n, reps, 0.9, &r1, &a, NULL), 0);
                cr_assert_eq(
                    kvq_bootstrap(n, mean_stat, (void *)&cases[0], reps, 0.9, &r2, &b, NULL), 0);
                assert_same_interval(&a, &b, n);
            }
            cr_assert_eq(
                kvq_bootstrap_ratio(cases[c].num, cases[c].den, n, reps, 0.9, &r1, &a, NULL), 0);
            cr_assert_eq(kvq_bootstrap(n, ratio_stat, (void *)&cases[c], reps, 0.9, &r2, &b, NULL),
                         0);
            assert_same_interval(&a, &b, n);
            cr_assert_eq(a.valid, c == 0 ? reps : 0u, "n %zu", n);
            cr_assert_eq(kvq_rng_u32(&r1), kvq_rng_u32(&r2), "n %zu: the streams part", n);
        }
        free(num), free(den), free(zero);
    }
}
