/* synthetic:vocab - a token-embedding table: row norms follow a Zipf-like power law,
 * norm = u^-NORM_POWER with u uniform on (0, 1] (a few rare tokens far out, most near the
 * median), and directions share a common component of weight ANISOTROPY (the anisotropy of
 * trained embedding tables, Ethayarajh 2019) on top of a random unit direction. Every row is a
 * distinct token: the index regime, where a codec must keep each row's identity.
 * Built to show, at 4096 x 256 (tests/test_population_synth.c): row-norm CV 0.42 and a
 * largest/median norm of 10, mean |cos| 0.11, excess kurtosis 9, effective rank 246 of 256. */
#include "populations.h"

#include <math.h>
#include <stdlib.h>

#define NORM_POWER 0.3
#define ANISOTROPY 0.35f

static int vocab_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    float *common = malloc(dim * sizeof *common);
    if (!common) return kvq_fail(err, KVQ_ENOMEM, "vocab: out of memory");
    kvq_synth_unit(rng, dim, common);
    for (size_t i = 0; i < n; i++) {
        float *row = rows + i * dim;
        kvq_synth_unit(rng, dim, row);
        for (size_t j = 0; j < dim; j++) row[j] += ANISOTROPY * common[j];
        kvq_synth_normalize(row, dim);
        float norm = (float)pow(1.0 - kvq_rng_uniform(rng), -NORM_POWER);
        for (size_t j = 0; j < dim; j++) row[j] *= norm;
    }
    free(common);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_vocab = {
    .name = "vocab",
    .summary = "token embeddings: Zipf-like row norms, shared direction; index regime",
    .role = KVQ_ROLE_VOCAB_EMBED,
    .default_n = 4096,
    .default_dim = 256,
    .generate = vocab_generate,
};
