/* synthetic:k_proj - attention key-projection rows: independent Gaussian rows (near-orthogonal,
 * as the rows of trained k_proj weights are) whose input channels have standard deviations
 * c^-SPECTRUM (c = 1..dim, in a random order), of which a few, chosen at random, carry
 * OUTLIER_SCALE times more (the outlier channels that make per-channel scaling and rotations
 * matter for keys: KIVI, Liu et al. 2024; QuaRot, Ashkboos et al. 2024) and QUIET others
 * QUIET_SCALE times less (nearly unused input channels, which lower the effective rank without
 * making rows share directions). Each row is scaled by a factor uniform on
 * [1 - ROW_SPREAD, 1 + ROW_SPREAD] (a bounded norm spread). Built to show, at the default
 * 4096 x 128, seed 1 (tests/test_population_synth.c checks each against the k_proj weights of
 * models/stories260K in tests/golden/real_stats.json: row-norm CV 0.11-0.28, largest/median norm
 * 1.2-1.9, mean |cos| 1.28-1.46x that of Gaussian rows, excess kurtosis 3.3-5.6, effective rank
 * 0.89-0.93 of Gaussian rows'): row-norm CV 0.20, largest/median norm 1.80, mean |cos| 0.100
 * (1.42x Gaussian), excess kurtosis 4.0, effective rank 116.6 of 128 (0.91 of Gaussian rows'). */
#include "populations.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#define OUTLIERS 4
#define OUTLIER_SCALE 1.8f
#define SPECTRUM 0.28
#define QUIET 5
#define QUIET_SCALE 0.1f
#define ROW_SPREAD 0.30

static int k_proj_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    float *scale = malloc(dim * sizeof *scale);
    size_t *order = malloc(dim * sizeof *order);
    if (!scale || !order) {
        free(scale);
        free(order);
        return kvq_fail(err, KVQ_ENOMEM, "k_proj: out of memory");
    }
    for (size_t j = 0; j < dim; j++) order[j] = j;
    gsl_rng g;
    kvq_rng_as_gsl(rng, &g);
    gsl_ran_shuffle(&g, order, dim, sizeof *order);
    size_t outliers = dim < OUTLIERS ? dim : OUTLIERS;
    for (size_t j = 0; j < dim; j++)
        scale[order[j]] = (float)pow((double)(j + 1), -SPECTRUM) / sqrtf((float)dim);
    gsl_ran_shuffle(&g, order, dim, sizeof *order); /* the outliers, independent of the spectrum */
    for (size_t c = 0; c < outliers; c++) scale[order[c]] *= OUTLIER_SCALE;
    for (size_t c = outliers; c < outliers + QUIET && c < dim; c++) scale[order[c]] *= QUIET_SCALE;
    for (size_t i = 0; i < n; i++) {
        float row_scale = (float)(1.0 + ROW_SPREAD * (2.0 * kvq_rng_uniform(rng) - 1.0));
        for (size_t j = 0; j < dim; j++)
            rows[i * dim + j] = row_scale * scale[j] * (float)kvq_rng_gaussian(rng);
    }
    free(scale);
    free(order);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_k_proj = {
    .name = "k_proj",
    .summary = "attention keys: near-orthogonal rows, skewed channel scales, 4 outlier channels",
    .role = KVQ_ROLE_ATTN_K,
    .default_n = 4096,
    .default_dim = 128,
    .generate = k_proj_generate,
};
