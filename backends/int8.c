/* int8: symmetric per-row absmax quantization. scale = max_j |x_j| / 127, q_j = round(x_j / scale)
 * (ties away from zero) in [-127, 127]; x^_j = scale * q_j. Code layout: f32 scale (little endian)
 * then dim i8 values: 4 + dim bytes, 8 + 32/dim bits per coordinate. An all-zero row has scale 0.
 * Relative MSE on N(0,1) rows of dim 128: E[max|x|^2] / 127^2 / 12 * 127/128 = 4.18e-5 (uniform
 * error over a step, on every coordinate but the exact maximum; tests/golden/gen_foundation.py
 * integrates the value the known-answer test checks). Known answer: the row (1, -0.5, 0.25, 0)
 * encodes to scale 1/127, codes (127, -64, 32, 0)
 * (-63.5 rounds away from zero). */
#include "absmax8.h"
#include "decoded_score.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdlib.h>

#include <string.h>

static const kvq_param_doc int8_params[] = {{NULL, NULL, NULL}};

static int int8_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_dim_state_create("int8", dim, state, err);
}

static float int8_scale_of(const uint8_t *code)
{
    float scale;
    memcpy(&scale, code, sizeof scale);
    return scale;
}

static int int8_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                       kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    for (size_t i = 0; i < n; i++) {
        const float *x = rows + i * s->dim;
        uint8_t *code = codes + i * (sizeof(float) + s->dim);
        float scale = kvq_absmax8_quantize(x, s->dim, code + sizeof(float));
        memcpy(code, &scale, sizeof scale);
    }
    return KVQ_OK;
}

static int int8_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                            kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *code = codes + i * (sizeof(float) + s->dim);
        float scale = int8_scale_of(code);
        for (size_t j = 0; j < s->dim; j++)
            rows[i * s->dim + j] = scale * (float)(int8_t)code[sizeof(float) + j];
    }
    return KVQ_OK;
}

/* Scores: each row's float sum of query_j q_j in coordinate order, times its scale. */
static void int8_decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                                  float *factor, void *scratch)
{
    (void)scratch;
    const kvq_dim_state *s = state;
    for (size_t r = 0; r < m; r++) {
        const uint8_t *code = codes + r * (sizeof(float) + s->dim);
        factor[r] = int8_scale_of(code);
        for (size_t j = 0; j < s->dim; j++)
            rows[r * s->dim + j] = (float)(int8_t)code[sizeof(float) + j];
    }
}

static int int8_score_many(const void *state, const float *queries, size_t nq, const uint8_t *codes,
                           size_t n, float *out, kvq_error *err)
{
    const kvq_dim_state *s = state;
    kvq_decoded_score d = {.codec = "int8",
                           .dim = s->dim,
                           .query_dim = s->dim,
                           .code_bytes = sizeof(float) + s->dim,
                           .decode = int8_decode_for_score,
                           .scaled = 1,
                           .sequential = 1};
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

static int int8_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                      float *out, kvq_error *err)
{
    return int8_score_many(state, query, 1, codes, n, out, err);
}

static size_t int8_bytes_per_row(const void *state)
{
    const kvq_dim_state *s = state;
    return sizeof(float) + s->dim;
}

const kvq_backend kvq_backend_int8 = {
    .name = "int8",
    .summary = "symmetric int8, per-row absmax scale (8 bits per coordinate + f32 scale)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = int8_params,
    .variants = "",
    .tolerance = 1e-4,
    .create = int8_create,
    .encode = int8_encode,
    .score = int8_score,
    .score_many = int8_score_many,
    .reconstruct = int8_reconstruct,
    .bytes_per_row = int8_bytes_per_row,
    .destroy = kvq_state_free,
};
