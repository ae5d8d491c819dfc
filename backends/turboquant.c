/* turboquant: TurboQuant-mse (Zandieh, Daliri, Hadian, Mirrokni, "TurboQuant: Online Vector
 * Quantization with Near-optimal Distortion Rate", arXiv 2504.19874, Algorithm 1), with the
 * randomised Walsh–Hadamard rotation of backends/wht.h in place of a dense random rotation and the
 * row norm stored, so rows need not be unit vectors. Rotate, divide by the norm, quantize each
 * coordinate with the Lloyd–Max codebook of N(0, 1/d) at b bits (backends/turbo.h); decode by
 * looking the centroids up, scaling by the norm and rotating back.
 *
 * Code layout: the f32 norm (little endian), then the d indices of b bits packed as in
 * backends/bitpack.h: 4 + ceil(d b / 8) bytes, b + 32/d bits per coordinate (plus padding to a
 * byte). Shared bytes: the rotation's seed (8). Parameters: bits (1 to 8, default 4), seed.
 *
 * Distortion: for unit vectors the expected squared error is d times the per-coordinate Lloyd–Max
 * error of N(0, 1/d), i.e. the N(0, 1) value C_b = 0.3634, 0.1175, 0.03455, 0.009501 for b = 1..4
 * (paper, Theorem 1: ~0.36, 0.117, 0.03, 0.009), and the relative MSE of any rows is the same C_b.
 * Known answer (tests/test_codecs1_turboquant.c): random unit vectors of d = 128 reach per-vector
 * MSE within 5% of C_b for b = 1..4. */
#include "bitpack.h"
#include "decoded_score.h"
#include "kvq/backend.h"
#include "seed.h"
#include "turbo.h"
#include "util.h"
#include "widths.h"

#include <stdlib.h>
#include <string.h>

#define TQ_NORM_BYTES sizeof(float)
_Static_assert(sizeof(float) == 4, "the code stores the norm as a 4-byte float");

static const kvq_param_doc turboquant_params[] = {
    {"bits", "4", "bits per coordinate, 1 to 8 (Lloyd-Max levels 2^bits)"},
    KVQ_SEED_PARAM,
    {NULL, NULL, NULL},
};

typedef struct turboquant_state {
    kvq_turbo stage;
    unsigned bits;
} turboquant_state;

static void turboquant_destroy(void *state)
{
    turboquant_state *s = state;
    if (!s) return;
    kvq_turbo_free(&s->stage);
    free(s);
}

static int turboquant_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                             kvq_error *err)
{
    long bits;
    uint64_t seed;
    int rc = kvq_param_capped(p, "bits", 1, KVQ_LLOYD_MAX_BITS, "8-bit codebook index", &bits, err);
    if (!rc) rc = kvq_codec_seed(p, rng, &seed, err);
    if (rc) return rc;
    turboquant_state *s = kvq_state_calloc("turboquant", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->bits = (unsigned)bits;
    rc = kvq_turbo_init(&s->stage, dim, s->bits, seed, "turboquant", err);
    if (rc) {
        free(s);
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

static size_t turboquant_bytes_per_row(const void *state)
{
    const turboquant_state *s = state;
    return TQ_NORM_BYTES + kvq_packed_bytes(s->stage.dim, s->bits);
}

static size_t turboquant_shared_bytes(const void *state)
{
    (void)state;
    return KVQ_SEED_BYTES;
}

/* Scratch for one row: the rotated row and its indices. */
typedef struct turboquant_scratch {
    float *y;
    uint8_t *index;
} turboquant_scratch;

static int turboquant_scratch_alloc(const turboquant_state *s, turboquant_scratch *w,
                                    kvq_error *err)
{
    w->y = kvq_state_calloc("turboquant", s->stage.dim * sizeof *w->y, err);
    w->index = w->y ? kvq_state_calloc("turboquant", s->stage.dim, err) : NULL;
    if (w->index) return KVQ_OK;
    free(w->y);
    return KVQ_ENOMEM;
}

static void turboquant_scratch_free(turboquant_scratch *w)
{
    free(w->y);
    free(w->index);
}

static int turboquant_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                             kvq_error *err)
{
    const turboquant_state *s = state;
    size_t dim = s->stage.dim, bytes = turboquant_bytes_per_row(s);
    turboquant_scratch w;
    if (turboquant_scratch_alloc(s, &w, err)) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint8_t *code = codes + i * bytes;
        float norm = kvq_turbo_quantize(&s->stage, rows + i * dim, w.y, w.index);
        memset(code, 0, bytes);
        memcpy(code, &norm, TQ_NORM_BYTES);
        kvq_pack_bits(w.index, dim, s->bits, code + TQ_NORM_BYTES, 0);
    }
    turboquant_scratch_free(&w);
    return KVQ_OK;
}

/* The rotated-frame decoding of one code into y. */
static void turboquant_decode_rotated(const turboquant_state *s, const uint8_t *code,
                                      uint8_t *index, float *y)
{
    float norm;
    memcpy(&norm, code, TQ_NORM_BYTES);
    kvq_unpack_bits(code + TQ_NORM_BYTES, 0, s->bits, s->stage.dim, index);
    kvq_turbo_dequantize(&s->stage, index, norm, y);
}

static int turboquant_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                                  kvq_error *err)
{
    const turboquant_state *s = state;
    size_t dim = s->stage.dim, bytes = turboquant_bytes_per_row(s);
    uint8_t *index = kvq_state_calloc("turboquant", dim, err);
    if (!index) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        turboquant_decode_rotated(s, codes + i * bytes, index, rows + i * dim);
        kvq_rotation_invert(&s->stage.rotation, rows + i * dim);
    }
    free(index);
    return KVQ_OK;
}

/* <q, x^> = <R q, y^>: the query is rotated once, rows stay in the rotated frame. */
static void rotate_query(const void *state, float *query)
{
    const turboquant_state *s = state;
    kvq_rotation_apply(&s->stage.rotation, query);
}

static void decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                             float *factor, void *index)
{
    (void)factor;
    const turboquant_state *s = state;
    size_t bytes = turboquant_bytes_per_row(s);
    for (size_t i = 0; i < m; i++)
        turboquant_decode_rotated(s, codes + i * bytes, index, rows + i * s->stage.dim);
}

/* Scores are the float dot product of the rotated query and the rotated decoded row: a row is
 * never rotated back. */
static int turboquant_score_many(const void *state, const float *queries, size_t nq,
                                 const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const turboquant_state *s = state;
    kvq_decoded_score d = {.codec = "turboquant",
                           .dim = s->stage.dim,
                           .query_dim = s->stage.dim,
                           .code_bytes = turboquant_bytes_per_row(s),
                           .prepare = rotate_query,
                           .decode = decode_for_score,
                           .scratch_bytes = s->stage.dim};
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

static int turboquant_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                            float *out, kvq_error *err)
{
    return turboquant_score_many(state, query, 1, codes, n, out, err);
}

const kvq_backend kvq_backend_turboquant = {
    .name = "turboquant",
    .summary = "TurboQuant-mse: Walsh-Hadamard rotation, f32 norm, Lloyd-Max N(0,1/d) codes "
               "(bits + 32/d per coordinate)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = turboquant_params,
    .variants = "bits=1;bits=2;bits=3;bits=4",
    .tolerance = 0.0100,
    .create = turboquant_create,
    .encode = turboquant_encode,
    .score = turboquant_score,
    .score_many = turboquant_score_many,
    .reconstruct = turboquant_reconstruct,
    .bytes_per_row = turboquant_bytes_per_row,
    .shared_bytes = turboquant_shared_bytes,
    .destroy = turboquant_destroy,
};
