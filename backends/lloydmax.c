/* lloydmax: the Lloyd–Max optimal scalar quantizer of N(0, 1) (Max 1960; Lloyd 1982) applied to
 * each coordinate after dividing the row by its RMS, sqrt(sum x_j^2 / d): the scalar baseline of
 * the rotation codecs, without the rotation (so rows whose coordinates are not Gaussian, e.g. with
 * outlier channels, fare worse than under turboquant). The codebook is computed at create by
 * Lloyd's iteration (backends/lloyd.h), not pasted.
 *
 * Code layout: the f32 RMS (little endian), then d indices of b bits packed as in
 * backends/bitpack.h: 4 + ceil(d b / 8) bytes, b + 32/d bits per coordinate. Parameters: bits (1
 * to 8, default 4). A zero row has RMS 0 and decodes to 0.
 *
 * Relative MSE on N(0,1) rows: close to the per-coordinate Lloyd–Max error C_b (0.009501 at b =
 * 4), the RMS of a finite row being itself an estimate. Known answer
 * (tests/test_codecs1_lloydmax.c): the row (1, -1, 1, -1) at bits=1 has RMS 1, indices 1, 0, 1, 0
 * (byte 0x05) and decodes to
 * +-sqrt(2/pi). */
#include "bitpack.h"
#include "decoded_score.h"
#include "kvq/backend.h"
#include "lloyd.h"
#include "util.h"
#include "widths.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LM_SCALE_BYTES sizeof(float)
_Static_assert(sizeof(float) == 4, "the code stores the RMS as a 4-byte float");

static const kvq_param_doc lloydmax_params[] = {
    {"bits", "4", "bits per coordinate, 1 to 8 (Lloyd-Max levels 2^bits)"},
    {NULL, NULL, NULL},
};

typedef struct lloydmax_state {
    size_t dim;
    kvq_lloyd codebook;
} lloydmax_state;

static int lloydmax_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                           kvq_error *err)
{
    (void)rng;
    long bits;
    int rc = kvq_param_capped(p, "bits", 1, KVQ_LLOYD_MAX_BITS, "8-bit codebook index", &bits, err);
    if (rc) return rc;
    lloydmax_state *s = kvq_state_calloc("lloydmax", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    rc = kvq_lloyd_gaussian((unsigned)bits, &s->codebook, "lloydmax", err);
    if (rc) {
        free(s);
        return rc;
    }
    s->dim = dim;
    *state = s;
    return KVQ_OK;
}

static size_t lloydmax_bytes_per_row(const void *state)
{
    const lloydmax_state *s = state;
    return LM_SCALE_BYTES + kvq_packed_bytes(s->dim, s->codebook.bits);
}

static int lloydmax_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                           kvq_error *err)
{
    const lloydmax_state *s = state;
    size_t bytes = lloydmax_bytes_per_row(s);
    uint8_t *index = kvq_state_calloc("lloydmax", s->dim, err);
    if (!index) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const float *x = rows + i * s->dim;
        uint8_t *code = codes + i * bytes;
        float rms = (float)sqrt((double)kvq_dot(x, x, s->dim) / (double)s->dim);
        float inv = rms > 0.0f ? 1.0f / rms : 0.0f;
        for (size_t j = 0; j < s->dim; j++)
            index[j] = (uint8_t)kvq_lloyd_index(&s->codebook, x[j] * inv);
        memset(code, 0, bytes);
        memcpy(code, &rms, LM_SCALE_BYTES);
        kvq_pack_bits(index, s->dim, s->codebook.bits, code + LM_SCALE_BYTES, 0);
    }
    free(index);
    return KVQ_OK;
}

static void lloydmax_decode(const lloydmax_state *s, const uint8_t *code, uint8_t *index,
                            float *row)
{
    float rms;
    memcpy(&rms, code, LM_SCALE_BYTES);
    kvq_unpack_bits(code + LM_SCALE_BYTES, 0, s->codebook.bits, s->dim, index);
    for (size_t j = 0; j < s->dim; j++) row[j] = rms * s->codebook.centroid[index[j]];
}

static int lloydmax_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                                kvq_error *err)
{
    const lloydmax_state *s = state;
    size_t bytes = lloydmax_bytes_per_row(s);
    uint8_t *index = kvq_state_calloc("lloydmax", s->dim, err);
    if (!index) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) lloydmax_decode(s, codes + i * bytes, index, rows + i * s->dim);
    free(index);
    return KVQ_OK;
}

static void decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                             float *factor, void *index)
{
    (void)factor;
    const lloydmax_state *s = state;
    size_t bytes = lloydmax_bytes_per_row(s);
    for (size_t i = 0; i < m; i++) lloydmax_decode(s, codes + i * bytes, index, rows + i * s->dim);
}

/* Scores are the float dot product of the query and the decoded row. */
static int lloydmax_score_many(const void *state, const float *queries, size_t nq,
                               const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const lloydmax_state *s = state;
    kvq_decoded_score d = {.codec = "lloydmax",
                           .dim = s->dim,
                           .query_dim = s->dim,
                           .code_bytes = lloydmax_bytes_per_row(s),
                           .decode = decode_for_score,
                           .scratch_bytes = s->dim};
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

static int lloydmax_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                          float *out, kvq_error *err)
{
    return lloydmax_score_many(state, query, 1, codes, n, out, err);
}

const kvq_backend kvq_backend_lloydmax = {
    .name = "lloydmax",
    .summary = "Lloyd-Max N(0,1) codebook per coordinate after a per-row RMS scale (bits + 32/d "
               "per coordinate)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = lloydmax_params,
    .variants = "bits=1;bits=2;bits=3;bits=4;bits=8",
    .tolerance = 0.0100,
    .create = lloydmax_create,
    .encode = lloydmax_encode,
    .score = lloydmax_score,
    .score_many = lloydmax_score_many,
    .reconstruct = lloydmax_reconstruct,
    .bytes_per_row = lloydmax_bytes_per_row,
    .destroy = kvq_state_free,
};
