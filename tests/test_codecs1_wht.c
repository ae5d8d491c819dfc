/* The Walsh–Hadamard transform and the randomised rotation (backends/wht.h): the transform
 * against scipy.linalg.hadamard (tests/golden/gen_codecs1.py), the rotation's orthogonality at
 * powers of two and between them, its determinism, and how Gaussian it makes a spike. */
#include "backends/wht.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

Test(wht, known_answer)
{
    float x[4] = {1, 2, 3, 4};
    kvq_wht(x, 4);
    float want[4] = {5, -1, -2, 0};
    for (int i = 0; i < 4; i++) cr_assert_float_eq(x[i], want[i], 1e-6);
}

Test(wht, matches_scipy_hadamard)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(g, "wht"))
    {
        size_t n, m;
        double *x = kvq_test_doubles(cJSON_GetObjectItem(c, "x"), &n);
        double *y = kvq_test_doubles(cJSON_GetObjectItem(c, "y"), &m);
        cr_assert_eq(n, m);
        float v[64];
        for (size_t i = 0; i < n; i++) v[i] = (float)x[i];
        kvq_wht(v, n);
        for (size_t i = 0; i < n; i++)
            cr_assert_float_eq(v[i], y[i], 1e-5, "n=%zu, coordinate %zu", n, i);
        free(x);
        free(y);
    }
    cJSON_Delete(g);
}

Test(wht, powers_of_two)
{
    cr_assert_eq(kvq_pow2_floor(1), 1);
    cr_assert_eq(kvq_pow2_floor(100), 64);
    cr_assert_eq(kvq_pow2_floor(128), 128);
    cr_assert_eq(kvq_pow2_ceil(1), 1);
    cr_assert_eq(kvq_pow2_ceil(100), 128);
    cr_assert_eq(kvq_pow2_ceil(128), 128);
}

static kvq_rotation rotation(size_t dim, uint64_t seed)
{
    kvq_rotation r;
    kvq_error err;
    cr_assert_eq(kvq_rotation_init(&r, dim, seed, "test", &err), KVQ_OK, "%s", err.msg);
    return r;
}

/* R^T R = I, column by column (R e_j, then inner products), and R^T undoes R. */
Test(wht, rotation_is_orthogonal_at_every_dimension)
{
    const size_t dims[] = {1, 2, 3, 7, 64, 100, 129};
    for (size_t t = 0; t < sizeof dims / sizeof *dims; t++) {
        size_t d = dims[t];
        kvq_rotation r = rotation(d, 11 + t);
        float *cols = calloc(d * d, sizeof *cols);
        for (size_t j = 0; j < d; j++) {
            cols[j * d + j] = 1.0f;
            kvq_rotation_apply(&r, cols + j * d);
        }
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < d; j++) {
                double dot = 0.0;
                for (size_t k = 0; k < d; k++) dot += (double)cols[i * d + k] * cols[j * d + k];
                cr_assert_lt(fabs(dot - (i == j)), 1e-5, "d=%zu: <R e_%zu, R e_%zu> = %g", d, i, j,
                             dot);
            }
        for (size_t j = 0; j < d; j++) {
            kvq_rotation_invert(&r, cols + j * d);
            for (size_t k = 0; k < d; k++)
                cr_assert_lt(fabs(cols[j * d + k] - (j == k)), 1e-5, "d=%zu: R^T R e_%zu", d, j);
        }
        free(cols);
        kvq_rotation_free(&r);
    }
}

Test(wht, rotation_depends_on_the_seed_only)
{
    kvq_rotation a = rotation(100, 5), b = rotation(100, 5), c = rotation(100, 6);
    cr_assert_eq(memcmp(a.signs, b.signs, 300 * sizeof(float)), 0);
    cr_assert_neq(memcmp(a.signs, c.signs, 300 * sizeof(float)), 0);
    kvq_rotation_free(&a);
    kvq_rotation_free(&b);
    kvq_rotation_free(&c);
}

/* A spike e_0 rotated by many seeds: sqrt(d) R e_0 should look N(0, 1). One H D pass would give
 * +-1 exactly (kurtosis 1); the three passes bring the kurtosis to 3 - O(1/d). */
Test(wht, rotated_spike_is_nearly_gaussian)
{
    const size_t d = 128, seeds = 400;
    double m2 = 0.0, m4 = 0.0;
    float x[128];
    for (uint64_t s = 1; s <= seeds; s++) {
        kvq_rotation r = rotation(d, s);
        memset(x, 0, sizeof x);
        x[0] = 1.0f;
        kvq_rotation_apply(&r, x);
        for (size_t i = 0; i < d; i++) {
            double v = x[i] * sqrt((double)d);
            m2 += v * v;
            m4 += v * v * v * v;
        }
        kvq_rotation_free(&r);
    }
    m2 /= (double)(d * seeds);
    m4 /= (double)(d * seeds);
    cr_assert_float_eq(m2, 1.0, 1e-5);
    cr_assert_gt(m4, 2.8, "kurtosis %g", m4);
    cr_assert_lt(m4, 3.2, "kurtosis %g", m4);
}
