/* Bootstrap percentile intervals (include/kvq/bootstrap.h).
 * Known answer (tests/test_metrics_bootstrap.c): the mean of 200 values lands within Monte Carlo
 * error of scipy.stats.bootstrap's percentile interval for the same data. */
#include "kvq/bootstrap.h"
#include "covariance.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Sorts the finite replicates to the front and fills lo, hi and valid. */
static void percentiles(double *reps, size_t count, kvq_interval *out)
{
    out->valid = kvq_percentile_bounds(reps, count, out->level, &out->lo, &out->hi);
}

/* Draws from [0, n) exactly as kvq_rng_bounded(rng, n) does (the same outputs rejected, the same
 * remainders), with its threshold computed once and the remainder r % n by a multiplication
 * (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019: for 32-bit r and n,
 * r % n is the high half of n times the low 64 bits of r * ceil(2^64 / n), exactly), since a
 * resample draws n of them and the two divisions per draw were most of its cost. */
typedef struct bounded {
    uint64_t inverse; /* ceil(2^64 / n), 0 for n = 1 (wrapped), which gives remainder 0 */
    uint32_t n, threshold;
} bounded;

static bounded bounded_of(uint32_t n)
{
    return (bounded){UINT64_MAX / n + 1u, n, (uint32_t)(-n) % n};
}

static uint32_t bounded_draw(kvq_rng *rng, const bounded *b)
{
    uint32_t r;
    do r = kvq_rng_next(rng);
    while (r < b->threshold);
    uint64_t low = b->inverse * r; /* mod 2^64 */
    uint64_t high = (low >> 32) * b->n + (((low & 0xffffffffu) * b->n) >> 32);
    return (uint32_t)(high >> 32);
}

/* Draws reps resamples and returns their statistics in a new array (*stats). The generator runs
 * on a local copy (its state kept in registers), written back at the end. */
static int replicate(size_t n, kvq_statistic_fn stat, void *ctx, size_t reps, kvq_rng *rng,
                     double **stats, kvq_error *err)
{
    size_t *idx = malloc(n * sizeof *idx);
    double *s = malloc(reps * sizeof *s);
    if (!idx || !s) {
        free(idx), free(s);
        return kvq_fail(err, KVQ_ENOMEM, "bootstrap: no memory for %zu replicates", reps);
    }
    bounded b = bounded_of((uint32_t)n);
    kvq_rng g = *rng;
    for (size_t r = 0; r < reps; r++) {
        for (size_t i = 0; i < n; i++) idx[i] = bounded_draw(&g, &b);
        s[r] = stat(idx, n, ctx);
    }
    *rng = g;
    free(idx);
    *stats = s;
    return KVQ_OK;
}

/* Resamples whose sums replicate_sums runs side by side. */
#define SUM_LANES 4

/* The statistic of one resample from its sums (den NULL: the mean of n values). */
static double sum_statistic(double a, double c, const double *den, size_t n)
{
    return den ? (c > 0.0 ? a / c : NAN) : a / (double)n;
}

/* The statistics of kvq_bootstrap_mean (den NULL: mean_of) and kvq_bootstrap_ratio (ratio_of), each
 * resample's values summed as they are drawn: the same draws and the same sums, in the same order,
 * as replicate with those functions, without the index array, so that the generator's chain of
 * multiplications and the sums' chain of additions overlap. When no draw can be rejected (n a power
 * of two, whose remainder is a mask), every resample takes exactly n outputs, so SUM_LANES runs of
 * consecutive resamples each start from the generator advanced to their first output
 * (kvq_rng_advance) and advance side by side, their chains independent; the generator ends where
 * one run of all of them would. */
static int replicate_sums(const double *num, const double *den, size_t n, size_t reps, kvq_rng *rng,
                          double **stats, kvq_error *err)
{
    double *s = malloc(reps * sizeof *s);
    if (!s) return kvq_fail(err, KVQ_ENOMEM, "bootstrap: no memory for %zu replicates", reps);
    bounded b = bounded_of((uint32_t)n);
    size_t r = 0, per = b.threshold == 0 ? reps / SUM_LANES : 0;
    if (per) {
        kvq_rng g[SUM_LANES];
        for (size_t l = 0; l < SUM_LANES; l++) {
            g[l] = *rng;
            kvq_rng_advance(&g[l], (uint64_t)(l * per) * n);
        }
        for (size_t k = 0; k < per; k++) {
            double a[SUM_LANES] = {0}, c[SUM_LANES] = {0};
            for (size_t i = 0; i < n; i++)
                for (size_t l = 0; l < SUM_LANES; l++) {
                    uint32_t j = kvq_rng_next(&g[l]) & (uint32_t)(n - 1); /* r % n, n 2^k */
                    a[l] += num[j];
                    if (den) c[l] += den[j];
                }
            for (size_t l = 0; l < SUM_LANES; l++)
                s[l * per + k] = sum_statistic(a[l], c[l], den, n);
        }
        *rng = g[SUM_LANES - 1]; /* where the last run ended: the resamples after it follow */
        r = SUM_LANES * per;
    }
    kvq_rng g = *rng;
    for (; r < reps; r++) {
        double a = 0.0, c = 0.0;
        if (den) {
            for (size_t i = 0; i < n; i++) {
                uint32_t j = bounded_draw(&g, &b);
                a += num[j], c += den[j];
            }
        } else {
            for (size_t i = 0; i < n; i++) a += num[bounded_draw(&g, &b)];
        }
        s[r] = sum_statistic(a, c, den, n);
    }
    *rng = g;
    *stats = s;
    return KVQ_OK;
}

static int check_args(size_t n, size_t reps, double level, kvq_error *err)
{
    if (n == 0 || n > UINT32_MAX || reps == 0)
        return kvq_fail(
            err, KVQ_EINVAL,
            "bootstrap: %zu subjects and %zu replicates (needs 1 <= n < 2^32, reps >= 1)", n, reps);
    return kvq_check_level(level, "bootstrap", err);
}

/* The statistic on the original subjects 0..n-1. */
static int identity_estimate(size_t n, kvq_statistic_fn stat, void *ctx, double *estimate,
                             kvq_error *err)
{
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx) return kvq_fail(err, KVQ_ENOMEM, "bootstrap: no memory for %zu subjects", n);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    *estimate = stat(idx, n, ctx);
    free(idx);
    return KVQ_OK;
}

/* kvq_bootstrap, handing the valid replicates back (sorted, out->valid of them) in *stats. */
static int bootstrap_keep(size_t n, kvq_statistic_fn stat, void *ctx, size_t reps, double level,
                          kvq_rng *rng, kvq_interval *out, double **stats, kvq_error *err)
{
    int rc = check_args(n, reps, level, err);
    double estimate = NAN;
    if (!rc) rc = identity_estimate(n, stat, ctx, &estimate, err);
    if (!rc) rc = replicate(n, stat, ctx, reps, rng, stats, err);
    if (rc) return rc;
    *out = (kvq_interval){.estimate = estimate, .level = level, .reps = reps};
    percentiles(*stats, reps, out);
    return KVQ_OK;
}

int kvq_bootstrap(size_t n, kvq_statistic_fn stat, void *ctx, size_t reps, double level,
                  kvq_rng *rng, kvq_interval *out, kvq_error *err)
{
    double *stats = NULL;
    int rc = bootstrap_keep(n, stat, ctx, reps, level, rng, out, &stats, err);
    free(stats);
    return rc;
}

static double mean_of(const size_t *idx, size_t n, void *ctx)
{
    const double *v = ctx;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += v[idx[i]];
    return sum / (double)n;
}

/* sum num / sum den over the subjects idx, NaN unless the denominator is positive. */
static double ratio_of(const size_t *idx, size_t n, const double *num, const double *den)
{
    double a = 0.0, c = 0.0;
    for (size_t i = 0; i < n; i++) a += num[idx[i]], c += den[idx[i]];
    return c > 0.0 ? a / c : NAN;
}

/* kvq_bootstrap of mean_of (den NULL) or of ratio_of, through replicate_sums. */
static int bootstrap_sums(const double *num, const double *den, size_t n, size_t reps, double level,
                          kvq_rng *rng, kvq_interval *out, kvq_error *err)
{
    int rc = check_args(n, reps, level, err);
    size_t *idx = rc ? NULL : malloc(n * sizeof *idx);
    if (!rc && !idx) rc = kvq_fail(err, KVQ_ENOMEM, "bootstrap: no memory for %zu subjects", n);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) idx[i] = i;
    double estimate = den ? ratio_of(idx, n, num, den) : mean_of(idx, n, (void *)num);
    double *stats = NULL;
    free(idx);
    rc = replicate_sums(num, den, n, reps, rng, &stats, err);
    if (rc) return rc;
    *out = (kvq_interval){.estimate = estimate, .level = level, .reps = reps};
    percentiles(stats, reps, out);
    free(stats);
    return KVQ_OK;
}

int kvq_bootstrap_mean(const double *v, size_t n, size_t reps, double level, kvq_rng *rng,
                       kvq_interval *out, kvq_error *err)
{
    return bootstrap_sums(v, NULL, n, reps, level, rng, out, err);
}

int kvq_bootstrap_ratio(const double *num, const double *den, size_t n, size_t reps, double level,
                        kvq_rng *rng, kvq_interval *out, kvq_error *err)
{
    return bootstrap_sums(num, den, n, reps, level, rng, out, err);
}

typedef struct pair_ctx {
    const double *a, *b;
} pair_ctx;

static double mean_difference(const size_t *idx, size_t n, void *ctx)
{
    const pair_ctx *c = ctx;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += c->a[idx[i]] - c->b[idx[i]];
    return sum / (double)n;
}

int kvq_bootstrap_paired(const double *a, const double *b, size_t n, size_t reps, double level,
                         kvq_rng *rng, kvq_paired *out, kvq_error *err)
{
    pair_ctx ctx = {a, b};
    double *stats = NULL;
    int rc = bootstrap_keep(n, mean_difference, &ctx, reps, level, rng, &out->diff, &stats, err);
    if (rc) return rc;
    size_t below = 0, above = 0, valid = out->diff.valid;
    for (size_t r = 0; r < valid; r++) below += stats[r] <= 0.0, above += stats[r] >= 0.0;
    double p = valid ? 2.0 * (double)(below < above ? below : above) / (double)valid : NAN;
    out->p = p > 1.0 ? 1.0 : p;
    free(stats);
    return KVQ_OK;
}
