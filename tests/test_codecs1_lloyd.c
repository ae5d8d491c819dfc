/* Lloyd–Max codebooks (backends/lloyd.h) against Max (1960) and against an independent Lloyd
 * iteration in numpy/scipy (tests/golden/gen_codecs1.py). */
#include "backends/lloyd.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void no_gsl_abort(void)
{
    gsl_set_error_handler_off();
}

TestSuite(lloyd, .init = no_gsl_abort);

static kvq_lloyd gaussian(unsigned bits)
{
    kvq_lloyd cb;
    kvq_error err;
    cr_assert_eq(kvq_lloyd_gaussian(bits, &cb, "test", &err), KVQ_OK, "%s", err.msg);
    return cb;
}

/* Max's table has four significant digits, and its 8- and 16-level entries are low by 2 and 4
 * units in the last one (golden file), so agreement is to 0.1%. */
Test(lloyd, gaussian_mse_matches_max_1960)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    size_t n;
    double *want = kvq_test_doubles(cJSON_GetObjectItem(g, "lloyd_max1960"), &n);
    cr_assert_eq(n, 4);
    for (unsigned b = 1; b <= 4; b++) {
        kvq_lloyd cb = gaussian(b);
        cr_assert_lt(fabs(cb.mse / want[b - 1] - 1.0), 1e-3, "bits=%u: mse %.6g, Max 1960 %.6g", b,
                     cb.mse, want[b - 1]);
    }
    free(want);
    cJSON_Delete(g);
}

Test(lloyd, gaussian_matches_scipy_at_every_width)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    const cJSON *book;
    cJSON_ArrayForEach(book, cJSON_GetObjectItem(g, "lloyd_gaussian"))
    {
        unsigned bits = (unsigned)kvq_test_num(book, "bits");
        kvq_lloyd cb = gaussian(bits);
        size_t n;
        double *c = kvq_test_doubles(cJSON_GetObjectItem(book, "centroids"), &n);
        cr_assert_eq(n, cb.levels);
        for (size_t i = 0; i < n; i++)
            cr_assert_lt(fabs(cb.centroid[i] - c[i]), 1e-6 * (1.0 + fabs(c[i])),
                         "bits=%u centroid %zu: %.9g, scipy %.9g", bits, i, cb.centroid[i], c[i]);
        double mse = kvq_test_num(book, "mse");
        cr_assert_lt(fabs(cb.mse / mse - 1.0), 1e-8, "bits=%u: mse %.12g, scipy %.12g", bits,
                     cb.mse, mse);
        free(c);
    }
    cJSON_Delete(g);
}

Test(lloyd, one_bit_centroids_are_the_half_normal_mean)
{
    kvq_lloyd cb = gaussian(1);
    cr_assert_float_eq(cb.centroid[1], sqrt(2.0 / acos(-1.0)), 1e-7);
    cr_assert_float_eq(cb.centroid[0], -sqrt(2.0 / acos(-1.0)), 1e-7);
    cr_assert_eq(cb.threshold[0], 0.0f);
}

/* At every width: the ends, each threshold (the upper cell) and the float just below it, each
 * centroid, and NaN (the first cell, as no threshold is <= it). */
Test(lloyd, index_finds_the_cell)
{
    for (unsigned bits = 1; bits <= KVQ_LLOYD_MAX_BITS; bits++) {
        kvq_lloyd cb = gaussian(bits);
        unsigned top = cb.levels - 1;
        cr_assert_eq(kvq_lloyd_index(&cb, -1e30f), 0);
        cr_assert_eq(kvq_lloyd_index(&cb, 1e30f), top);
        cr_assert_eq(kvq_lloyd_index(&cb, NAN), 0);
        for (unsigned i = 0; i < top; i++) {
            cr_assert_eq(kvq_lloyd_index(&cb, cb.threshold[i]), i + 1, "bits %u, on %u", bits, i);
            cr_assert_eq(kvq_lloyd_index(&cb, nextafterf(cb.threshold[i], -INFINITY)), i,
                         "bits %u, below %u", bits, i);
        }
        for (unsigned i = 0; i < cb.levels; i++)
            cr_assert_eq(kvq_lloyd_index(&cb, cb.centroid[i]), i, "bits %u", bits);
    }
}

static double uniform_pdf(double x, void *ctx)
{
    (void)x;
    (void)ctx;
    return 1.0;
}

Test(lloyd, integrated_density_uniform)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    const cJSON *u = cJSON_GetObjectItem(g, "lloyd_uniform");
    size_t n;
    double *c = kvq_test_doubles(cJSON_GetObjectItem(u, "centroids"), &n);
    /* start away from the answer: equally spaced points are already the fixed point */
    kvq_density d = {uniform_pdf, NULL, NULL, 0.0, 1.0, NULL};
    kvq_lloyd cb;
    kvq_error err;
    cr_assert_eq(kvq_lloyd_density(&d, 3, &cb, "test", &err), KVQ_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++) cr_assert_float_eq(cb.centroid[i], c[i], 1e-7);
    cr_assert_float_eq(cb.mse, kvq_test_num(u, "mse"), 1e-12);
    free(c);
    cJSON_Delete(g);
}

static double normal_pdf(double x, void *ctx)
{
    (void)ctx;
    return exp(-0.5 * x * x);
}

static double skewed_quantile(double p, void *ctx)
{
    (void)ctx;
    return 8.0 * p * p - 4.0; /* a poor start, to make the iteration work */
}

/* The integration path against the closed forms: N(0, 1) truncated to [-12, 12] (mass lost
 * below 1e-32), unnormalised, from a lopsided start. */
Test(lloyd, integrated_density_agrees_with_closed_form)
{
    kvq_density d = {normal_pdf, skewed_quantile, NULL, -12.0, 12.0, NULL};
    for (unsigned bits = 1; bits <= 4; bits++) {
        kvq_lloyd cb, exact = gaussian(bits);
        kvq_error err;
        cr_assert_eq(kvq_lloyd_density(&d, bits, &cb, "test", &err), KVQ_OK, "%s", err.msg);
        for (unsigned i = 0; i < cb.levels; i++)
            cr_assert_float_eq(cb.centroid[i], exact.centroid[i], 1e-6, "bits=%u level %u", bits,
                               i);
        cr_assert_lt(fabs(cb.mse / exact.mse - 1.0), 1e-8, "bits=%u: %.12g vs %.12g", bits, cb.mse,
                     exact.mse);
    }
}

/* Two codebooks with the same levels, thresholds and mse, bit for bit. */
static int same_codebook(const kvq_lloyd *a, const kvq_lloyd *b)
{
    if (a->bits != b->bits || a->levels != b->levels || a->mse != b->mse) return 0;
    for (unsigned i = 0; i < a->levels; i++)
        if (memcmp(&a->centroid[i], &b->centroid[i], sizeof(float)) ||
            (i + 1 < a->levels && memcmp(&a->threshold[i], &b->threshold[i], sizeof(float))))
            return 0;
    return 1;
}

/* A keyed density's codebook is the one computed without a key, bit for bit, at every width; asked
 * again under the same key it is the kept one (even for another density: the key names it), and
 * a width not yet asked is computed. */
Test(lloyd, keyed_density_computed_once)
{
    kvq_density plain = {normal_pdf, skewed_quantile, NULL, -12.0, 12.0, NULL};
    kvq_density keyed = plain, other = {uniform_pdf, NULL, NULL, 0.0, 1.0, NULL};
    keyed.key = other.key = "test:truncated normal";
    for (unsigned bits = 1; bits <= 3; bits++) {
        kvq_lloyd a, b, c;
        kvq_error err;
        cr_assert_eq(kvq_lloyd_density(&plain, bits, &a, "test", &err), KVQ_OK, "%s", err.msg);
        cr_assert_eq(kvq_lloyd_density(&keyed, bits, &b, "test", &err), KVQ_OK, "%s", err.msg);
        cr_assert_eq(kvq_lloyd_density(&other, bits, &c, "test", &err), KVQ_OK, "%s", err.msg);
        cr_assert(same_codebook(&a, &b), "bits=%u: keyed differs", bits);
        cr_assert(same_codebook(&b, &c), "bits=%u: not the kept codebook", bits);
    }
    kvq_lloyd u, plain_u;
    other.key = NULL;
    cr_assert_eq(kvq_lloyd_density(&other, 4, &plain_u, "test", NULL), KVQ_OK);
    other.key = "test:uniform";
    cr_assert_eq(kvq_lloyd_density(&other, 4, &u, "test", NULL), KVQ_OK);
    cr_assert(same_codebook(&u, &plain_u));
}

Test(lloyd, width_out_of_range_refused)
{
    kvq_lloyd cb;
    kvq_error err;
    cr_assert_eq(kvq_lloyd_gaussian(0, &cb, "turboquant", &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "turboquant") && strstr(err.msg, "bits=0"), "%s", err.msg);
    cr_assert_eq(kvq_lloyd_gaussian(9, &cb, "turboquant", &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "bits=9"), "%s", err.msg);
}
