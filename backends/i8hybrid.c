/* i8hybrid: a palette index plus a per-row int8 residual. The palette is palette's (k <= 256
 * colours by furthest-point sampling, refined by `iters` Lloyd iterations, backends/kmeans.h);
 * the residual r = x - c of each row is quantized like int8: scale = max_j |r_j| / 127, q_j =
 * round(r_j / scale) in [-127, 127]; a row decodes to c + scale q. Code layout: u8 index, f32
 * scale (little endian, unaligned), dim i8: 5 + dim bytes, 8 + 40 / dim bits per coordinate.
 * Shared bytes: the palette (k * dim f32).
 * Known answers (its test checks them): a row equal to a colour decodes exactly, with scale 0
 * (at iters=0 the colours are training rows); on N(0,1) rows the error is below int8's on the
 * rows themselves, about palette's relative MSE times int8's, since int8's error scales with the
 * energy it codes. */
#include "absmax8.h"
#include "decoded_score.h"
#include "kmeans.h"
#include "kvq/backend.h"
#include "util.h"
#include "widths.h"

#include <stdlib.h>
#include <string.h>

static const kvq_param_doc i8hybrid_params[] = {
    {"k", "256", "palette size (u8 index: at most 256)"},
    {"iters", "10", "Lloyd iterations after furthest-point sampling"},
    {NULL, NULL, NULL},
};

/* The fixed head of a code; dim i8 residual values follow. */
typedef struct i8hybrid_head {
    uint8_t index;
    uint8_t scale[4]; /* f32, little endian */
} i8hybrid_head;
_Static_assert(sizeof(i8hybrid_head) == 5, "an i8hybrid code starts with 5 bytes");

typedef struct i8hybrid_state {
    size_t dim, k;
    unsigned iters;
    int fitted;
    kvq_codebook colors;
} i8hybrid_state;

static void i8hybrid_destroy(void *state)
{
    i8hybrid_state *s = state;
    if (!s) return;
    kvq_codebook_free(&s->colors);
    free(s);
}

static int i8hybrid_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                           kvq_error *err)
{
    (void)rng;
    long k, iters;
    int rc = kvq_param_capped(p, "k", 1, 256, "u8 palette index", &k, err);
    if (!rc) rc = kvq_params_int(p, "iters", 0, 1000, &iters, err);
    if (rc) return rc;
    i8hybrid_state *s = kvq_state_calloc("i8hybrid", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->k = (size_t)k;
    s->iters = (unsigned)iters;
    rc = kvq_codebook_alloc(&s->colors, s->k, dim, "i8hybrid", err);
    if (rc) {
        i8hybrid_destroy(s);
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

static int i8hybrid_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    (void)rng;
    i8hybrid_state *s = state;
    int rc = kvq_kmeans_fps(&s->colors, rows, n, s->iters, "i8hybrid", err);
    s->fitted = !rc;
    return rc;
}

static size_t i8hybrid_bytes_per_row(const void *state)
{
    const i8hybrid_state *s = state;
    return sizeof(i8hybrid_head) + s->dim;
}

/* Quantizes the residual r (dim floats) into code (head + dim i8). */
static void i8hybrid_pack(const i8hybrid_state *s, size_t index, const float *r, uint8_t *code)
{
    float scale = kvq_absmax8_quantize(r, s->dim, code + sizeof(i8hybrid_head));
    i8hybrid_head head = {.index = (uint8_t)index};
    memcpy(head.scale, &scale, sizeof scale);
    memcpy(code, &head, sizeof head);
}

static int i8hybrid_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                           kvq_error *err)
{
    const i8hybrid_state *s = state;
    if (!s->fitted) return kvq_fail(err, KVQ_EINVAL, "i8hybrid: encode before fit");
    float *resid = malloc(n * s->dim * sizeof *resid);
    size_t *idx = malloc(n * sizeof *idx);
    int rc = resid && idx ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "i8hybrid: out of memory encoding");
    if (!rc) rc = kvq_codebook_residuals(&s->colors, rows, n, idx, resid, "i8hybrid", err);
    for (size_t i = 0; i < n && !rc; i++)
        i8hybrid_pack(s, idx[i], resid + i * s->dim, codes + i * i8hybrid_bytes_per_row(s));
    free(resid);
    free(idx);
    return rc;
}

static i8hybrid_head i8hybrid_head_of(const uint8_t *code, float *scale)
{
    i8hybrid_head head;
    memcpy(&head, code, sizeof head);
    memcpy(scale, head.scale, sizeof *scale);
    return head;
}

/* The residual part of the scores: each row's float sum of query_t r_t in coordinate order,
 * times its scale. */
static void i8hybrid_decode_for_score(const void *state, const uint8_t *codes, size_t m,
                                      float *rows, float *factor, void *scratch)
{
    (void)scratch;
    const i8hybrid_state *s = state;
    for (size_t r = 0; r < m; r++) {
        const uint8_t *code = codes + r * i8hybrid_bytes_per_row(s);
        i8hybrid_head_of(code, &factor[r]);
        for (size_t t = 0; t < s->dim; t++)
            rows[r * s->dim + t] = (float)(int8_t)code[sizeof(i8hybrid_head) + t];
    }
}

/* score = <query, colour> (in double, kvq_codebook_dots) + scale * the residual's float sum. */
static int i8hybrid_score_many(const void *state, const float *queries, size_t nq,
                               const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const i8hybrid_state *s = state;
    size_t bytes = i8hybrid_bytes_per_row(s);
    for (size_t i = 0; i < n; i++) {
        float scale;
        i8hybrid_head head = i8hybrid_head_of(codes + i * bytes, &scale);
        int rc = kvq_codebook_check(&s->colors, head.index, i, "i8hybrid", err);
        if (rc) return rc;
    }
    float *table = malloc(nq * s->k * sizeof *table);
    if (!table) return kvq_fail(err, KVQ_ENOMEM, "i8hybrid: out of memory scoring");
    for (size_t k = 0; k < nq; k++)
        kvq_codebook_dots(&s->colors, queries + k * s->dim, table + k * s->k);
    kvq_decoded_score d = {.codec = "i8hybrid",
                           .dim = s->dim,
                           .query_dim = s->dim,
                           .code_bytes = bytes,
                           .decode = i8hybrid_decode_for_score,
                           .scaled = 1,
                           .sequential = 1};
    int rc = kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
    for (size_t k = 0; k < nq && !rc; k++)
        for (size_t i = 0; i < n; i++) {
            float scale;
            i8hybrid_head head = i8hybrid_head_of(codes + i * bytes, &scale);
            out[k * n + i] = table[k * s->k + head.index] + out[k * n + i];
        }
    free(table);
    return rc;
}

static int i8hybrid_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                          float *out, kvq_error *err)
{
    return i8hybrid_score_many(state, query, 1, codes, n, out, err);
}

static int i8hybrid_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                                kvq_error *err)
{
    const i8hybrid_state *s = state;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *code = codes + i * i8hybrid_bytes_per_row(s);
        float scale;
        i8hybrid_head head = i8hybrid_head_of(code, &scale);
        int rc = kvq_codebook_check(&s->colors, head.index, i, "i8hybrid", err);
        if (rc) return rc;
        const float *c = s->colors.centroids + head.index * s->dim;
        for (size_t t = 0; t < s->dim; t++)
            rows[i * s->dim + t] = c[t] + scale * (float)(int8_t)code[sizeof head + t];
    }
    return KVQ_OK;
}

static size_t i8hybrid_shared_bytes(const void *state)
{
    const i8hybrid_state *s = state;
    return kvq_codebook_bytes(&s->colors);
}

const kvq_backend kvq_backend_i8hybrid = {
    .name = "i8hybrid",
    .summary = "palette index (u8) plus a per-row int8 residual with an f32 absmax scale",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = i8hybrid_params,
    .variants = "k=16;k=256",
    .tolerance = 5e-5,
    .create = i8hybrid_create,
    .fit = i8hybrid_fit,
    .encode = i8hybrid_encode,
    .score = i8hybrid_score,
    .score_many = i8hybrid_score_many,
    .reconstruct = i8hybrid_reconstruct,
    .bytes_per_row = i8hybrid_bytes_per_row,
    .shared_bytes = i8hybrid_shared_bytes,
    .destroy = i8hybrid_destroy,
};
