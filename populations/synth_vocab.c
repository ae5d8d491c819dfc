/* synthetic:vocab - a token-embedding table: each row's direction is a Gaussian vector with an
 * anisotropic spectrum (standard deviations k^-SPECTRUM along a random orthonormal basis) plus a
 * direction every token shares, of weight ANISOTROPY (the anisotropy of trained embedding
 * tables, Ethayarajh 2019); the shared direction's coordinates are Gaussian raised to the power
 * SHARED_POWER (sign kept), a few channels carrying most of it, which gives the mildly heavy tails
 * of real tables. Row norms are log-normal, exp(NORM_SIGMA * N(0, 1)): a narrow spread, not a
 * power law (the token embedding of models/stories260K has largest/median norm 1.2, row-norm CV
 * 0.17). Every row is a distinct token: the index regime, where a codec must keep each row's
 * identity. Built to show, at 4096 x 256, seed 1 (tests/test_population_synth.c checks each
 * against tests/golden/real_stats.json: the stories260K embedding, its mean |cos| 0.34-0.46,
 * kurtosis 0.42-0.54, effective rank 0.67-0.76 of Gaussian rows'): row-norm CV 0.15,
 * largest/median norm 1.7, mean |cos| 0.39, excess kurtosis 0.47, effective rank 191 of 256. */
#include "populations.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>

#define SPECTRUM 0.5
#define ANISOTROPY 0.8f
#define SHARED_POWER 1.3
#define NORM_SIGMA 0.15

static int vocab_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    float *basis = malloc(dim * dim * sizeof *basis), *shared = malloc(dim * sizeof *shared),
          *z = malloc(n * dim * sizeof *z);
    if (!basis || !shared || !z) {
        free(basis);
        free(shared);
        free(z);
        return kvq_fail(err, KVQ_ENOMEM, "vocab: out of memory");
    }
    kvq_synth_basis(rng, dim, basis);
    for (size_t k = 0; k < dim; k++)
        cblas_sscal((int)dim, (float)pow((double)(k + 1), -SPECTRUM), basis + k * dim, 1);
    for (size_t j = 0; j < dim; j++) {
        double g = kvq_rng_gaussian(rng);
        shared[j] = (float)copysign(pow(fabs(g), SHARED_POWER), g);
    }
    kvq_synth_normalize(shared, dim);
    kvq_synth_normal(rng, 1.0f, n * dim, z);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)dim, (int)dim, 1.0f, z,
                (int)dim, basis, (int)dim, 0.0f, rows, (int)dim);
    for (size_t i = 0; i < n; i++) {
        float *row = rows + i * dim;
        kvq_synth_normalize(row, dim);
        cblas_saxpy((int)dim, ANISOTROPY, shared, 1, row, 1);
        kvq_synth_normalize(row, dim);
        cblas_sscal((int)dim, (float)exp(NORM_SIGMA * kvq_rng_gaussian(rng)), row, 1);
    }
    free(basis);
    free(shared);
    free(z);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_vocab = {
    .name = "vocab",
    .summary = "token embeddings: shared direction, anisotropic spectrum; index regime",
    .role = KVQ_ROLE_VOCAB_EMBED,
    .default_n = 4096,
    .default_dim = 256,
    .generate = vocab_generate,
};
