/* Chain collapse on cases whose answer is known: passthrough never collapses (rho stays 1 up to
 * rounding, for all 33 layers, cycling through 3 given ones); a private, unregistered codec whose
 * scores are all zero collapses at depth 1; a codec that fails is named with its layer. */
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
    cr_assert_eq(kvq_chain_collapse(b, &p, layers, LAYERS, DIM, h0, NH, depth, KVQ_CHAIN_TAU, &rng,
                                    &c, &err),
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
    cr_assert_eq(kvq_chain_collapse(&failing_backend, &p, layers, LAYERS, DIM, layers, NH, 4, 0.5,
                                    &rng, &c, &err),
                 KVQ_EINVAL);
    cr_assert(strstr(err.msg, "chain layer 1: failing: refuses") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_chain_collapse(&zero_backend, &p, layers, LAYERS, DIM, layers, NH, 34, 0.5,
                                    &rng, &c, &err),
                 KVQ_ERANGE);
    cr_assert(strstr(err.msg, "depth 34") != NULL, "%s", err.msg);
    free(layers);
}
