/* f16: IEEE 754 binary16, round to nearest, ties to even. A code is dim little-endian u16 values
 * (2 * dim bytes, 16 bits per coordinate, no per-row scalar). Values beyond the largest half,
 * +-65504, saturate to it instead of overflowing to infinity, so every code decodes to finite
 * numbers (the contract of reconstruct); f16 subnormals (|x| < 2^-14) are kept.
 *
 * The conversions are the branch-free ones of backends/halfvec.h, so that encode and score
 * vectorise; they agree with core/half.c (the scalar reference) on every finite input below the
 * saturation point (tests/test_codecs1_f16.c sweeps them).
 *
 * Relative MSE on N(0,1) rows: ulp(x)^2 / 12 averaged, about 4.3e-8 (11 significand bits: 2^-6
 * times bf16's 2.76e-6; tests/golden/gen_codecs1.py integrates it). Known answer: f16(1/3) =
 * 0x3555, f16(-2) = 0xc000, f16(1e6) saturates to 0x7bff. */
#include "decoded_score.h"
#include "halfvec.h"
#include "kvq/backend.h"
#include "kvq/vector_clones.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const kvq_param_doc f16_params[] = {{NULL, NULL, NULL}};

static int f16_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_dim_state_create("f16", dim, state, err);
}

static inline void f16_decode(const uint8_t *code, size_t dim, float *row)
{
    for (size_t j = 0; j < dim; j++)
        row[j] = kvq_half_to_float(code[2 * j] | (uint32_t)code[2 * j + 1] << 8);
}

KVQ_VECTOR_CLONES static int f16_encode(const void *state, const float *rows, size_t n,
                                        uint8_t *codes, kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    size_t count = n * s->dim; /* hoisted: the byte stores below may alias *s */
    for (size_t i = 0; i < count; i++) {
        uint16_t h = kvq_half_from_float(rows[i]);
        codes[2 * i] = (uint8_t)(h & 0xffu);
        codes[2 * i + 1] = (uint8_t)(h >> 8);
    }
    return KVQ_OK;
}

KVQ_VECTOR_CLONES static int f16_reconstruct(const void *state, const uint8_t *codes, size_t n,
                                             float *rows, kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    f16_decode(codes, n * s->dim, rows);
    return KVQ_OK;
}

/* Scores: kvq_dotf of the query with each decoded row. */
static void f16_decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                                 float *factor, void *scratch)
{
    (void)factor;
    (void)scratch;
    const kvq_dim_state *s = state;
    f16_decode(codes, m * s->dim, rows);
}

static int f16_score_many(const void *state, const float *queries, size_t nq, const uint8_t *codes,
                          size_t n, float *out, kvq_error *err)
{
    const kvq_dim_state *s = state;
    kvq_decoded_score d = {.codec = "f16",
                           .dim = s->dim,
                           .query_dim = s->dim,
                           .code_bytes = 2 * s->dim,
                           .decode = f16_decode_for_score};
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

static int f16_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                     float *out, kvq_error *err)
{
    return f16_score_many(state, query, 1, codes, n, out, err);
}

static size_t f16_bytes_per_row(const void *state)
{
    const kvq_dim_state *s = state;
    return 2 * s->dim;
}

const kvq_backend kvq_backend_f16 = {
    .name = "f16",
    .summary = "IEEE half precision, round to nearest even, saturating (16 bits per coordinate)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = f16_params,
    .variants = "",
    .tolerance = 5e-8,
    .create = f16_create,
    .encode = f16_encode,
    .score = f16_score,
    .score_many = f16_score_many,
    .reconstruct = f16_reconstruct,
    .bytes_per_row = f16_bytes_per_row,
    .destroy = kvq_state_free,
};
