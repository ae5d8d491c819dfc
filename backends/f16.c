/* f16: IEEE 754 binary16, round to nearest, ties to even. A code is dim little-endian u16 values
 * (2 * dim bytes, 16 bits per coordinate, no per-row scalar). Values beyond the largest half,
 * +-65504, saturate to it instead of overflowing to infinity, so every code decodes to finite
 * numbers (the contract of reconstruct); f16 subnormals (|x| < 2^-14) are kept.
 *
 * The conversions here are branch-free so that encode and score vectorise (no lookup table, no
 * F16C instructions, which the baseline x86-64 lacks): f32 -> f16 rounds normal numbers by integer
 * arithmetic on the bit pattern and subnormal ones by adding 0.5f, whose unit in the last place is
 * 2^-24, the f16 subnormal step, so the FPU's own round-to-nearest-even does the rounding; f16 ->
 * f32 shifts the bits into place and multiplies by 2^112 to rebias the exponent, exactly. They
 * agree with core/half.c (the scalar reference) on every finite input below the saturation point
 * (tests/test_codecs1_f16.c sweeps them).
 *
 * Relative MSE on N(0,1) rows: ulp(x)^2 / 12 averaged, about 4.3e-8 (11 significand bits: 2^-6
 * times bf16's 2.76e-6; tests/golden/gen_codecs1.py integrates it). Known answer: f16(1/3) =
 * 0x3555, f16(-2) = 0xc000, f16(1e6) saturates to 0x7bff. */
#include "dotf.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define F16_MAX_BITS 0x477fe000u   /* 65504.0f, the largest finite half */
#define F16_MIN_NORMAL 0x38800000u /* 2^-14 */
#define F32_HALF_BITS 0x3f000000u  /* 0.5f */
#define F16_REBIAS 0x38000000u     /* (127 - 15) << 23 */

static const kvq_param_doc f16_params[] = {{NULL, NULL, NULL}};

static int f16_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_dim_state_create("f16", dim, state, err);
}

static uint32_t f16_bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float f16_float_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* f finite. Both roundings are computed and one is selected by a mask, so the loop has no branch
 * and vectorises. */
static uint16_t f16_from_f32(float f)
{
    uint32_t u = f16_bits_of(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t a = u & 0x7fffffffu;
    a = a > F16_MAX_BITS ? F16_MAX_BITS : a;
    uint32_t normal = (a + 0xfffu + ((a >> 13) & 1u) - F16_REBIAS) >> 13;
    uint32_t subnormal = f16_bits_of(f16_float_of(a) + 0.5f) - F32_HALF_BITS;
    uint32_t is_subnormal = 0u - (uint32_t)(a < F16_MIN_NORMAL);
    return (uint16_t)(sign | (subnormal & is_subnormal) | (normal & ~is_subnormal));
}

static float f16_to_f32(uint32_t h)
{
    float magnitude = f16_float_of((h & 0x7fffu) << 13) * 0x1p112f;
    return f16_float_of(f16_bits_of(magnitude) | (h & 0x8000u) << 16);
}

static void f16_decode(const uint8_t *code, size_t dim, float *row)
{
    for (size_t j = 0; j < dim; j++)
        row[j] = f16_to_f32(code[2 * j] | (uint32_t)code[2 * j + 1] << 8);
}

static int f16_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                      kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    size_t count = n * s->dim; /* hoisted: the byte stores below may alias *s */
    for (size_t i = 0; i < count; i++) {
        uint16_t h = f16_from_f32(rows[i]);
        codes[2 * i] = (uint8_t)(h & 0xffu);
        codes[2 * i + 1] = (uint8_t)(h >> 8);
    }
    return KVQ_OK;
}

static int f16_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                           kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    f16_decode(codes, n * s->dim, rows);
    return KVQ_OK;
}

static int f16_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                     float *out, kvq_error *err)
{
    const kvq_dim_state *s = state;
    float *row = kvq_state_calloc("f16", s->dim * sizeof *row, err);
    if (!row) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        f16_decode(codes + i * 2 * s->dim, s->dim, row);
        out[i] = kvq_dotf(query, row, s->dim);
    }
    free(row);
    return KVQ_OK;
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
    .reconstruct = f16_reconstruct,
    .bytes_per_row = f16_bytes_per_row,
    .destroy = kvq_state_free,
};
