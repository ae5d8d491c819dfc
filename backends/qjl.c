/* qjl: the 1-bit quantized Johnson–Lindenstrauss sketch (Zandieh, Daliri, Han, "QJL: 1-Bit
 * Quantized JL Transform for KV Cache Quantization with Zero Overhead", arXiv 2406.03482): a row x
 * is stored as |x| and the m = bits * d signs of S x, S an m x d Gaussian matrix, and a score is
 * the unbiased asymmetric estimate sqrt(pi/2) / m * |x| * <S q, sign(S x)> (backends/sketch.h).
 * Signature grade: it estimates inner products and decodes no rows.
 *
 * Code layout: the f32 norm (little endian), then the m sign bits (1 for S x >= 0) packed as in
 * backends/bitpack.h: 4 + ceil(m / 8) bytes, bits + 32/d bits per coordinate. Shared bytes: the
 * seed S is regenerated from (8). Parameters: bits (sketch rows per coordinate, 1 to 16, default
 * 2: m = 2d, the paper's 256 rows at d = 128), seed.
 *
 * Error: the variance of the estimate is (pi/2 |x|^2 |q|^2 - <x, q>^2) / m, so for independent
 * N(0,1) rows and queries the relative MSE of the scores is about (pi/2) d / m - 1/m, 0.78 at the
 * default. Known answer (tests/test_codecs1_qjl.c): over 10^5 query-row pairs with positive
 * correlation, the mean error of the estimate is within 3 standard errors of 0, while the
 * estimate without the sqrt(pi/2) factor is not. */
#include "bitpack.h"
#include "kvq/backend.h"
#include "seed.h"
#include "sketch.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QJL_MAX_BITS 16
#define QJL_NORM_BYTES sizeof(float)
_Static_assert(sizeof(float) == 4, "the code stores the norm as a 4-byte float");

static const kvq_param_doc qjl_params[] = {
    {"bits", "2", "sketch rows per coordinate (m = bits * dim sign bits), 1 to 16"},
    KVQ_SEED_PARAM,
    {NULL, NULL, NULL},
};

static void qjl_destroy(void *state)
{
    kvq_sketch *s = state;
    if (!s) return;
    kvq_sketch_free(s);
    free(s);
}

static int qjl_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    long bits;
    uint64_t seed;
    int rc = kvq_params_int(p, "bits", 1, QJL_MAX_BITS, &bits, err);
    if (!rc) rc = kvq_codec_seed(p, rng, &seed, err);
    if (rc) return rc;
    kvq_sketch *s = kvq_state_calloc("qjl", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    rc = kvq_sketch_init(s, (size_t)bits * dim, dim, seed, "qjl", err);
    if (rc) {
        free(s);
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

static size_t qjl_bytes_per_row(const void *state)
{
    const kvq_sketch *s = state;
    return QJL_NORM_BYTES + kvq_packed_bytes(s->m, 1);
}

static size_t qjl_shared_bytes(const void *state)
{
    (void)state;
    return KVQ_SEED_BYTES;
}

/* Rows projected together: S streams from memory once per QJL_ENCODE_ROWS rows. */
#define QJL_ENCODE_ROWS 8

static int qjl_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                      kvq_error *err)
{
    const kvq_sketch *s = state;
    size_t bytes = qjl_bytes_per_row(s);
    float *proj = kvq_state_calloc("qjl", QJL_ENCODE_ROWS * s->m * sizeof *proj, err);
    if (!proj) return KVQ_ENOMEM;
    memset(codes, 0, n * bytes);
    for (size_t i0 = 0; i0 < n; i0 += QJL_ENCODE_ROWS) {
        size_t count = n - i0 < QJL_ENCODE_ROWS ? n - i0 : QJL_ENCODE_ROWS;
        kvq_sketch_project(s, rows + i0 * s->dim, count, proj);
        for (size_t r = 0; r < count; r++) {
            const float *x = rows + (i0 + r) * s->dim;
            uint8_t *code = codes + (i0 + r) * bytes;
            float norm = (float)sqrt((double)kvq_dot(x, x, s->dim));
            memcpy(code, &norm, QJL_NORM_BYTES);
            kvq_pack_signs(proj + r * s->m, s->m, code + QJL_NORM_BYTES, 0);
        }
    }
    free(proj);
    return KVQ_OK;
}

/* S q once per call; then each code costs one pass over its m sign bits, a word at a time
 * (kvq_sketch_signed_sum). */
static int qjl_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                     float *out, kvq_error *err)
{
    const kvq_sketch *s = state;
    size_t bytes = qjl_bytes_per_row(s);
    float *sq = kvq_state_calloc("qjl", s->m * sizeof *sq, err);
    if (!sq) return KVQ_ENOMEM;
    kvq_sketch_project(s, query, 1, sq);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *code = codes + i * bytes;
        float norm;
        memcpy(&norm, code, QJL_NORM_BYTES);
        out[i] = kvq_sketch_estimate(s, sq, norm, code + QJL_NORM_BYTES, 0);
    }
    free(sq);
    return KVQ_OK;
}

const kvq_backend kvq_backend_qjl = {
    .name = "qjl",
    .summary = "QJL: signs of a Gaussian projection (m = bits * d) plus the f32 norm, unbiased "
               "inner-product estimate",
    .grade = KVQ_GRADE_SIGNATURE,
    .params = qjl_params,
    .variants = "bits=1;bits=2;bits=4;bits=8",
    .tolerance = 0.85,
    .create = qjl_create,
    .encode = qjl_encode,
    .score = qjl_score,
    .bytes_per_row = qjl_bytes_per_row,
    .shared_bytes = qjl_shared_bytes,
    .destroy = qjl_destroy,
};
