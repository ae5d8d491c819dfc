/* polarquant: PolarQuant (Han, Kacham, Karbasi, Mirrokni, Zandieh, "PolarQuant: Quantizing KV
 * Caches with Polar Transformation", arXiv 2502.02617). The row, zero-padded to D = the next power
 * of two, is rotated (backends/wht.h) and turned into polar coordinates recursively: level 1 pairs
 * the coordinates (y_2i, y_2i+1) into a radius and an angle atan2(y_2i+1, y_2i) in [0, 2 pi);
 * level l > 1 pairs the radii of level l-1 into a radius and an angle in [0, pi/2]. After L levels
 * the D / 2^L radii are stored as f16 and every angle as the index of its level's codebook.
 *
 * After the rotation the coordinates are close to i.i.d. Gaussian, so the angles are independent
 * with known densities (paper, Lemma 2): uniform on [0, 2 pi) at level 1, and proportional to
 * sin^(n-1)(2 psi) with n = 2^(l-1) at level l (psi = asin(sqrt(B)), B ~ Beta(n/2, n/2)). Each
 * level's codebook is the Lloyd–Max quantizer of that density (backends/lloyd.h, by GSL
 * integration, started from the Beta quantiles), computed at create: the paper's offline
 * codebook. Decoding multiplies the top radii down the tree by the cosines and sines of the
 * centroids and rotates back.
 *
 * Code layout: the D / 2^L radii as little-endian f16 (saturating at 65504), then one bit stream
 * (backends/bitpack.h) of the level-1 angle indices (D/2 of bits1 bits), then levels 2..L (D/2^l
 * of bits bits each). Bytes: 2 D / 2^L + ceil((D/2 bits1 + (D/2 - D/2^L) bits) / 8). The paper's
 * setting, the default (L = 4, bits1 = 4, bits = 2), at d = 128: 16 + 46 = 62 bytes, 3.875 bits
 * per coordinate. L is capped at log2 D (then one radius, the norm, is stored); dim 1 is refused.
 * Shared bytes: the rotation's seed (8). Rows of norm above about 65504 * sqrt(D / 2^L) clip.
 *
 * Known answer (tests/test_codecs1_polarquant.c): the level codebooks match a Lloyd iteration in
 * scipy on the same densities, and a row whose angles all sit on centroids decodes exactly. */
#include "bitpack.h"
#include "decoded_score.h"
#include "halfvec.h"
#include "kvq/backend.h"
#include "lloyd.h"
#include "seed.h"
#include "util.h"
#include "wht.h"
#include "widths.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PQ_MAX_LEVELS 24
#define PQ_RADIUS_BYTES 2

static const kvq_param_doc polarquant_params[] = {
    {"levels", "4", "polar levels L, 1 to 24 (capped at log2 of the padded dimension)"},
    {"bits1", "4", "bits per level-1 angle, 1 to 8"},
    {"bits", "2", "bits per angle of levels 2..L, 1 to 8"},
    KVQ_SEED_PARAM,
    {NULL, NULL, NULL},
};

typedef struct polarquant_state {
    size_t dim, padded; /* d, and D = the next power of two */
    unsigned levels;
    kvq_rotation rotation; /* of dimension D */
    kvq_lloyd codebook[PQ_MAX_LEVELS];
    float *cos_sin; /* per level l, the cosines then the sines of its centroids */
} polarquant_state;

static void polarquant_destroy(void *state)
{
    polarquant_state *s = state;
    if (!s) return;
    kvq_rotation_free(&s->rotation);
    free(s->cos_sin);
    free(s);
}

/* ---- the angle densities ---- */

static double uniform_pdf(double psi, void *ctx)
{
    (void)psi;
    (void)ctx;
    return 1.0;
}

/* sin^(n-1)(2 psi) on [0, pi/2], n = *(double *)ctx (unnormalised: lloyd.h divides by the mass). */
static double level_pdf(double psi, void *ctx)
{
    double n = *(const double *)ctx, s = sin(2.0 * psi);
    return s > 0.0 ? exp((n - 1.0) * log(s)) : 0.0;
}

static double level_quantile(double p, void *ctx)
{
    double n = *(const double *)ctx;
    return asin(sqrt(gsl_cdf_beta_Pinv(p, n / 2.0, n / 2.0)));
}

static int polarquant_codebooks(polarquant_state *s, unsigned bits1, unsigned bits, kvq_error *err)
{
    const double two_pi = 2.0 * acos(-1.0);
    kvq_density first = {uniform_pdf, NULL, NULL, 0.0, two_pi, "polarquant:uniform"};
    int rc = kvq_lloyd_density(&first, bits1, &s->codebook[0], "polarquant", err);
    for (unsigned l = 1; l < s->levels && !rc; l++) {
        double n = ldexp(1.0, (int)l); /* level l + 1 pairs radii of 2^l coordinates */
        char key[32];
        snprintf(key, sizeof key, "polarquant:level%u", l);
        kvq_density d = {level_pdf, level_quantile, &n, 0.0, acos(-1.0) / 2.0, key};
        rc = kvq_lloyd_density(&d, bits, &s->codebook[l], "polarquant", err);
    }
    if (rc) return rc;
    s->cos_sin = kvq_state_calloc("polarquant",
                                  2 * s->levels * KVQ_LLOYD_MAX_LEVELS * sizeof *s->cos_sin, err);
    if (!s->cos_sin) return KVQ_ENOMEM;
    for (unsigned l = 0; l < s->levels; l++) {
        float *cs = s->cos_sin + 2 * l * KVQ_LLOYD_MAX_LEVELS;
        for (unsigned k = 0; k < s->codebook[l].levels; k++) {
            cs[k] = (float)cos((double)s->codebook[l].centroid[k]);
            cs[KVQ_LLOYD_MAX_LEVELS + k] = (float)sin((double)s->codebook[l].centroid[k]);
        }
    }
    return KVQ_OK;
}

static int polarquant_read_params(const kvq_params *p, size_t dim, long *levels, long *bits1,
                                  long *bits, kvq_error *err)
{
    int rc = kvq_params_int(p, "levels", 1, PQ_MAX_LEVELS, levels, err);
    if (!rc)
        rc = kvq_param_capped(p, "bits1", 1, KVQ_LLOYD_MAX_BITS, "8-bit angle index", bits1, err);
    if (!rc)
        rc = kvq_param_capped(p, "bits", 1, KVQ_LLOYD_MAX_BITS, "8-bit angle index", bits, err);
    if (!rc && dim < 2)
        rc = kvq_fail(err, KVQ_EUNSUPPORTED,
                      "polarquant: dimension %zu has no angle to quantize (needs dim >= 2)", dim);
    return rc;
}

static int polarquant_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                             kvq_error *err)
{
    long levels, bits1, bits;
    uint64_t seed;
    int rc = polarquant_read_params(p, dim, &levels, &bits1, &bits, err);
    if (!rc) rc = kvq_codec_seed(p, rng, &seed, err);
    if (rc) return rc;
    polarquant_state *s = kvq_state_calloc("polarquant", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->padded = kvq_pow2_ceil(dim);
    unsigned depth = 0;
    while (((size_t)2 << depth) <= s->padded) depth++;
    s->levels = (unsigned)levels < depth ? (unsigned)levels : depth;
    rc = kvq_rotation_init(&s->rotation, s->padded, seed, "polarquant", err);
    if (!rc) rc = polarquant_codebooks(s, (unsigned)bits1, (unsigned)bits, err);
    if (rc) {
        polarquant_destroy(s);
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

/* ---- layout ---- */

static size_t pq_radii(const polarquant_state *s)
{
    return s->padded >> s->levels;
}

static size_t pq_angle_bits(const polarquant_state *s)
{
    size_t total = 0;
    for (unsigned l = 0; l < s->levels; l++) total += (s->padded >> (l + 1)) * s->codebook[l].bits;
    return total;
}

static size_t polarquant_bytes_per_row(const void *state)
{
    const polarquant_state *s = state;
    return PQ_RADIUS_BYTES * pq_radii(s) + kvq_packed_bytes(pq_angle_bits(s), 1);
}

static size_t polarquant_shared_bytes(const void *state)
{
    (void)state;
    return KVQ_SEED_BYTES;
}

/* ---- encode ---- */

/* One level: the angle of each pair (v[2i], v[2i+1]) into index[i], its radius into v[i]. */
static void pq_level(const kvq_lloyd *cb, float *v, size_t pairs, int first, uint8_t *index)
{
    const float two_pi = (float)(2.0 * acos(-1.0));
    for (size_t i = 0; i < pairs; i++) {
        float a = v[2 * i], b = v[2 * i + 1];
        float psi = atan2f(b, a);
        if (first && psi < 0.0f) psi += two_pi;
        index[i] = (uint8_t)kvq_lloyd_index(cb, psi);
        v[i] = hypotf(a, b);
    }
}

static void pq_encode_row(const polarquant_state *s, const float *x, float *v, uint8_t *index,
                          uint8_t *code)
{
    memset(v, 0, s->padded * sizeof *v);
    memcpy(v, x, s->dim * sizeof *v);
    kvq_rotation_apply(&s->rotation, v);
    size_t offset = 0, count = s->padded;
    uint8_t *angles = code + PQ_RADIUS_BYTES * pq_radii(s);
    for (unsigned l = 0; l < s->levels; l++) {
        count /= 2;
        pq_level(&s->codebook[l], v, count, l == 0, index);
        kvq_pack_bits(index, count, s->codebook[l].bits, angles, offset);
        offset += count * s->codebook[l].bits;
    }
    for (size_t i = 0; i < count; i++) {
        uint16_t h = kvq_half_from_float(v[i]); /* saturates at 65504 */
        code[2 * i] = (uint8_t)(h & 0xffu);
        code[2 * i + 1] = (uint8_t)(h >> 8);
    }
}

/* Scratch for one row at a time: vectors x padded floats and padded angle indices. */
static int pq_scratch(const polarquant_state *s, size_t vectors, float **v, uint8_t **index,
                      kvq_error *err)
{
    *v = kvq_state_calloc("polarquant", vectors * s->padded * sizeof **v, err);
    *index = *v ? kvq_state_calloc("polarquant", s->padded, err) : NULL;
    if (*index) return KVQ_OK;
    free(*v);
    return KVQ_ENOMEM;
}

static int polarquant_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                             kvq_error *err)
{
    const polarquant_state *s = state;
    size_t bytes = polarquant_bytes_per_row(s);
    float *v;
    uint8_t *index;
    if (pq_scratch(s, 1, &v, &index, err) != KVQ_OK) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        memset(codes + i * bytes, 0, bytes);
        pq_encode_row(s, rows + i * s->dim, v, index, codes + i * bytes);
    }
    free(v);
    free(index);
    return KVQ_OK;
}

/* ---- decode ---- */

/* The rotated-frame decoding of a code into v (D floats): the top radii, then down the levels,
 * each radius r with angle centroid c becoming (r cos c, r sin c), the last level first. */
static void pq_decode_rotated(const polarquant_state *s, const uint8_t *code, uint8_t *index,
                              float *v)
{
    size_t radii = pq_radii(s);
    for (size_t i = 0; i < radii; i++)
        v[i] = kvq_half_to_float((uint32_t)(code[2 * i] | code[2 * i + 1] << 8));
    const uint8_t *angles = code + PQ_RADIUS_BYTES * radii;
    size_t offset = pq_angle_bits(s);
    for (unsigned l = s->levels; l-- > 0;) {
        size_t pairs = s->padded >> (l + 1);
        offset -= pairs * s->codebook[l].bits;
        kvq_unpack_bits(angles, offset, s->codebook[l].bits, pairs, index);
        const float *cs = s->cos_sin + 2 * l * KVQ_LLOYD_MAX_LEVELS;
        for (size_t i = pairs; i-- > 0;) { /* backwards: v[2i], v[2i+1] overwrite v[i] */
            float r = v[i];
            v[2 * i] = r * cs[index[i]];
            v[2 * i + 1] = r * cs[KVQ_LLOYD_MAX_LEVELS + index[i]];
        }
    }
}

static int polarquant_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                                  kvq_error *err)
{
    const polarquant_state *s = state;
    size_t bytes = polarquant_bytes_per_row(s);
    float *v;
    uint8_t *index;
    if (pq_scratch(s, 1, &v, &index, err) != KVQ_OK) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        pq_decode_rotated(s, codes + i * bytes, index, v);
        kvq_rotation_invert(&s->rotation, v);
        memcpy(rows + i * s->dim, v, s->dim * sizeof *v);
    }
    free(v);
    free(index);
    return KVQ_OK;
}

/* <q, x^> = <R (q, 0), v^>: the padded query is rotated once. */
static void rotate_query(const void *state, float *query)
{
    const polarquant_state *s = state;
    kvq_rotation_apply(&s->rotation, query);
}

static void decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                             float *factor, void *index)
{
    const polarquant_state *s = state;
    size_t bytes = polarquant_bytes_per_row(s);
    (void)factor;
    for (size_t i = 0; i < m; i++)
        pq_decode_rotated(s, codes + i * bytes, index, rows + i * s->padded);
}

/* Scores are the float dot product, over the padded dimension, of the rotated query and the
 * rotated decoded row. */
static int polarquant_score_many(const void *state, const float *queries, size_t nq,
                                 const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const polarquant_state *s = state;
    kvq_decoded_score d = {.codec = "polarquant",
                           .dim = s->padded,
                           .query_dim = s->dim,
                           .code_bytes = polarquant_bytes_per_row(s),
                           .prepare = rotate_query,
                           .decode = decode_for_score,
                           .scratch_bytes = s->padded};
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

static int polarquant_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                            float *out, kvq_error *err)
{
    return polarquant_score_many(state, query, 1, codes, n, out, err);
}

const kvq_backend kvq_backend_polarquant = {
    .name = "polarquant",
    .summary = "PolarQuant: rotation, recursive polar transform, Lloyd-Max angle codebooks per "
               "level, f16 top radii (3.875 bits at d=128)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = polarquant_params,
    .variants = "levels=4,bits1=3,bits=2;levels=4,bits1=4,bits=2;levels=4,bits1=5,bits=3",
    .tolerance = 0.035,
    .create = polarquant_create,
    .encode = polarquant_encode,
    .score = polarquant_score,
    .score_many = polarquant_score_many,
    .reconstruct = polarquant_reconstruct,
    .bytes_per_row = polarquant_bytes_per_row,
    .shared_bytes = polarquant_shared_bytes,
    .destroy = polarquant_destroy,
};
