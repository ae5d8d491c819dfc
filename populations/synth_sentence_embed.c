/* synthetic:sentence_embed - sentence-embedding outputs (Jina / BGE style): unit-norm rows around
 * TOPICS random topic centres plus a direction every embedding shares (the anisotropy of such
 * models, whose unrelated sentences still score cos 0.3-0.5): row = normalise(SHARED * m + c_t +
 * SPREAD * z), z a random unit vector. Built to show, at 4096 x 256
 * (tests/test_population_synth.c): row-norm CV 0 (unit norm), mean |cos| 0.29 (Gaussian rows:
 * 0.05 at dim 256), effective rank 185 of 256 (clustered), excess kurtosis 0. */
#include "populations.h"

#include <stdlib.h>

#define TOPICS 32
#define SHARED 0.7f
#define SPREAD 0.6f

static int sentence_embed_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    float *centres = malloc((TOPICS + 1) * dim * sizeof *centres), *z = malloc(dim * sizeof *z);
    if (!centres || !z) {
        free(centres);
        free(z);
        return kvq_fail(err, KVQ_ENOMEM, "sentence_embed: out of memory");
    }
    for (size_t t = 0; t <= TOPICS; t++) kvq_synth_unit(rng, dim, centres + t * dim);
    const float *shared = centres + TOPICS * dim;
    for (size_t i = 0; i < n; i++) {
        const float *c = centres + kvq_rng_bounded(rng, TOPICS) * dim;
        kvq_synth_unit(rng, dim, z);
        float *row = rows + i * dim;
        for (size_t j = 0; j < dim; j++) row[j] = SHARED * shared[j] + c[j] + SPREAD * z[j];
        kvq_synth_normalize(row, dim);
    }
    free(centres);
    free(z);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_sentence_embed = {
    .name = "sentence_embed",
    .summary = "sentence embeddings: unit norm, 32 topic clusters, shared direction",
    .role = KVQ_ROLE_SENTENCE_EMBED,
    .default_n = 4096,
    .default_dim = 256,
    .generate = sentence_embed_generate,
};
