/* bf16: bfloat16, round to nearest, ties to even (the top 16 bits of the f32 pattern after
 * rounding). A code is dim little-endian u16 values (2 * dim bytes, 16 bits per coordinate).
 * Relative MSE on N(0,1) rows: ulp(x)^2 / 12 averaged, about 2.35e-6 (8 significand bits; the
 * value tests/golden/gen_theory.py integrates and tests/test_backend_known.c checks). Known answer:
 * bf16(1/3) = 0x3eab. */
#include "dotf.h"
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

/* Rows scored side by side: each keeps its own float sum over the coordinates in order, the sum
 * it would have alone, and the BF16_ROWS sums advance together, which vectorises. */
#define BF16_ROWS 8

/* out[r] = <query, row r> for the rows < BF16_ROWS codes hold; t: dim x BF16_ROWS floats. */
KVQ_VECTOR_CLONES static void bf16_score_rows(const float *query, const uint8_t *codes, size_t dim,
                                              size_t rows, float *t, float *out)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < dim; j++)
            t[j * BF16_ROWS + r] =
                kvq_float_of_bits((uint32_t)bf16_load(codes + r * 2 * dim, j) << 16);
    float acc[BF16_ROWS] = {0};
    for (size_t j = 0; j < dim; j++)
        for (size_t r = 0; r < BF16_ROWS; r++) acc[r] += query[j] * t[j * BF16_ROWS + r];
    for (size_t r = 0; r < rows; r++) out[r] = acc[r];
}

static int bf16_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                      float *out, kvq_error *err)
{
    const kvq_dim_state *s = state;
    float *t = kvq_state_calloc("bf16", s->dim * BF16_ROWS * sizeof *t, err);
    if (!t) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i += BF16_ROWS)
        bf16_score_rows(query, codes + i * 2 * s->dim, s->dim,
                        n - i < BF16_ROWS ? n - i : BF16_ROWS, t, out + i);
    free(t);
    return KVQ_OK;
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
    .reconstruct = bf16_reconstruct,
    .bytes_per_row = bf16_bytes_per_row,
    .destroy = kvq_state_free,
};
