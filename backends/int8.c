/* int8: symmetric per-row absmax quantization. scale = max_j |x_j| / 127, q_j = round(x_j / scale)
 * (ties away from zero) in [-127, 127]; x^_j = scale * q_j. Code layout: f32 scale (little endian)
 * then dim i8 values: 4 + dim bytes, 8 + 32/dim bits per coordinate. An all-zero row has scale 0.
 * Relative MSE on N(0,1) rows of dim 128: E[max|x|^2] / 127^2 / 12 * 127/128 = 4.18e-5 (uniform
 * error over a step, on every coordinate but the exact maximum; tests/golden/gen_foundation.py
 * integrates the value the known-answer test checks). Known answer: the row (1, -0.5, 0.25, 0)
 * encodes to scale 1/127, codes (127, -64, 32, 0)
 * (-63.5 rounds away from zero). */
#include "absmax8.h"
#include "dotf.h"
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

/* Rows scored side by side: each keeps its own float sum over the coordinates in order, the sum
 * it would have alone, and the INT8_ROWS sums advance together, which vectorises. */
#define INT8_ROWS 8

/* out[r] = scale_r <query, q_r> for the rows < INT8_ROWS codes holds; t: dim x INT8_ROWS floats. */
KVQ_VECTOR_CLONES static void int8_score_rows(const float *query, const uint8_t *codes, size_t dim,
                                              size_t rows, float *t, float *out)
{
    for (size_t r = 0; r < rows; r++) {
        const uint8_t *q = codes + r * (sizeof(float) + dim) + sizeof(float);
        for (size_t j = 0; j < dim; j++) t[j * INT8_ROWS + r] = (float)(int8_t)q[j];
    }
    float acc[INT8_ROWS] = {0};
    for (size_t j = 0; j < dim; j++)
        for (size_t r = 0; r < INT8_ROWS; r++) acc[r] += query[j] * t[j * INT8_ROWS + r];
    for (size_t r = 0; r < rows; r++)
        out[r] = int8_scale_of(codes + r * (sizeof(float) + dim)) * acc[r];
}

static int int8_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                      float *out, kvq_error *err)
{
    const kvq_dim_state *s = state;
    float *t = kvq_state_calloc("int8", s->dim * INT8_ROWS * sizeof *t, err);
    if (!t) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i += INT8_ROWS)
        int8_score_rows(query, codes + i * (sizeof(float) + s->dim), s->dim,
                        n - i < INT8_ROWS ? n - i : INT8_ROWS, t, out + i);
    free(t);
    return KVQ_OK;
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
    .reconstruct = int8_reconstruct,
    .bytes_per_row = int8_bytes_per_row,
    .destroy = kvq_state_free,
};
