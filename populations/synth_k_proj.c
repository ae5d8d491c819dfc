/* synthetic:k_proj - attention key-projection rows: i.i.d. Gaussian rows (near-orthogonal, as the
 * rows of trained k_proj weights are) in which a few input channels, chosen at random, carry
 * OUTLIER_SCALE times the magnitude of the others: the outlier channels that make per-channel
 * scaling and rotations matter for keys (KIVI, Liu et al. 2024; QuaRot, Ashkboos et al. 2024).
 * Built to show, at the default 4096 x 128 (tests/test_population_synth.c measures it):
 * mean |cos| 0.10 (Gaussian rows: 0.07), excess kurtosis 3.8 (Gaussian: 0), row-norm CV 0.09,
 * effective rank 123 of 128 (Gaussian: 127.5). */
#include "populations.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#define OUTLIERS 4
#define OUTLIER_SCALE 3.0f

static int k_proj_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    float *scale = malloc(dim * sizeof *scale);
    size_t *all = malloc(dim * sizeof *all), pick[OUTLIERS];
    if (!scale || !all) {
        free(scale);
        free(all);
        return kvq_fail(err, KVQ_ENOMEM, "k_proj: out of memory");
    }
    size_t outliers = dim < OUTLIERS ? dim : OUTLIERS;
    for (size_t j = 0; j < dim; j++) {
        scale[j] = 1.0f / sqrtf((float)dim);
        all[j] = j;
    }
    gsl_rng g;
    kvq_rng_as_gsl(rng, &g);
    gsl_ran_choose(&g, pick, outliers, all, dim, sizeof *all);
    for (size_t c = 0; c < outliers; c++) scale[pick[c]] *= OUTLIER_SCALE;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++)
            rows[i * dim + j] = scale[j] * (float)kvq_rng_gaussian(rng);
    free(scale);
    free(all);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_k_proj = {
    .name = "k_proj",
    .summary = "attention keys: near-orthogonal rows, 4 outlier channels at 3x scale",
    .role = KVQ_ROLE_ATTN_K,
    .default_n = 4096,
    .default_dim = 128,
    .generate = k_proj_generate,
};
