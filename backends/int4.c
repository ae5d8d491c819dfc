/* int4: symmetric 4-bit quantization in groups with an f16 scale, as ggml's Q4_0. Each group of
 * `group` consecutive coordinates (the last may be shorter) takes the element m of largest
 * magnitude (+m on a tie between +m and -m, where ggml takes the first), the scale d = f16(m / -8),
 * and codes q_j = clamp(floor(x_j / d + 8.5), 0, 15), decoding to (q_j - 8) d: m itself decodes
 * exactly to -8 d, the other side of the range stops at +7 d. The scale is rounded to f16 before
 * the codes are chosen, so the codes fit the scale that decoding uses. Scales saturate at +-65504
 * (rows beyond 8 * 65504 in magnitude clip).
 *
 * Code layout, per group of L coordinates: the f16 scale (2 bytes, little endian), then ceil(L/2)
 * bytes whose byte k holds coordinate k in its low nibble and coordinate k + ceil(L/2) in its high
 * nibble (ggml's Q4_0 order; a missing last coordinate of an odd L leaves a zero nibble). Bits per
 * coordinate: 4 + 16/group (4.5 at group=32) plus the odd group's padding nibble.
 *
 * Relative MSE on N(0,1) rows at group=32: about 7.4e-3 (a step of max|x|/8, uniform error on the
 * 31 other coordinates of a group; tests/golden/gen_codecs1.py simulates it). Known answer
 * (tests/test_codecs1_int4.c): the group (-8, 4, 1, 0.4) has scale 1 (0x3c00) and codes 0, 12, 9,
 * 8, bytes 00 3c 90 8c. */
#include "decoded_score.h"
#include "halfvec.h"
#include "kvq/backend.h"
#include "kvq/vector_clones.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INT4_MAX_GROUP 4096
#define INT4_DEFAULT_GROUP 32
#define INT4_SCALE_BYTES 2

static const kvq_param_doc int4_params[] = {
    {"group", "32", "coordinates sharing one f16 scale (even, 2 to 4096)"},
    {NULL, NULL, NULL},
};

typedef struct int4_state {
    size_t dim, group;
} int4_state;

static int int4_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)rng;
    long group;
    int rc = kvq_params_int(p, "group", 2, INT4_MAX_GROUP, &group, err);
    if (rc) return rc;
    if (group % 2)
        return kvq_fail(err, KVQ_EINVAL, "int4: group=%ld must be even (two codes per byte)",
                        group);
    int4_state *s = kvq_state_calloc("int4", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->group = (size_t)group;
    *state = s;
    return KVQ_OK;
}

/* Bytes of one group of len coordinates. */
static size_t int4_group_bytes(size_t len)
{
    return INT4_SCALE_BYTES + (len + 1) / 2;
}

static size_t int4_bytes_per_row(const void *state)
{
    const int4_state *s = state;
    size_t full = s->dim / s->group, rest = s->dim % s->group;
    return full * int4_group_bytes(s->group) + (rest ? int4_group_bytes(rest) : 0);
}

static uint32_t int4_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* The f16 scale of a group: its extreme element m over -8, rounded and saturated. Magnitudes are
 * compared as integers (the bit patterns of non-negative floats sort like the floats), and so are
 * the signed patterns, where every negative float sorts below every positive one: m is +max|x|
 * when the largest signed pattern reaches it, else -max|x|. Two max reductions that vectorise,
 * no search for the element. */
static inline uint16_t int4_scale(const float *x, size_t len)
{
    uint32_t amax = 0;
    int32_t top = INT32_MIN;
    for (size_t j = 0; j < len; j++) {
        uint32_t a = int4_bits(x[j]) & 0x7fffffffu;
        int32_t v;
        memcpy(&v, &x[j], sizeof v);
        amax = a > amax ? a : amax;
        top = v > top ? v : top;
    }
    float m;
    memcpy(&m, &amax, sizeof m);
    float d = (top == (int32_t)amax ? m : -m) / -8.0f;
    d = d > 65504.0f ? 65504.0f : d < -65504.0f ? -65504.0f : d; /* no libm call */
    return kvq_half_from_float(d);
}

/* floor(x / d + 8.5) clamped to [0, 15]; clamping first makes truncation equal floor. */
static inline uint8_t int4_code_of(float x, float inv)
{
    float v = x * inv + 8.5f;
    v = v < 0.0f ? 0.0f : v;
    v = v > 15.0f ? 15.0f : v;
    return (uint8_t)(int)v;
}

static inline void int4_encode_group(const float *x, size_t len, uint8_t *out)
{
    uint16_t h = int4_scale(x, len);
    out[0] = (uint8_t)(h & 0xffu);
    out[1] = (uint8_t)(h >> 8);
    float d = kvq_half_to_float(h);
    float inv = 1.0f / d; /* infinite for d = 0, then replaced: a select, not a branch */
    inv = d != 0.0f ? inv : 0.0f;
    size_t half = (len + 1) / 2, both = len - half;
    uint8_t *nibbles = out + INT4_SCALE_BYTES;
    for (size_t k = 0; k < both; k++)
        nibbles[k] = (uint8_t)(int4_code_of(x[k], inv) | int4_code_of(x[k + half], inv) << 4);
    if (both < half) nibbles[half - 1] = int4_code_of(x[half - 1], inv);
}

KVQ_VECTOR_CLONES static int int4_encode(const void *state, const float *rows, size_t n,
                                         uint8_t *codes, kvq_error *err)
{
    (void)err;
    const int4_state *s = state;
    size_t bytes = int4_bytes_per_row(s);
    for (size_t i = 0; i < n; i++) {
        uint8_t *code = codes + i * bytes;
        for (size_t j = 0; j < s->dim; j += s->group) {
            size_t len = s->dim - j < s->group ? s->dim - j : s->group;
            /* a copy for the default group, its length a constant, so that its loops unroll */
            if (len == INT4_DEFAULT_GROUP)
                int4_encode_group(rows + i * s->dim + j, INT4_DEFAULT_GROUP, code);
            else
                int4_encode_group(rows + i * s->dim + j, len, code);
            code += int4_group_bytes(len);
        }
    }
    return KVQ_OK;
}

static inline void int4_decode_group(const uint8_t *in, size_t len, float *x)
{
    float d = kvq_half_to_float((uint32_t)(in[0] | in[1] << 8));
    size_t half = (len + 1) / 2;
    const uint8_t *nibbles = in + INT4_SCALE_BYTES;
    for (size_t k = 0; k < half; k++) x[k] = (float)((nibbles[k] & 0x0f) - 8) * d;
    for (size_t k = half; k < len; k++) x[k] = (float)((nibbles[k - half] >> 4) - 8) * d;
}

static inline void int4_decode(const int4_state *s, const uint8_t *code, float *row)
{
    for (size_t j = 0; j < s->dim; j += s->group) {
        size_t len = s->dim - j < s->group ? s->dim - j : s->group;
        int4_decode_group(code, len, row + j);
        code += int4_group_bytes(len);
    }
}

KVQ_VECTOR_CLONES static int int4_reconstruct(const void *state, const uint8_t *codes, size_t n,
                                              float *rows, kvq_error *err)
{
    (void)err;
    const int4_state *s = state;
    size_t bytes = int4_bytes_per_row(s);
    for (size_t i = 0; i < n; i++) int4_decode(s, codes + i * bytes, rows + i * s->dim);
    return KVQ_OK;
}

/* Scores: kvq_dotf of the query with each decoded row. */
static void int4_decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                                  float *factor, void *scratch)
{
    (void)factor;
    (void)scratch;
    int4_reconstruct(state, codes, m, rows, NULL);
}

static int int4_score_many(const void *state, const float *queries, size_t nq, const uint8_t *codes,
                           size_t n, float *out, kvq_error *err)
{
    const int4_state *s = state;
    kvq_decoded_score d = {.codec = "int4",
                           .dim = s->dim,
                           .query_dim = s->dim,
                           .code_bytes = int4_bytes_per_row(s),
                           .decode = int4_decode_for_score};
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

static int int4_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                      float *out, kvq_error *err)
{
    return int4_score_many(state, query, 1, codes, n, out, err);
}

const kvq_backend kvq_backend_int4 = {
    .name = "int4",
    .summary = "4-bit codes in groups with an f16 absmax scale, as ggml Q4_0 (4.5 bits at "
               "group=32)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = int4_params,
    .variants = "group=32;group=128",
    .tolerance = 8e-3,
    .create = int4_create,
    .encode = int4_encode,
    .score = int4_score,
    .score_many = int4_score_many,
    .reconstruct = int4_reconstruct,
    .bytes_per_row = int4_bytes_per_row,
    .destroy = kvq_state_free,
};
