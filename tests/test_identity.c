/* Identity in the index regime (include/kvq/identity.h): hand-checked cases, and the
 * near-duplicate fixture of tests/golden/gen_identity.py against numpy's float64 answer. */
#include "kvq/identity.h"
#include "kvq/npy.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const size_t all3[3] = {0, 1, 2};

Test(identity, exact_rows_keep_their_identity)
{
    const float x[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    kvq_identity_result r;
    cr_assert_eq(kvq_identity(x, x, 3, 3, all3, 3, &r, NULL), KVQ_OK);
    cr_assert_eq(r.identity, 1.0);
    cr_assert_eq(r.ceiling, 1.0);
    cr_assert_eq(r.near_duplicates, 0);
    cr_assert_eq(r.probes, 3);
}

Test(identity, merged_rows_lose_it_and_ties_go_low)
{
    const float x[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    const float same[9] = {0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f};
    kvq_identity_result r;
    cr_assert_eq(kvq_identity(x, same, 3, 3, all3, 3, &r, NULL), KVQ_OK);
    cr_assert_eq(r.identity, 1.0 / 3.0);
    cr_assert_eq(r.ceiling, 1.0);
}

Test(identity, swapped_decodes_and_probes)
{
    /* rows 0 and 1 decode to each other; row 2 stays: 1 of 3, or 0 of the probes {0, 1} */
    const float x[6] = {1, 0, 0, 1, 5, 5};
    const float swapped[6] = {0, 1, 1, 0, 5, 5};
    kvq_identity_result r;
    cr_assert_eq(kvq_identity(x, swapped, 3, 2, all3, 3, &r, NULL), KVQ_OK);
    cr_assert_float_eq(r.identity, 1.0 / 3.0, 1e-15);
    cr_assert_eq(kvq_identity(x, swapped, 3, 2, all3, 2, &r, NULL), KVQ_OK);
    cr_assert_eq(r.identity, 0.0);
    cr_assert_eq(kvq_identity(x, swapped, 3, 2, all3, 0, &r, NULL), KVQ_OK);
    cr_assert(isnan(r.identity) && isnan(r.ceiling));
}

/* row 2 is a copy of row 0 (-0 equals 0), row 3 a near-duplicate of row 1 */
static const float copies[8] = {1, 0, 0, 1, 1, -0.0f, 0, 1.001f};

static void check_copies_ceiling(const kvq_identity_result *r)
{
    cr_assert_eq(r->ceiling, 0.75);
    cr_assert_eq(r->near_duplicates, 4);
    cr_assert_eq(r->near_first[0], 0);
    cr_assert_eq(r->near_other[0], 2);
    cr_assert_eq(r->near_first[1], 1);
    cr_assert_eq(r->near_other[1], 3);
}

Test(identity, copies_cap_the_ceiling)
{
    kvq_identity_result r;
    const size_t all4[4] = {0, 1, 2, 3};
    cr_assert_eq(kvq_identity(copies, copies, 4, 2, all4, 4, &r, NULL), KVQ_OK);
    cr_assert_eq(r.identity, 0.75);
    check_copies_ceiling(&r);
}

/* The ceiling of the same rows and probes is memoised: another decode of them gets it again, and
 * other probes of the same rows get their own (probes 0 and 1: no earlier copy, both have a
 * near-duplicate). */
Test(identity, the_ceiling_again_and_for_other_probes)
{
    const float zero[8] = {0};
    const size_t all4[4] = {0, 1, 2, 3}, first2[2] = {0, 1};
    kvq_identity_result r;
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(kvq_identity(copies, zero, 4, 2, all4, 4, &r, NULL), KVQ_OK);
        cr_assert_eq(r.identity, 0.25); /* all decode to one point: only row 0 wins the tie */
        check_copies_ceiling(&r);
        cr_assert_eq(kvq_identity(copies, copies, 4, 2, first2, 2, &r, NULL), KVQ_OK);
        cr_assert_eq(r.identity, 1.0);
        cr_assert_eq(r.ceiling, 1.0);
        cr_assert_eq(r.near_duplicates, 2);
        cr_assert_eq(r.near_other[0], 2);
        cr_assert_eq(r.near_other[1], 3);
    }
}

static float *load_rows(const char *name, size_t *n, size_t *dim)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/identity/%s", KVQ_TEST_DATA, name);
    kvq_npy npy;
    kvq_error err;
    cr_assert_eq(kvq_npy_open(&npy, path, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(npy.tensor.dtype, KVQ_DTYPE_F32);
    *n = (size_t)npy.tensor.shape[0];
    *dim = (size_t)npy.tensor.shape[1];
    float *rows = malloc(*n * *dim * sizeof *rows);
    cr_assert_not_null(rows);
    memcpy(rows, npy.tensor.data, *n * *dim * sizeof *rows);
    kvq_npy_close(&npy);
    return rows;
}

static void check_golden(const float *x, const float *lossy, size_t n, size_t dim,
                         const size_t *probes, size_t m, const cJSON *want)
{
    kvq_identity_result r;
    cr_assert_eq(kvq_identity(x, x, n, dim, probes, m, &r, NULL), KVQ_OK);
    cr_assert_eq(r.identity, kvq_test_num(want, "identity_exact"), "exact decode: %.17g",
                 r.identity);
    cr_assert_eq(r.ceiling, kvq_test_num(want, "ceiling"), "ceiling: %.17g", r.ceiling);
    cr_assert_eq((double)r.near_duplicates, kvq_test_num(want, "near_duplicates"),
                 "near duplicates: %zu", r.near_duplicates);
    cr_assert_eq(kvq_identity(x, lossy, n, dim, probes, m, &r, NULL), KVQ_OK);
    cr_assert_eq(r.identity, kvq_test_num(want, "identity_lossy"), "lossy decode: %.17g",
                 r.identity);
    cr_assert_eq(r.ceiling, kvq_test_num(want, "ceiling"), "ceiling again: %.17g", r.ceiling);
    cr_assert_eq((double)r.near_duplicates, kvq_test_num(want, "near_duplicates"),
                 "near duplicates again: %zu", r.near_duplicates);
}

/* Float32 scores give the exact decode of this fixture an identity of 0.496; numpy's float64
 * distances give 0.96875, the ceiling its 16 copies leave. The same rows scaled by a power of two
 * give the same answers (the double distances scale exactly): by 2^-85, where the float screen's
 * products underflow, and by 2^62, where its sums overflow. */
Test(identity, near_duplicates_match_numpy_float64)
{
    size_t n, dim, n2, dim2;
    float *x = load_rows("near_dups.npy", &n, &dim);
    float *lossy = load_rows("decoded.npy", &n2, &dim2);
    cr_assert(n == n2 && dim == dim2);
    cJSON *golden = kvq_test_golden("identity/identity.json");
    size_t *all = malloc(n * sizeof *all);
    for (size_t i = 0; i < n; i++) all[i] = i;
    const cJSON *sel = cJSON_GetObjectItem(golden, "probes");
    size_t m;
    double *idx = kvq_test_doubles(cJSON_GetObjectItem(sel, "index"), &m);
    size_t *probes = malloc(m * sizeof *probes);
    for (size_t k = 0; k < m; k++) probes[k] = (size_t)idx[k];
    const int exponents[] = {0, -85, 62};
    for (size_t e = 0; e < 3; e++) {
        for (size_t i = 0; i < n * dim; i++) {
            x[i] = ldexpf(x[i], exponents[e] - (e ? exponents[e - 1] : 0));
            lossy[i] = ldexpf(lossy[i], exponents[e] - (e ? exponents[e - 1] : 0));
        }
        check_golden(x, lossy, n, dim, all, n, cJSON_GetObjectItem(golden, "all"));
        check_golden(x, lossy, n, dim, probes, m, sel);
    }
    free(idx), free(probes), free(all), free(x), free(lossy);
    cJSON_Delete(golden);
}

/* Probes are a uniform sample of the rows, not the first rows of the file. */
Test(identity, probes_are_a_uniform_sample)
{
    enum { N = 10000, M = 1024 };
    size_t *p = malloc(M * sizeof *p);
    kvq_rng rng;
    kvq_rng_seed(&rng, 42, 54);
    cr_assert_eq(kvq_identity_probes(&rng, N, M, p), M);
    double mean = 0.0;
    for (size_t k = 0; k < M; k++) {
        cr_assert(p[k] < N);
        if (k) cr_assert(p[k] > p[k - 1], "probes ascending and distinct");
        mean += (double)p[k] / M;
    }
    /* the mean of 1024 uniform draws from 0..9999 lies within 5 sd (5 x 90) of 4999.5 */
    cr_assert(fabs(mean - 4999.5) < 450.0, "mean probe %g", mean);
    cr_assert(p[M - 1] > N - 100, "the last rows are reachable: %zu", p[M - 1]);
    cr_assert_eq(kvq_identity_probes(&rng, 5, M, p), 5);
    for (size_t k = 0; k < 5; k++) cr_assert_eq(p[k], k);
    free(p);
}
