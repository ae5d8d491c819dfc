/* synthetic:kv_cache - cached attention keys of one head: rows in a RANK-dimensional subspace
 * (latent factors with decaying scales 1/sqrt(1+k) on random directions, plus N(0, NOISE^2)
 * noise), and row 0 an attention sink whose norm is SINK times the typical row's (the first
 * token's key, Xiao et al. 2023, "Efficient streaming language models with attention sinks").
 * The sink is always row 0, so it is among the population's rows, never a query. Built to show,
 * at 4096 x 128 (tests/test_population_synth.c): effective rank 14 of 128, largest/median row
 * norm 27 (the sink), mean |cos| 0.34, excess kurtosis 250 (the sink's coordinates). */
#include "populations.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>

#define RANK 8
#define NOISE 0.05f
#define SINK 25.0f

static int kv_cache_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    float *basis = malloc(RANK * dim * sizeof *basis);
    if (!basis) return kvq_fail(err, KVQ_ENOMEM, "kv_cache: out of memory");
    kvq_synth_normal(rng, 1.0f, RANK * dim, basis);
    double typical = 0.0; /* expected row norm: sqrt(sum_k scale_k^2 * dim) */
    for (size_t k = 0; k < RANK; k++) {
        float scale = 1.0f / sqrtf(1.0f + (float)k);
        cblas_sscal((int)dim, scale, basis + k * dim, 1);
        typical += (double)scale * scale * (double)dim;
    }
    for (size_t i = 0; i < n; i++) {
        float *row = rows + i * dim;
        kvq_synth_normal(rng, NOISE, dim, row);
        for (size_t k = 0; k < RANK; k++)
            cblas_saxpy((int)dim, (float)kvq_rng_gaussian(rng), basis + k * dim, 1, row, 1);
    }
    kvq_synth_normalize(rows, dim);
    cblas_sscal((int)dim, SINK * (float)sqrt(typical), rows, 1);
    free(basis);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_kv_cache = {
    .name = "kv_cache",
    .summary = "KV-cache keys: rank-8 subspace plus noise, row 0 an attention sink (25x norm)",
    .role = KVQ_ROLE_KV_CACHE,
    .default_n = 4096,
    .default_dim = 128,
    .generate = kv_cache_generate,
};
