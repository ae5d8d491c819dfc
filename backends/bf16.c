/* bf16: bfloat16, round to nearest, ties to even (the top 16 bits of the f32 pattern after
 * rounding). A code is dim little-endian u16 values (2 * dim bytes, 16 bits per coordinate).
 * Relative MSE on N(0,1) rows: ulp(x)^2 / 12 averaged, about 2.35e-6 (8 significand bits; the
 * value tests/golden/gen_theory.py integrates and tests/test_backend_known.c checks). Known answer:
 * bf16(1/3) = 0x3eab. */
#include "decoded_score.h"
#include "halfvec.h"
#include "kvq/backend.h"
#include "kvq/half.h"
#include "util.h"

#include <stdlib.h>

static const kvq_param_doc bf16_params[] = {{NULL, NULL, NULL}};

static int bf16_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_dim_state_create("bf16", dim, state, err);
}

static uint16_t bf16_load(const uint8_t *code, size_t j)
{
    return (uint16_t)(code[2 * j] | (code[2 * j + 1] << 8));
}

static int bf16_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                       kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    for (size_t i = 0; i < n * s->dim; i++) {
        uint16_t h = kvq_f32_to_bf16(rows[i]);
        codes[2 * i] = (uint8_t)(h & 0xffu);
        codes[2 * i + 1] = (uint8_t)(h >> 8);
    }
    return KVQ_OK;
}

static int bf16_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                            kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    for (size_t i = 0; i < n * s->dim; i++) rows[i] = kvq_bf16_to_f32(bf16_load(codes, i));
    return KVQ_OK;
}

/* Scores: each row's float sum of query_j x_j in coordinate order. */
static void bf16_decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                                  float *factor, void *scratch)
{
    (void)factor;
    (void)scratch;
    const kvq_dim_state *s = state;
    for (size_t i = 0; i < m * s->dim; i++)
        rows[i] = kvq_float_of_bits((uint32_t)bf16_load(codes, i) << 16);
}

static int bf16_score_many(const void *state, const float *queries, size_t nq, const uint8_t *codes,
                           size_t n, float *out, kvq_error *err)
{
    const kvq_dim_state *s = state;
    kvq_decoded_score d = {.codec = "bf16",
                           .dim = s->dim,
                           .query_dim = s->dim,
                           .code_bytes = 2 * s->dim,
                           .decode = bf16_decode_for_score,
                           .sequential = 1};
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

static int bf16_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                      float *out, kvq_error *err)
{
    return bf16_score_many(state, query, 1, codes, n, out, err);
}

static size_t bf16_bytes_per_row(const void *state)
{
    const kvq_dim_state *s = state;
    return 2 * s->dim;
}

const kvq_backend kvq_backend_bf16 = {
    .name = "bf16",
    .summary = "bfloat16, round to nearest even (16 bits per coordinate)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = bf16_params,
    .variants = "",
    .tolerance = 1e-5,
    .create = bf16_create,
    .encode = bf16_encode,
    .score = bf16_score,
    .score_many = bf16_score_many,
    .reconstruct = bf16_reconstruct,
    .bytes_per_row = bf16_bytes_per_row,
    .destroy = kvq_state_free,
};
