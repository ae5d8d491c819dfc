/* Chain collapse on cases whose answer is known: passthrough never collapses (rho stays 1 up to
 * rounding, for all 33 layers, cycling through 3 given ones); a private, unregistered codec whose
 * scores are all zero collapses at depth 1; a codec that fails is named with its layer; a codec
 * whose tables hold every row of a layer is flagged degenerate and not run; and the curves of a
 * private sign-sketch codec, bare and residual, per starting vector and averaged, equal numpy's
 * (tests/golden/gen_chain.py). */
#include "kvq/chain.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const kvq_param_doc none[] = {{NULL, NULL, NULL}};

static int zero_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p, (void)rng, (void)dim;
    *state = malloc(1);
    return *state ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "zero: no memory");
}

static int zero_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                       kvq_error *err)
{
    (void)state, (void)rows, (void)err;
    memset(codes, 0, n);
    return KVQ_OK;
}

/* Refuses every row: a codec failure in the middle of a chain. */
static int failing_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                          kvq_error *err)
{
    (void)state, (void)rows, (void)n, (void)codes;
    return kvq_fail(err, KVQ_EINVAL, "failing: refuses to encode");
}

/* The sign sketch of tests/golden/gen_chain.py: one byte per coordinate, 1 where x >= 0. */
static int sign_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                       kvq_error *err)
{
    (void)err;
    size_t dim = *(const size_t *)state;
    for (size_t i = 0; i < n * dim; i++) codes[i] = rows[i] >= 0.0f;
    return KVQ_OK;
}

static int sign_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                      float *out, kvq_error *err)
{
    (void)err;
    size_t dim = *(const size_t *)state;
    for (size_t i = 0; i < n; i++) {
        double sum = 0.0;
        for (size_t j = 0; j < dim; j++) sum += codes[i * dim + j] ? query[j] : -query[j];
        out[i] = (float)sum;
    }
    return KVQ_OK;
}

static int dim_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p, (void)rng;
    size_t *d = malloc(sizeof *d);
    if (!d) return kvq_fail(err, KVQ_ENOMEM, "sign: no memory");
    *d = dim;
    *state = d;
    return KVQ_OK;
}

static size_t dim_bytes(const void *state)
{
    return *(const size_t *)state;
}

/* Shared tables of dim x dim f32 values: room for every row of a layer. */
static size_t layer_sized_tables(const void *state)
{
    size_t dim = *(const size_t *)state;
    return dim * dim * 4;
}

static int zero_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                      float *out, kvq_error *err)
{
    (void)state, (void)query, (void)codes, (void)err;
    for (size_t i = 0; i < n; i++) out[i] = 0.0f;
    return KVQ_OK;
}

static size_t one_byte(const void *state)
{
    (void)state;
    return 1;
}

static const kvq_backend zero_backend = {
    .name = "zero",
    .summary = "scores every row 0",
    .grade = KVQ_GRADE_SIGNATURE,
    .params = none,
    .variants = "",
    .create = zero_create,
    .encode = zero_encode,
    .score = zero_score,
    .bytes_per_row = one_byte,
    .destroy = free,
};

static const kvq_backend failing_backend = {
    .name = "failing",
    .summary = "refuses to encode",
    .grade = KVQ_GRADE_SIGNATURE,
    .params = none,
    .variants = "",
    .create = zero_create,
    .encode = failing_encode,
    .score = zero_score,
    .bytes_per_row = one_byte,
    .destroy = free,
};

static const kvq_backend sign_backend = {
    .name = "sign",
    .summary = "the signs of every coordinate",
    .grade = KVQ_GRADE_SIGNATURE,
    .params = none,
    .variants = "",
    .create = dim_create,
    .encode = sign_encode,
    .score = sign_score,
    .bytes_per_row = dim_bytes,
    .destroy = free,
};

static const kvq_backend tables_backend = {
    .name = "tables",
    .summary = "the sign sketch with tables as large as a layer",
    .grade = KVQ_GRADE_SIGNATURE,
    .params = none,
    .variants = "",
    .create = dim_create,
    .encode = sign_encode,
    .score = sign_score,
    .bytes_per_row = dim_bytes,
    .shared_bytes = layer_sized_tables,
    .destroy = free,
};

enum { DIM = 32, LAYERS = 3, NH = 8 };

static kvq_chain run(const kvq_backend *b, size_t depth)
{
    float *layers = kvq_test_gaussian_rows(LAYERS * DIM, DIM, 41);
    float *h0 = kvq_test_gaussian_rows(NH, DIM, 42);
    kvq_params p = {.count = 0};
    kvq_rng rng;
    kvq_rng_seed(&rng, 7, 7);
    kvq_chain c;
    kvq_error err;
    kvq_chain_layers given = {layers, LAYERS, NULL, 0.0};
    cr_assert_eq(
        kvq_chain_collapse(b, &p, &given, DIM, h0, NH, depth, KVQ_CHAIN_TAU, &rng, &c, NULL, &err),
        0, "%s", err.msg);
    free(layers), free(h0);
    return c;
}

Test(metrics_chain, passthrough_never_collapses)
{
    kvq_chain c = run(kvq_backend_find("passthrough"), KVQ_CHAIN_MAX_DEPTH);
    cr_assert_eq(c.depth, 33);
    cr_assert_eq(c.collapse, 0);
    for (size_t l = 0; l < c.depth; l++)
        cr_assert_gt(c.rho[l], 0.99, "depth %zu: %g", l + 1, c.rho[l]);
}

Test(metrics_chain, zero_codec_collapses_at_depth_1)
{
    kvq_chain c = run(&zero_backend, 5);
    cr_assert_eq(c.collapse, 1);
    for (size_t l = 0; l < c.depth; l++) cr_assert_eq(c.rho[l], 0.0, "depth %zu", l + 1);
}

Test(metrics_chain, failures_name_the_layer)
{
    float *layers = kvq_test_gaussian_rows(LAYERS * DIM, DIM, 41);
    kvq_params p = {.count = 0};
    kvq_rng rng;
    kvq_rng_seed(&rng, 7, 7);
    kvq_chain c;
    kvq_error err;
    kvq_chain_layers given = {layers, LAYERS, NULL, 0.0};
    cr_assert_eq(kvq_chain_collapse(&failing_backend, &p, &given, DIM, layers, NH, 4, 0.5, &rng, &c,
                                    NULL, &err),
                 KVQ_EINVAL);
    cr_assert(strstr(err.msg, "chain layer 1: failing: refuses") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_chain_collapse(&zero_backend, &p, &given, DIM, layers, NH, 34, 0.5, &rng, &c,
                                    NULL, &err),
                 KVQ_ERANGE);
    cr_assert(strstr(err.msg, "depth 34") != NULL, "%s", err.msg);
    free(layers);
}

Test(metrics_chain, tables_that_hold_a_layer_are_degenerate)
{
    float *layers = kvq_test_gaussian_rows(LAYERS * DIM, DIM, 41);
    kvq_params p = {.count = 0};
    kvq_rng rng;
    kvq_rng_seed(&rng, 7, 7);
    kvq_chain c;
    kvq_error err;
    kvq_chain_layers given = {layers, LAYERS, NULL, 0.0};
    cr_assert_eq(kvq_chain_collapse(&tables_backend, &p, &given, DIM, layers, NH, 5, 0.5, &rng, &c,
                                    NULL, &err),
                 0, "%s", err.msg);
    cr_assert_eq(c.degenerate, 1);
    cr_assert_eq(kvq_chain_collapse(&sign_backend, &p, &given, DIM, layers, NH, 5, 0.5, &rng, &c,
                                    NULL, &err),
                 0, "%s", err.msg);
    cr_assert_eq(c.degenerate, 0);
    free(layers);
}

/* The sign codec's curves against numpy's, bare and residual. Float32 against float64 can swap
 * two nearly tied coordinates; one swap moves a vector's rho by 12 / (32 (32^2 - 1)) = 3.7e-4. */
static void check_against_numpy(const char *kind)
{
    cJSON *g = kvq_test_golden("chain.json");
    size_t nw, nn, nh0, nrho, neach;
    float *w = kvq_test_floats(cJSON_GetObjectItem(g, "w"), &nw);
    float *norm = kvq_test_floats(cJSON_GetObjectItem(g, "norm"), &nn);
    float *h0 = kvq_test_floats(cJSON_GetObjectItem(g, "h0"), &nh0);
    const cJSON *want = cJSON_GetObjectItem(g, kind);
    double *rho = kvq_test_doubles(cJSON_GetObjectItem(want, "rho"), &nrho);
    double *each_want = kvq_test_doubles(cJSON_GetObjectItem(want, "each"), &neach);
    cr_assert_eq(nw, (size_t)LAYERS * DIM * DIM);
    cr_assert_eq(nrho, (size_t)KVQ_CHAIN_MAX_DEPTH);
    cr_assert_eq(neach, (size_t)NH * KVQ_CHAIN_MAX_DEPTH);
    int residual = strcmp(kind, "residual") == 0;
    kvq_chain_layers given = {w, LAYERS, residual ? norm : NULL, kvq_test_num(g, "eps")};
    kvq_params p = {.count = 0};
    kvq_rng rng;
    kvq_rng_seed(&rng, 7, 7);
    kvq_chain c;
    kvq_error err;
    double each[NH * KVQ_CHAIN_MAX_DEPTH];
    cr_assert_eq(kvq_chain_collapse(&sign_backend, &p, &given, DIM, h0, NH, KVQ_CHAIN_MAX_DEPTH,
                                    KVQ_CHAIN_TAU, &rng, &c, each, &err),
                 0, "%s", err.msg);
    for (size_t l = 0; l < nrho; l++)
        cr_assert_float_eq(c.rho[l], rho[l], 1e-3, "%s depth %zu: %.6f, numpy %.6f", kind, l + 1,
                           c.rho[l], rho[l]);
    for (size_t i = 0; i < neach; i++)
        cr_assert_float_eq(each[i], each_want[i], 4e-3, "%s vector %zu depth %zu: %.6f, numpy %.6f",
                           kind, i / KVQ_CHAIN_MAX_DEPTH, i % KVQ_CHAIN_MAX_DEPTH + 1, each[i],
                           each_want[i]);
    cr_assert_eq(c.collapse, kvq_chain_collapse_depth(rho, nrho, KVQ_CHAIN_TAU));
    /* the exact side computed once, with and without its ranks, gives the same curves bit for bit;
     * one too shallow or of other vectors is refused */
    for (int ranked = 0; ranked < 2; ranked++) {
        kvq_chain_exact ex;
        cr_assert_eq(
            kvq_chain_exact_compute(&given, DIM, h0, NH, KVQ_CHAIN_MAX_DEPTH, ranked, &ex, &err), 0,
            "%s", err.msg);
        cr_assert_eq(ex.ranks != NULL, ranked);
        kvq_chain again;
        double each_again[NH * KVQ_CHAIN_MAX_DEPTH];
        kvq_rng_seed(&rng, 7, 7);
        cr_assert_eq(kvq_chain_collapse_with(&ex, &sign_backend, &p, &given, DIM, h0, NH,
                                             KVQ_CHAIN_MAX_DEPTH, KVQ_CHAIN_TAU, &rng, &again,
                                             each_again, &err),
                     0, "%s", err.msg);
        cr_assert_eq(memcmp(again.rho, c.rho, sizeof c.rho), 0, "%s ranked %d: the curve", kind,
                     ranked);
        cr_assert_eq(memcmp(each_again, each, sizeof each), 0, "%s ranked %d: the vectors", kind,
                     ranked);
        cr_assert_eq(again.collapse, c.collapse);
        cr_assert_eq(kvq_chain_collapse_with(&ex, &sign_backend, &p, &given, DIM, h0, NH - 1, 4,
                                             KVQ_CHAIN_TAU, &rng, &again, NULL, &err),
                     KVQ_EINVAL);
        kvq_chain_exact_free(&ex);
        cr_assert_eq(kvq_chain_exact_compute(&given, DIM, h0, NH, 3, ranked, &ex, &err), 0);
        cr_assert_eq(kvq_chain_collapse_with(&ex, &sign_backend, &p, &given, DIM, h0, NH, 4,
                                             KVQ_CHAIN_TAU, &rng, &again, NULL, &err),
                     KVQ_EINVAL);
        cr_assert(strstr(err.msg, "depth 3") != NULL, "%s", err.msg);
        kvq_chain_exact_free(&ex);
    }
    free(w), free(norm), free(h0), free(rho), free(each_want);
    cJSON_Delete(g);
}

Test(metrics_chain, bare_curve_equals_numpy)
{
    check_against_numpy("bare");
}

Test(metrics_chain, residual_curve_equals_numpy)
{
    check_against_numpy("residual");
}
