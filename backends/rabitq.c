/* rabitq: RaBitQ (Gao and Long, "RaBitQ: Quantizing High-Dimensional Vectors with a Theoretical
 * Error Bound for Approximate Nearest Neighbor Search", SIGMOD 2024) with the extended codes of
 * Gao et al., "Practical and Asymptotically Optimal Quantization of High-Dimensional Vectors in
 * Euclidean Space for Approximate Nearest Neighbor Search" (arXiv 2409.09913) at more than 1 bit.
 * The centroid is 0 (no clustering): a row x is normalised, o = x / |x|, rotated, o' = R o
 * (backends/wht.h), and coded as the grid point g in {-(2^B - 1)/2, ..., (2^B - 1)/2}^d (half
 * integers; at B = 1 the signs of o', scaled) whose direction g^ = g / |g| is closest to o'. The
 * code keeps |x| and the correction <g^, o'>; the score
 *     <q, x>^ = |x| <g^, R q> / <g^, o'>
 * is unbiased over the random rotation (RaBitQ, Theorem 3.2: the error is <g^, e> <q, e> /
 * <g^, o'> along the direction e orthogonal to o, whose sign is symmetric).
 *
 * The B-bit grid point: with a_j = |o'_j| and magnitudes k_j + 1/2, k_j in [0, 2^(B-1)), the best
 * g is the rounding of t a onto the grid for the best scale t; as t grows, coordinate j steps up
 * at t = k / a_j, so sweeping these d (2^(B-1) - 1) breakpoints in order and tracking <g, a> and
 * |g|^2 finds the exact maximum of the cosine (the extended paper's critical-value search).
 *
 * Hybrid grade: reconstruct returns |x| <g^, o'> R^T g^, the projection of x on the code's
 * direction (least squared error along it), while the score divides by <g^, o'> instead (unbiased);
 * they differ by the factor <g^, o'>^2 (about 2/pi at 1 bit).
 *
 * Code layout: the f32 norm |x|, the f32 correction <g^, o'> (little endian), then the d codes
 * u_j = g_j + (2^B - 1)/2 of B bits packed as in backends/bitpack.h: 8 + ceil(B d / 8) bytes,
 * B + 64/d bits per coordinate. A zero row stores norm 0 and scores 0. Shared bytes: the rotation's
 * seed (8). Parameters: bits (1 to 8, default 1), seed.
 *
 * Known answer (tests/test_codecs1_rabitq.c): over 10^5 query-row pairs the mean error of the
 * score is within 3 standard errors of 0 (while |x| <g^, R q> alone is biased toward 0); at 1
 * bit the correction of any row is sum_j |o'_j| / sqrt(d), about sqrt(2/pi). */
#include "bitpack.h"
#include "decoded_score.h"
#include "dotf.h"
#include "kvq/backend.h"
#include "metrics/radix.h"
#include "seed.h"
#include "util.h"
#include "wht.h"
#include "widths.h"

#include <gsl/gsl_sort_float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RQ_MAX_BITS 8
#define RQ_SCALAR_BYTES (2 * sizeof(float))
_Static_assert(sizeof(float) == 4, "the code stores two 4-byte floats");

static const kvq_param_doc rabitq_params[] = {
    {"bits", "1", "bits per coordinate, 1 to 8 (above 1: extended RaBitQ)"},
    KVQ_SEED_PARAM,
    {NULL, NULL, NULL},
};

typedef struct rabitq_state {
    size_t dim;
    unsigned bits;
    kvq_rotation rotation;
} rabitq_state;

static void rabitq_destroy(void *state)
{
    rabitq_state *s = state;
    if (!s) return;
    kvq_rotation_free(&s->rotation);
    free(s);
}

static int rabitq_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                         kvq_error *err)
{
    long bits;
    uint64_t seed;
    int rc = kvq_param_capped(p, "bits", 1, RQ_MAX_BITS, "8-bit code", &bits, err);
    if (!rc) rc = kvq_codec_seed(p, rng, &seed, err);
    if (rc) return rc;
    rabitq_state *s = kvq_state_calloc("rabitq", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->bits = (unsigned)bits;
    rc = kvq_rotation_init(&s->rotation, dim, seed, "rabitq", err);
    if (rc) {
        free(s);
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

static size_t rabitq_bytes_per_row(const void *state)
{
    const rabitq_state *s = state;
    return RQ_SCALAR_BYTES + kvq_packed_bytes(s->dim, s->bits);
}

static size_t rabitq_shared_bytes(const void *state)
{
    (void)state;
    return KVQ_SEED_BYTES;
}

/* ---- the grid point ---- */

/* Scratch of the scale sweep: the coordinates by increasing |o'_j|, the next breakpoint of each
 * level's list, and the coordinates in the order they step up. */
typedef struct rq_sweep {
    size_t *order;   /* dim */
    size_t *head;    /* 2^(bits-1): per level k >= 1, how many coordinates have reached it */
    size_t *path;    /* dim * (2^(bits-1) - 1) */
    uint64_t *words; /* 2 dim: the radix sort's (key, coordinate) words and its scratch */
} rq_sweep;

/* w->order: the coordinates by increasing a_j, as gsl_sort_float_index orders them. When the
 * positive a_j are all distinct (and none is negative or NaN), their order, the only part of it the
 * sweep reads (zeros come first and are never stepped), is the one every sort gives, and a radix
 * sort of (bits of a_j, j) finds it in a few passes; otherwise GSL's heap sort decides, whose order
 * among equal values the codes depend on. */
static void rq_order(const float *a, size_t dim, const rq_sweep *w)
{
    uint64_t *v = w->words;
    int distinct = 1;
    for (size_t j = 0; j < dim; j++) {
        uint32_t u;
        memcpy(&u, &a[j], sizeof u);
        distinct &= u <= UINT32_C(0x7f800000); /* +0 to +inf */
        v[j] = (uint64_t)u << 32 | j;
    }
    if (distinct) kvq_sort_by_key(v, v + dim, dim);
    for (size_t i = 1; distinct && i < dim; i++)
        distinct = v[i] >> 32 != v[i - 1] >> 32 || v[i] >> 32 == 0;
    if (!distinct) {
        gsl_sort_float_index(w->order, a, 1, dim);
        return;
    }
    for (size_t i = 0; i < dim; i++) w->order[i] = (size_t)(uint32_t)v[i];
}

/* Magnitudes k[j] in [0, 2^(bits-1)) maximising the cosine between (k + 1/2) and a = |o'|.
 * Coordinate j reaches level k at scale t = k / a_j, so level k's breakpoints come in the order of
 * decreasing a_j: the sweep merges these 2^(bits-1) - 1 sorted lists, taking the smallest next
 * breakpoint each step, and records which coordinate stepped. */
static void rq_magnitudes(const float *a, size_t dim, unsigned bits, const rq_sweep *w, uint8_t *k)
{
    unsigned top = (1u << (bits - 1)) - 1u;
    rq_order(a, dim, w);
    size_t live = dim; /* coordinates with a_j > 0, the last ones of order */
    while (live > 0 && a[w->order[dim - live]] <= 0.0f) live--;
    for (unsigned level = 1; level <= top; level++) w->head[level] = 0;
    memset(k, 0, dim);
    /* cosines compared squared and cross-multiplied, breakpoints l / a compared as l a' < l' a:
     * no division or root in the loop */
    double dot = 0.0, sq = 0.25 * (double)dim, best_dot = 0.0, best_sq = 1.0;
    for (size_t j = 0; j < dim; j++) dot += 0.5 * a[j];
    size_t steps = 0, best_steps = 0;
    for (;;) {
        if (dot * dot * best_sq > best_dot * best_dot * sq) {
            best_dot = dot;
            best_sq = sq;
            best_steps = steps;
        }
        unsigned pick = 0;
        float a_pick = 0.0f;
        for (unsigned level = 1; level <= top; level++) {
            if (w->head[level] == live) continue;
            float a_next = a[w->order[dim - 1 - w->head[level]]];
            if (!pick || (float)level * a_pick < (float)pick * a_next) {
                pick = level;
                a_pick = a_next;
            }
        }
        if (!pick) break;
        size_t j = w->order[dim - 1 - w->head[pick]++];
        w->path[steps++] = j;
        dot += a[j];
        sq += 2.0 * k[j] + 2.0; /* (k + 3/2)^2 - (k + 1/2)^2 */
        k[j]++;
    }
    memset(k, 0, dim);
    for (size_t e = 0; e < best_steps; e++) k[w->path[e]]++;
}

/* Per-call scratch. */
typedef struct rq_scratch {
    float *y;       /* dim: the rotated row or query */
    float *g;       /* dim: the decoded grid point, or |o'| while encoding */
    uint8_t *u;     /* dim: codes */
    rq_sweep sweep; /* encode only */
} rq_scratch;

static int rq_scratch_alloc(const rabitq_state *s, int encoding, rq_scratch *w, kvq_error *err)
{
    size_t levels = (size_t)1 << (s->bits - 1);
    size_t words = encoding ? s->dim + levels + s->dim * (levels - 1) : 0;
    memset(w, 0, sizeof *w);
    w->y = kvq_state_calloc("rabitq", 2 * s->dim * sizeof *w->y, err);
    if (w->y) w->u = kvq_state_calloc("rabitq", s->dim, err);
    if (w->u && words) w->sweep.order = kvq_state_calloc("rabitq", words * sizeof(size_t), err);
    if (w->sweep.order)
        w->sweep.words = kvq_state_calloc("rabitq", 2 * s->dim * sizeof *w->sweep.words, err);
    if (!w->u || (words && !w->sweep.words)) {
        free(w->y);
        free(w->u);
        free(w->sweep.order);
        return KVQ_ENOMEM;
    }
    w->g = w->y + s->dim;
    if (words) {
        w->sweep.head = w->sweep.order + s->dim;
        w->sweep.path = w->sweep.head + levels;
    }
    return KVQ_OK;
}

static void rq_scratch_free(rq_scratch *w)
{
    free(w->y);
    free(w->u);
    free(w->sweep.order);
    free(w->sweep.words);
}

/* g_j = u_j - (2^bits - 1)/2 for the codes u; returns |g|. */
static float rq_grid(const rabitq_state *s, const uint8_t *u, float *g)
{
    float half = 0.5f * (float)((1u << s->bits) - 1u);
    for (size_t j = 0; j < s->dim; j++) g[j] = (float)u[j] - half;
    return (float)sqrt((double)kvq_dot(g, g, s->dim));
}

static void rq_encode_row(const rabitq_state *s, const float *x, rq_scratch *w, uint8_t *code)
{
    memcpy(w->y, x, s->dim * sizeof *w->y);
    kvq_rotation_apply(&s->rotation, w->y);
    float norm = (float)sqrt((double)kvq_dot(x, x, s->dim));
    unsigned middle = 1u << (s->bits - 1);
    for (size_t j = 0; j < s->dim; j++) w->g[j] = fabsf(w->y[j]);
    rq_magnitudes(w->g, s->dim, s->bits, &w->sweep, w->u);
    for (size_t j = 0; j < s->dim; j++) /* sign and magnitude to the code u */
        w->u[j] = (uint8_t)(w->y[j] >= 0.0f ? middle + w->u[j] : middle - 1u - w->u[j]);
    float length = rq_grid(s, w->u, w->g);
    float correction = norm > 0.0f ? kvq_dotf(w->g, w->y, s->dim) / (length * norm) : 0.0f;
    memset(code, 0, rabitq_bytes_per_row(s));
    memcpy(code, &norm, sizeof norm);
    memcpy(code + sizeof norm, &correction, sizeof correction);
    kvq_pack_bits(w->u, s->dim, s->bits, code + RQ_SCALAR_BYTES, 0);
}

static int rabitq_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                         kvq_error *err)
{
    const rabitq_state *s = state;
    size_t bytes = rabitq_bytes_per_row(s);
    rq_scratch w;
    if (rq_scratch_alloc(s, 1, &w, err)) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) rq_encode_row(s, rows + i * s->dim, &w, codes + i * bytes);
    rq_scratch_free(&w);
    return KVQ_OK;
}

/* ---- decode ---- */

/* Decodes a code into the unit direction g^ (in w->g) and returns the factor that multiplies it:
 * |x| <g^, o'> for reconstruction, |x| / <g^, o'> for the unbiased score (0 for a zero row). */
static float rq_decode(const rabitq_state *s, const uint8_t *code, int for_score, rq_scratch *w)
{
    float norm, correction;
    memcpy(&norm, code, sizeof norm);
    memcpy(&correction, code + sizeof norm, sizeof correction);
    kvq_unpack_bits(code + RQ_SCALAR_BYTES, 0, s->bits, s->dim, w->u);
    float length = rq_grid(s, w->u, w->g);
    for (size_t j = 0; j < s->dim; j++) w->g[j] /= length;
    if (correction <= 0.0f) return 0.0f;
    return for_score ? norm / correction : norm * correction;
}

static int rabitq_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                              kvq_error *err)
{
    const rabitq_state *s = state;
    size_t bytes = rabitq_bytes_per_row(s);
    rq_scratch w;
    if (rq_scratch_alloc(s, 0, &w, err)) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        float *row = rows + i * s->dim;
        float factor = rq_decode(s, codes + i * bytes, 0, &w);
        for (size_t j = 0; j < s->dim; j++) row[j] = factor * w.g[j];
        kvq_rotation_invert(&s->rotation, row);
    }
    rq_scratch_free(&w);
    return KVQ_OK;
}

static void rotate_query(const void *state, float *query)
{
    const rabitq_state *s = state;
    kvq_rotation_apply(&s->rotation, query);
}

static void decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                             float *factor, void *u)
{
    const rabitq_state *s = state;
    size_t bytes = rabitq_bytes_per_row(s);
    for (size_t i = 0; i < m; i++) {
        rq_scratch w = {.g = rows + i * s->dim, .u = u};
        factor[i] = rq_decode(s, codes + i * bytes, 1, &w);
    }
}

/* Scores are the decoded factor times the float dot product of the rotated query and the decoded
 * grid point. */
static int rabitq_score_many(const void *state, const float *queries, size_t nq,
                             const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const rabitq_state *s = state;
    kvq_decoded_score d = {.codec = "rabitq",
                           .dim = s->dim,
                           .query_dim = s->dim,
                           .code_bytes = rabitq_bytes_per_row(s),
                           .prepare = rotate_query,
                           .decode = decode_for_score,
                           .scratch_bytes = s->dim,
                           .scaled = 1};
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

static int rabitq_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                        float *out, kvq_error *err)
{
    return rabitq_score_many(state, query, 1, codes, n, out, err);
}

const kvq_backend kvq_backend_rabitq = {
    .name = "rabitq",
    .summary = "RaBitQ: rotation, 1-bit codes (extended RaBitQ above) with norm and correction, "
               "unbiased scores",
    .grade = KVQ_GRADE_HYBRID,
    .params = rabitq_params,
    .variants = "bits=1;bits=2;bits=4",
    .tolerance = 0.37,
    .create = rabitq_create,
    .encode = rabitq_encode,
    .score = rabitq_score,
    .score_many = rabitq_score_many,
    .reconstruct = rabitq_reconstruct,
    .bytes_per_row = rabitq_bytes_per_row,
    .shared_bytes = rabitq_shared_bytes,
    .destroy = rabitq_destroy,
};
