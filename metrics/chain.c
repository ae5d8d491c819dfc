/* Chain collapse (include/kvq/chain.h, where the definition is written out). The exact chain runs
 * in float through CBLAS sgemm; the codec chain feeds each estimate (normalised, or through the
 * residual connection and RMSNorm) back as the next query. Every depth is computed up to the cap,
 * so the whole curve is reported even after the collapse.
 * Known answers (tests/test_metrics_chain.c): passthrough never collapses (rho_l stays 1 up to
 * rounding); a codec whose scores are all 0 collapses at depth 1 (rho_1 = 0); the curves of a
 * sign codec, bare and residual, equal numpy's (tests/golden/gen_chain.py). */
#include "kvq/chain.h"
#include "kvq/metrics.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One given layer, encoded. */
typedef struct layer_codes {
    kvq_codec codec;
    uint8_t *codes;
} layer_codes;

/* Adds "chain layer l" in front of err's message, keeping the status. */
static int layer_failed(kvq_error *err, int rc, size_t l)
{
    if (err) kvq_error_wrap(err, "chain layer %zu", l + 1);
    return rc;
}

static int encode_layer(const kvq_backend *b, const kvq_params *p, const float *w, size_t dim,
                        kvq_rng *rng, layer_codes *lc, kvq_error *err)
{
    int rc = kvq_codec_open_backend(&lc->codec, b, p, dim, rng, err);
    if (rc) return rc;
    rc = kvq_codec_fit(&lc->codec, w, dim, rng, err);
    if (rc) return rc;
    lc->codes = malloc(dim * lc->codec.code_bytes);
    if (!lc->codes) return kvq_fail(err, KVQ_ENOMEM, "no memory for %zu codes", dim);
    return kvq_codec_encode(&lc->codec, w, dim, lc->codes, err);
}

static void close_layers(layer_codes *lc, size_t n)
{
    for (size_t l = 0; lc && l < n; l++) {
        if (lc[l].codec.backend) kvq_codec_close(&lc[l].codec);
        free(lc[l].codes);
    }
    free(lc);
}

static void normalize(float *h, size_t dim)
{
    double sum = 0.0;
    for (size_t j = 0; j < dim; j++) sum += (double)h[j] * (double)h[j];
    if (sum == 0.0) return;
    double inv = 1.0 / sqrt(sum);
    for (size_t j = 0; j < dim; j++) h[j] = (float)(h[j] * inv);
}

/* Mean Spearman of the nh row pairs, undefined ones counting 0; each (stride depth) receives every
 * pair's when not NULL. ranks: the nh rows of h ranked (kvq_ranks_of_f), or NULL. work:
 * KVQ_RANK_CORRELATIONS_WORK(dim) bytes. */
static double mean_rho(const float *h, const void *ranks, const float *hhat, size_t nh, size_t dim,
                       double *each, size_t depth, void *work)
{
    double sum = 0.0;
    for (size_t i = 0; i < nh; i++) {
        double rho = ranks
                         ? kvq_spearman_ranked_f((const char *)ranks + i * KVQ_RANKS_OF_BYTES(dim),
                                                 hhat + i * dim, dim, work)
                         : kvq_spearman_f(h + i * dim, hhat + i * dim, dim, work);
        if (isnan(rho)) rho = 0.0;
        if (each) each[i * depth] = rho;
        sum += rho;
    }
    return sum / (double)nh;
}

/* g * (x * s), s = 1 / sqrt(mean(x^2) + eps) accumulated in double and rounded to float, as the
 * model's RMSNorm computes it. */
static void rmsnorm(const float *x, const float *g, double eps, size_t dim, float *out)
{
    double ss = 0.0;
    for (size_t j = 0; j < dim; j++) ss += (double)x[j] * (double)x[j];
    float s = (float)(1.0 / sqrt(ss / (double)dim + eps));
    for (size_t j = 0; j < dim; j++) out[j] = g[j] * (x[j] * s);
}

/* One depth of the exact chain, every vector at once: h <- normalize(h W^T) (bare, g NULL) or
 * h <- h + rmsnorm(h) W^T (residual, norm weights g). next: nh * dim floats of scratch. */
static void exact_step(const float *w, const float *g, double eps, float *h, float *next, size_t nh,
                       size_t dim)
{
    if (g) {
        for (size_t i = 0; i < nh; i++) rmsnorm(h + i * dim, g, eps, dim, next + i * dim);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nh, (int)dim, (int)dim, 1.0f,
                    next, (int)dim, w, (int)dim, 1.0f, h, (int)dim);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nh, (int)dim, (int)dim, 1.0f, h,
                (int)dim, w, (int)dim, 0.0f, next, (int)dim);
    memcpy(h, next, nh * dim * sizeof *h);
    for (size_t i = 0; i < nh; i++) normalize(h + i * dim, dim);
}

/* One depth of the chain through the codec, every vector's scores at once: hhat <-
 * normalize(score(hhat, codes)) (bare) or hhat <- hhat + score(rmsnorm(hhat), codes) (residual).
 * next and u: nh * dim floats of scratch each. */
static int codec_step(const layer_codes *lc, const float *g, double eps, float *hhat, float *next,
                      float *u, size_t nh, size_t dim, kvq_error *err)
{
    if (g) {
        for (size_t i = 0; i < nh; i++) rmsnorm(hhat + i * dim, g, eps, dim, u + i * dim);
        int rc = kvq_codec_score_many(&lc->codec, u, nh, lc->codes, dim, next, err);
        if (rc) return rc;
        for (size_t i = 0; i < nh * dim; i++) hhat[i] += next[i];
        return KVQ_OK;
    }
    int rc = kvq_codec_score_many(&lc->codec, hhat, nh, lc->codes, dim, next, err);
    if (rc) return rc;
    for (size_t i = 0; i < nh; i++) normalize(next + i * dim, dim);
    memcpy(hhat, next, nh * dim * sizeof *hhat);
    return KVQ_OK;
}

static int check_sizes(size_t nlayers, size_t dim, size_t nh, size_t depth, kvq_error *err)
{
    if (nlayers == 0 || dim == 0 || nh == 0)
        return kvq_fail(err, KVQ_EINVAL,
                        "chain: needs layers, a dimension and starting vectors (got %zu layers, "
                        "dim %zu, %zu vectors)",
                        nlayers, dim, nh);
    if (depth == 0 || depth > KVQ_CHAIN_MAX_DEPTH)
        return kvq_fail(err, KVQ_ERANGE, "chain: depth %zu must lie in [1, %d]", depth,
                        KVQ_CHAIN_MAX_DEPTH);
    return KVQ_OK;
}

size_t kvq_chain_collapse_depth(const double *rho, size_t depth, double tau)
{
    for (size_t l = 0; l < depth; l++)
        if (rho[l] < tau) return l + 1;
    return 0;
}

int kvq_chain_exact_compute(const kvq_chain_layers *layers, size_t dim, const float *h0, size_t nh,
                            size_t depth, int ranked, kvq_chain_exact *ex, kvq_error *err)
{
    *ex = (kvq_chain_exact){.depth = depth, .nh = nh, .dim = dim};
    int rc = check_sizes(layers->n, dim, nh, depth, err);
    if (rc) return rc;
    ex->h = malloc(depth * nh * dim * sizeof *ex->h);
    ex->ranks = ranked ? malloc(depth * nh * KVQ_RANKS_OF_BYTES(dim)) : NULL;
    float *next = malloc(nh * dim * sizeof *next);
    if (!ex->h || (ranked && !ex->ranks) || !next) {
        kvq_chain_exact_free(ex);
        free(next);
        return kvq_fail(err, KVQ_ENOMEM, "chain: no memory for the exact side of %zu vectors", nh);
    }
    for (size_t l = 0; l < depth; l++) { /* each depth's vectors stepped from the ones before */
        size_t given = l % layers->n;
        float *h = ex->h + l * nh * dim;
        memcpy(h, l ? h - nh * dim : h0, nh * dim * sizeof *h);
        exact_step(layers->w + given * dim * dim, layers->norm ? layers->norm + given * dim : NULL,
                   layers->eps, h, next, nh, dim);
        for (size_t i = 0; ranked && i < nh; i++)
            kvq_ranks_of_f(h + i * dim, dim,
                           (char *)ex->ranks + (l * nh + i) * KVQ_RANKS_OF_BYTES(dim));
    }
    free(next);
    return KVQ_OK;
}

void kvq_chain_exact_free(kvq_chain_exact *ex)
{
    free(ex->h);
    free(ex->ranks);
    ex->h = NULL, ex->ranks = NULL;
}

/* The codec side of the chain, the exact side read from ex (at least out->depth deep, from the
 * same layers and starting vectors) or computed alongside when ex is NULL. */
static int run_chain(const kvq_chain_layers *layers, const layer_codes *lc, size_t dim,
                     const float *h0, size_t nh, const kvq_chain_exact *ex, kvq_chain *out,
                     double *each, kvq_error *err)
{
    float *h = malloc(4 * nh * dim * sizeof *h);
    void *work = malloc(KVQ_RANK_CORRELATIONS_WORK(dim));
    if (!h || !work) {
        free(h), free(work);
        return kvq_fail(err, KVQ_ENOMEM, "chain: no memory for %zu vectors of %zu", nh, dim);
    }
    float *hhat = h + nh * dim, *next = hhat + nh * dim, *u = next + nh * dim;
    memcpy(h, h0, nh * dim * sizeof *h);
    memcpy(hhat, h0, nh * dim * sizeof *h);
    int rc = KVQ_OK;
    for (size_t l = 0; !rc && l < out->depth; l++) {
        size_t given = l % layers->n;
        const float *g = layers->norm ? layers->norm + given * dim : NULL;
        const float *exact = h;
        const void *ranks = NULL;
        if (ex) {
            exact = ex->h + l * nh * dim;
            ranks = ex->ranks ? (const char *)ex->ranks + l * nh * KVQ_RANKS_OF_BYTES(dim) : NULL;
        } else {
            exact_step(layers->w + given * dim * dim, g, layers->eps, h, next, nh, dim);
        }
        rc = codec_step(&lc[given], g, layers->eps, hhat, next, u, nh, dim, err);
        if (rc) {
            rc = layer_failed(err, rc, l);
            break;
        }
        out->rho[l] =
            mean_rho(exact, ranks, hhat, nh, dim, each ? each + l : NULL, out->depth, work);
    }
    if (!rc) out->collapse = kvq_chain_collapse_depth(out->rho, out->depth, out->tau);
    free(h), free(work);
    return rc;
}

int kvq_chain_collapse(const kvq_backend *b, const kvq_params *p, const kvq_chain_layers *layers,
                       size_t dim, const float *h0, size_t nh, size_t depth, double tau,
                       kvq_rng *rng, kvq_chain *out, double *each, kvq_error *err)
{
    return kvq_chain_collapse_with(NULL, b, p, layers, dim, h0, nh, depth, tau, rng, out, each,
                                   err);
}

int kvq_chain_collapse_with(const kvq_chain_exact *ex, const kvq_backend *b, const kvq_params *p,
                            const kvq_chain_layers *layers, size_t dim, const float *h0, size_t nh,
                            size_t depth, double tau, kvq_rng *rng, kvq_chain *out, double *each,
                            kvq_error *err)
{
    int rc = check_sizes(layers->n, dim, nh, depth, err);
    if (rc) return rc;
    if (ex && (ex->depth < depth || ex->nh != nh || ex->dim != dim))
        return kvq_fail(err, KVQ_EINVAL,
                        "chain: the exact side holds %zu vectors of %zu to depth %zu, not %zu of "
                        "%zu to depth %zu",
                        ex->nh, ex->dim, ex->depth, nh, dim, depth);
    *out = (kvq_chain){.depth = depth, .tau = tau};
    size_t given = layers->n < depth ? layers->n : depth; /* layers the chain reaches */
    layer_codes *lc = calloc(given, sizeof *lc);
    if (!lc) return kvq_fail(err, KVQ_ENOMEM, "chain: no memory for %zu layers", given);
    for (size_t l = 0; !rc && l < given && !out->degenerate; l++) {
        rc = encode_layer(b, p, layers->w + l * dim * dim, dim, rng, &lc[l], err);
        if (rc)
            rc = layer_failed(err, rc, l);
        else if (kvq_codec_degenerate(&lc[l].codec, dim))
            out->degenerate = l + 1;
    }
    if (!rc && !out->degenerate) rc = run_chain(layers, lc, dim, h0, nh, ex, out, each, err);
    close_layers(lc, given);
    return rc;
}
