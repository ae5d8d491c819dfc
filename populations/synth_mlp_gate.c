/* synthetic:mlp_gate - rows of a trained MLP gate projection (gate_proj weights): independent
 * rows, so near-orthogonal and of full rank, whose coordinates are Student-t with DOF degrees
 * of freedom (excess kurtosis 6 / (DOF - 4) = 0.75: the mildly heavy tails of trained weights)
 * and whose norms spread by a log-normal factor exp(ROW_SIGMA * N(0, 1)). Built to show, at
 * 4096 x 128, seed 1 (tests/test_population_synth.c checks each against the gate_proj weights of
 * models/stories260K in tests/golden/real_stats.json: excess kurtosis 0.38-1.2, row-norm CV
 * 0.095-0.11, largest/median norm 1.24-1.47, mean |cos| and effective rank those of Gaussian
 * rows): excess kurtosis 0.8, row-norm CV 0.10, largest/median norm 1.4, mean |cos| 0.07,
 * effective rank 127 of 128. */
#include "populations.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#define DOF 12.0
#define ROW_SIGMA 0.07

static int mlp_gate_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    (void)err;
    gsl_rng g;
    kvq_rng_as_gsl(rng, &g);
    double unit = sqrt((DOF - 2.0) / DOF / (double)dim); /* unit variance, rows of norm ~1 */
    for (size_t i = 0; i < n; i++) {
        double row_scale = unit * exp(ROW_SIGMA * gsl_ran_gaussian(&g, 1.0));
        for (size_t j = 0; j < dim; j++)
            rows[i * dim + j] = (float)(row_scale * gsl_ran_tdist(&g, DOF));
    }
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_mlp_gate = {
    .name = "mlp_gate",
    .summary = "MLP gate weights: near-orthogonal rows, t(12) coordinates, norm CV 0.1",
    .role = KVQ_ROLE_MLP_GATE,
    .default_n = 4096,
    .default_dim = 128,
    .generate = mlp_gate_generate,
};
