/* synthetic:gaussian - i.i.d. N(0, 1) coordinates: the null population with no structure, against
 * which the signature populations are read. Row-norm spread sqrt(1/(2 dim)) relative, mean |cos|
 * between rows about sqrt(2 / (pi dim)), excess kurtosis 0, full effective rank. */
#include "kvq/population.h"

static int gaussian_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    (void)err;
    for (size_t i = 0; i < n * dim; i++) rows[i] = (float)kvq_rng_gaussian(rng);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_gaussian = {
    .name = "gaussian",
    .summary = "i.i.d. N(0,1) rows: the structureless null population",
    .role = KVQ_ROLE_GAUSSIAN,
    .default_n = 4096,
    .default_dim = 128,
    .generate = gaussian_generate,
};
