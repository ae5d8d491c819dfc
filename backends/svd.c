/* svd: rank-r projection on a shared basis (PCA / truncated SVD, Eckart and Young 1936). Fit
 * learns the mean of the rows and their top-r principal directions V (backends/pca.h): exactly
 * (GSL eigendecomposition of the covariance) or by randomised subspace iteration with power
 * iterations and re-orthonormalisation (Halko, Martinsson and Tropp 2011); by default exactly up
 * to dim 256 and randomised above, where the exact O(dim^3) solve takes minutes. A row x is coded
 * by its r coefficients c = V (x - mean) and decodes to mean + V^T c. Code layout: r little-endian
 * f32 coefficients, 4 r bytes, 32 r / dim bits per coordinate; shared bytes: the basis (r * dim
 * f32) and the mean (dim f32, when centring). score is <q, mean> + sum_i c_i <q, v_i>, with the
 * r + 1 inner products computed once per call.
 * Known answer (its test checks it against numpy.linalg.svd, tests/golden/gen_codecs2.py): the
 * relative MSE of a fit on a fixed matrix is the share of the variance outside the top r
 * singular directions, and the basis spans numpy's. */
#include "kvq/backend.h"
#include "pca.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const kvq_param_doc svd_params[] = {
    {"rank", "32", "rank r of the projection (1..dim)"},
    {"method", "auto",
     "basis: 'exact' (eigendecomposition), 'random' (randomised SVD), 'auto' "
     "(exact up to dim 256)"},
    {"power", "2", "randomised: power iterations"},
    {"oversample", "10", "randomised: extra sketch columns"},
    {"center", "1", "subtract the mean of the fitted rows first"},
    {NULL, NULL, NULL},
};

typedef struct svd_state {
    size_t dim, rank;
    kvq_pca_opts opts;
    int fitted;
    float *mean;  /* dim */
    float *basis; /* rank x dim, orthonormal rows */
} svd_state;

static void svd_destroy(void *state)
{
    svd_state *s = state;
    if (!s) return;
    free(s->mean);
    free(s->basis);
    free(s);
}

static int svd_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)rng;
    long rank, power, oversample;
    int center;
    kvq_pca_method method;
    int rc = kvq_params_int(p, "rank", 1, 1L << 20, &rank, err);
    if (!rc) rc = kvq_pca_method_param("svd", "method", kvq_params_get(p, "method"), &method, err);
    if (!rc) rc = kvq_params_int(p, "power", 0, 20, &power, err);
    if (!rc) rc = kvq_params_int(p, "oversample", 0, 1000, &oversample, err);
    if (!rc) rc = kvq_params_bool(p, "center", &center, err);
    if (rc) return rc;
    if ((size_t)rank > dim)
        return kvq_fail(err, KVQ_EINVAL, "svd: rank=%ld exceeds the row dimension %zu", rank, dim);
    svd_state *s = kvq_state_calloc("svd", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->rank = (size_t)rank;
    s->opts = (kvq_pca_opts){method, center, (size_t)oversample, (unsigned)power};
    s->mean = calloc(dim, sizeof *s->mean);
    s->basis = calloc(s->rank * dim, sizeof *s->basis);
    if (!s->mean || !s->basis) {
        svd_destroy(s);
        return kvq_fail(err, KVQ_ENOMEM, "svd: out of memory for a rank-%ld basis", rank);
    }
    *state = s;
    return KVQ_OK;
}

static int svd_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    svd_state *s = state;
    double *var = malloc(s->rank * sizeof *var), total;
    if (!var) return kvq_fail(err, KVQ_ENOMEM, "svd: out of memory");
    int rc = kvq_pca(rows, n, s->dim, s->rank, &s->opts, rng, s->mean, s->basis, var, &total, "svd",
                     err);
    free(var);
    s->fitted = !rc;
    return rc;
}

static size_t svd_bytes_per_row(const void *state)
{
    const svd_state *s = state;
    return s->rank * sizeof(float);
}

static int svd_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                      kvq_error *err)
{
    const svd_state *s = state;
    if (!s->fitted) return kvq_fail(err, KVQ_EINVAL, "svd: encode before fit");
    float *centred = malloc(s->dim * sizeof *centred);
    if (!centred) return kvq_fail(err, KVQ_ENOMEM, "svd: out of memory encoding");
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < s->dim; t++) centred[t] = rows[i * s->dim + t] - s->mean[t];
        for (size_t r = 0; r < s->rank; r++) {
            float c = kvq_dot(centred, s->basis + r * s->dim, s->dim);
            memcpy(codes + i * svd_bytes_per_row(s) + r * sizeof c, &c, sizeof c);
        }
    }
    free(centred);
    return KVQ_OK;
}

static float svd_coefficient(const uint8_t *code, size_t r)
{
    float c;
    memcpy(&c, code + r * sizeof c, sizeof c);
    return c;
}

static int svd_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                     float *out, kvq_error *err)
{
    const svd_state *s = state;
    float *proj = malloc(s->rank * sizeof *proj);
    if (!proj) return kvq_fail(err, KVQ_ENOMEM, "svd: out of memory scoring");
    for (size_t r = 0; r < s->rank; r++) proj[r] = kvq_dot(query, s->basis + r * s->dim, s->dim);
    float offset = kvq_dot(query, s->mean, s->dim);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *code = codes + i * svd_bytes_per_row(s);
        float acc = offset;
        for (size_t r = 0; r < s->rank; r++) acc += svd_coefficient(code, r) * proj[r];
        out[i] = acc;
    }
    free(proj);
    return KVQ_OK;
}

static int svd_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                           kvq_error *err)
{
    (void)err;
    const svd_state *s = state;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *code = codes + i * svd_bytes_per_row(s);
        float *x = rows + i * s->dim;
        memcpy(x, s->mean, s->dim * sizeof *x);
        for (size_t r = 0; r < s->rank; r++) {
            float c = svd_coefficient(code, r);
            for (size_t t = 0; t < s->dim; t++) x[t] += c * s->basis[r * s->dim + t];
        }
    }
    return KVQ_OK;
}

static size_t svd_shared_bytes(const void *state)
{
    const svd_state *s = state;
    return (s->rank + (s->opts.center ? 1 : 0)) * s->dim * sizeof(float);
}

const kvq_backend kvq_backend_svd = {
    .name = "svd",
    .summary =
        "rank-r projection on a shared PCA basis (exact or randomised SVD), f32 coefficients",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = svd_params,
    .variants = "rank=8;rank=16;rank=32;rank=32,method=random;rank=64",
    .tolerance = 0.7,
    .create = svd_create,
    .fit = svd_fit,
    .encode = svd_encode,
    .score = svd_score,
    .reconstruct = svd_reconstruct,
    .bytes_per_row = svd_bytes_per_row,
    .shared_bytes = svd_shared_bytes,
    .destroy = svd_destroy,
};
