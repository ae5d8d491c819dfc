/* palette: a shared palette of k <= 256 centroids and a u8 index per row, with an optional leaf
 * that codes the residual on a shared SVD basis. The palette is chosen by furthest-point sampling
 * (Gonzalez 1985: the row furthest from the mean first, then repeatedly the row furthest from all
 * chosen so far; backends/kmeans.h), then refined by `iters` Lloyd iterations. iters=0 keeps the
 * sampled rows themselves, as the research did; it is in the ladder, but not the default: on
 * isotropic data furthest points are outliers, and decoding to the nearest of them is worse than
 * decoding to zero (relative MSE 1.40 on 2048 N(0,1) rows of dim 128), which no default may be.
 * Leaf (leaf=1): the residual r = x - c is projected on the top leaf_rank principal directions of
 * the training residuals (uncentred PCA, backends/pca.h: exact up to dim 256, randomised above);
 * each coefficient is an i8 with a shared per-direction scale (the largest |coefficient| of the
 * training rows over 127; larger ones are clipped). Code layout: u8 index, then leaf_rank i8
 * coefficients when leaf=1 (the research's 9 bytes per row at leaf_rank=8): 8 (1 + leaf_rank) / dim
 * bits per coordinate. Shared bytes: the palette (k * dim f32), and with the leaf the basis
 * (leaf_rank * dim f32) and the scales (leaf_rank f32). Known answer (its test checks it against
 * tests/golden/gen_codecs2.py, which samples the same furthest points with numpy): at iters=0 the
 * palette is exactly the rows numpy picks, and each row decodes to the nearest of them. */
#include "kmeans.h"
#include "kvq/backend.h"
#include "pca.h"
#include "util.h"
#include "widths.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const kvq_param_doc palette_params[] = {
    {"k", "256", "palette size (u8 index: at most 256)"},
    {"iters", "10", "Lloyd iterations after furthest-point sampling (0: the sampled rows)"},
    {"leaf", "0", "code the residual on a shared SVD basis (i8 coefficients)"},
    {"leaf_rank", "8", "leaf: basis directions, one i8 each"},
    {NULL, NULL, NULL},
};

typedef struct palette_state {
    size_t dim, k, rank; /* rank = 0 without the leaf */
    unsigned iters;
    int fitted;
    kvq_codebook colors;
    float *basis; /* rank x dim */
    float *scale; /* rank */
} palette_state;

static void palette_destroy(void *state)
{
    palette_state *s = state;
    if (!s) return;
    kvq_codebook_free(&s->colors);
    free(s->basis);
    free(s->scale);
    free(s);
}

static int palette_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                          kvq_error *err)
{
    (void)rng;
    long k, iters, rank;
    int leaf;
    int rc = kvq_param_capped(p, "k", 1, 256, "u8 palette index", &k, err);
    if (!rc) rc = kvq_params_int(p, "iters", 0, 1000, &iters, err);
    if (!rc) rc = kvq_params_bool(p, "leaf", &leaf, err);
    if (!rc) rc = kvq_params_int(p, "leaf_rank", 1, 1L << 20, &rank, err);
    if (rc) return rc;
    if (leaf && (size_t)rank > dim)
        return kvq_fail(err, KVQ_EINVAL, "palette: leaf_rank=%ld exceeds the row dimension %zu",
                        rank, dim);
    palette_state *s = kvq_state_calloc("palette", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->k = (size_t)k;
    s->rank = leaf ? (size_t)rank : 0;
    s->iters = (unsigned)iters;
    rc = kvq_codebook_alloc(&s->colors, s->k, dim, "palette", err);
    if (!rc && s->rank) {
        s->basis = calloc(s->rank * dim, sizeof *s->basis);
        s->scale = calloc(s->rank, sizeof *s->scale);
        if (!s->basis || !s->scale)
            rc = kvq_fail(err, KVQ_ENOMEM, "palette: out of memory for the leaf basis");
    }
    if (rc) {
        palette_destroy(s);
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

/* The leaf coefficient of direction r for residual res, before rounding. */
static float palette_coefficient(const palette_state *s, const float *res, size_t r)
{
    return kvq_dot(res, s->basis + r * s->dim, s->dim);
}

/* The basis of the training residuals and the scale of each direction. */
static int palette_fit_leaf(palette_state *s, const float *rows, size_t n, kvq_rng *rng,
                            kvq_error *err)
{
    float *resid = malloc(n * s->dim * sizeof *resid), *mean = malloc(s->dim * sizeof *mean);
    double *var = malloc(s->rank * sizeof *var), total;
    int rc = resid && mean && var
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "palette: out of memory for the leaf");
    if (!rc) rc = kvq_codebook_residuals(&s->colors, rows, n, NULL, resid, "palette", err);
    kvq_pca_opts opts = {KVQ_PCA_AUTO, 0, 10, 2};
    if (!rc)
        rc = kvq_pca(resid, n, s->dim, s->rank, &opts, rng, mean, s->basis, var, &total, "palette",
                     err);
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t r = 0; r < s->rank; r++) {
            float a = fabsf(palette_coefficient(s, resid + i * s->dim, r)) / 127.0f;
            if (a > s->scale[r]) s->scale[r] = a;
        }
    free(resid);
    free(mean);
    free(var);
    return rc;
}

static int palette_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    palette_state *s = state;
    int rc = kvq_kmeans_fps(&s->colors, rows, n, s->iters, "palette", err);
    if (!rc && s->rank) rc = palette_fit_leaf(s, rows, n, rng, err);
    s->fitted = !rc;
    return rc;
}

static size_t palette_bytes_per_row(const void *state)
{
    const palette_state *s = state;
    return 1 + s->rank;
}

static int palette_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                          kvq_error *err)
{
    const palette_state *s = state;
    if (!s->fitted) return kvq_fail(err, KVQ_EINVAL, "palette: encode before fit");
    size_t bytes = palette_bytes_per_row(s);
    float *resid = malloc(n * s->dim * sizeof *resid);
    size_t *idx = malloc(n * sizeof *idx);
    int rc = resid && idx ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "palette: out of memory encoding");
    if (!rc) rc = kvq_codebook_residuals(&s->colors, rows, n, idx, resid, "palette", err);
    for (size_t i = 0; i < n && !rc; i++) {
        codes[i * bytes] = (uint8_t)idx[i];
        for (size_t r = 0; r < s->rank; r++) {
            float a = palette_coefficient(s, resid + i * s->dim, r);
            float q = s->scale[r] > 0.0f ? roundf(a / s->scale[r]) : 0.0f;
            codes[i * bytes + 1 + r] = (uint8_t)(int8_t)fminf(127.0f, fmaxf(-127.0f, q));
        }
    }
    free(resid);
    free(idx);
    return rc;
}

/* The leaf's weight on direction r in a code: scale * coefficient. */
static float palette_weight(const palette_state *s, const uint8_t *code, size_t r)
{
    return s->scale[r] * (float)(int8_t)code[1 + r];
}

static int palette_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                         float *out, kvq_error *err)
{
    const palette_state *s = state;
    size_t bytes = palette_bytes_per_row(s);
    float *table = malloc((s->k + s->rank) * sizeof *table), *proj = table + s->k;
    if (!table) return kvq_fail(err, KVQ_ENOMEM, "palette: out of memory scoring");
    kvq_codebook_dots(&s->colors, query, table);
    for (size_t r = 0; r < s->rank; r++) proj[r] = kvq_dot(query, s->basis + r * s->dim, s->dim);
    int rc = KVQ_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const uint8_t *code = codes + i * bytes;
        rc = kvq_codebook_check(&s->colors, code[0], i, "palette", err);
        if (rc) break;
        float acc = table[code[0]];
        for (size_t r = 0; r < s->rank; r++) acc += palette_weight(s, code, r) * proj[r];
        out[i] = acc;
    }
    free(table);
    return rc;
}

static int palette_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                               kvq_error *err)
{
    const palette_state *s = state;
    size_t bytes = palette_bytes_per_row(s);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *code = codes + i * bytes;
        float *x = rows + i * s->dim;
        int rc = kvq_codebook_check(&s->colors, code[0], i, "palette", err);
        if (rc) return rc;
        memcpy(x, s->colors.centroids + code[0] * s->dim, s->dim * sizeof *x);
        for (size_t r = 0; r < s->rank; r++) {
            float w = palette_weight(s, code, r);
            for (size_t t = 0; t < s->dim; t++) x[t] += w * s->basis[r * s->dim + t];
        }
    }
    return KVQ_OK;
}

static size_t palette_shared_bytes(const void *state)
{
    const palette_state *s = state;
    return kvq_codebook_bytes(&s->colors) + s->rank * (s->dim + 1) * sizeof(float);
}

const kvq_backend kvq_backend_palette = {
    .name = "palette",
    .summary = "256-colour palette by furthest-point sampling (u8 index), optional i8 SVD leaf",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = palette_params,
    .variants = "iters=0;iters=10;iters=10,leaf=1;iters=10,leaf=1,leaf_rank=32",
    .tolerance = 0.8,
    .create = palette_create,
    .fit = palette_fit,
    .encode = palette_encode,
    .score = palette_score,
    .reconstruct = palette_reconstruct,
    .bytes_per_row = palette_bytes_per_row,
    .shared_bytes = palette_shared_bytes,
    .destroy = palette_destroy,
};
