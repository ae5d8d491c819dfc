/* synthetic:mlp_act - activations of a SiLU-gated MLP, the input of down_proj: each value is
 * silu(a) * b with a ~ N(0, 1) (the gate path) and b ~ N(m_j, 1) (the linear path, whose
 * channel j has a mean m_j ~ N(0, MEAN_SD^2) shared by every token: SwiGLU, Shazeer 2020), each
 * row scaled by a log-normal factor exp(ROW_SIGMA * N(0, 1)). The gate makes the values skewed
 * towards zero with heavy tails; the channel means make tokens correlate. The role is mlp_gate
 * (there is no activation role; these values are what the gate produces). Built to show, at
 * 4096 x 128, seed 1 (tests/test_population_synth.c checks each against the silu(gate) * up
 * activations of models/stories260K in tests/golden/real_stats.json: kurtosis 17-29, row-norm
 * CV 0.16-0.45, largest/median norm 1.6-3.0, mean |cos| 1.07-1.82x that of Gaussian rows,
 * effective rank 0.79-0.96 of theirs): excess kurtosis 21, row-norm CV 0.28, largest/median
 * norm 2.7, mean |cos| 0.12 (1.7x Gaussian), effective rank 111 of 128. */
#include "populations.h"

#include <math.h>
#include <stdlib.h>

#define MEAN_SD 1.75
#define ROW_SIGMA 0.2

static double silu(double x)
{
    return x / (1.0 + exp(-x));
}

static int mlp_act_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    double *mean = malloc(dim * sizeof *mean);
    if (!mean) return kvq_fail(err, KVQ_ENOMEM, "mlp_act: out of memory");
    for (size_t j = 0; j < dim; j++) mean[j] = MEAN_SD * kvq_rng_gaussian(rng);
    for (size_t i = 0; i < n; i++) {
        double row_scale = exp(ROW_SIGMA * kvq_rng_gaussian(rng)) / sqrt((double)dim);
        for (size_t j = 0; j < dim; j++) {
            double a = kvq_rng_gaussian(rng), b = mean[j] + kvq_rng_gaussian(rng);
            rows[i * dim + j] = (float)(row_scale * silu(a) * b);
        }
    }
    free(mean);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_mlp_act = {
    .name = "mlp_act",
    .summary = "SwiGLU activations silu(a)*b: heavy tails, shared channel means",
    .role = KVQ_ROLE_MLP_GATE,
    .default_n = 4096,
    .default_dim = 128,
    .generate = mlp_act_generate,
};
