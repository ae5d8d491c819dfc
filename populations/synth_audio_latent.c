/* synthetic:audio_latent - latents of a neural audio codec (EnCodec / DAC style): each row is one
 * of CENTROIDS codebook vectors (i.i.d. N(0, 1) coordinates) plus N(0, NOISE^2) noise, the
 * discrete-latent structure a residual-VQ codec leaves in its continuous embeddings. Built to
 * show, at 4096 x 128 (tests/test_population_synth.c): effective rank 39 of 128 (the rows live
 * near 16 points), mean |cos| 0.13 (1/16 of pairs share a centroid), excess kurtosis 0, row-norm
 * CV 0.05. */
#include "populations.h"

#include <stdlib.h>

#define CENTROIDS 16
#define NOISE 0.1f

static int audio_latent_generate(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err)
{
    float *centroids = malloc(CENTROIDS * dim * sizeof *centroids);
    if (!centroids) return kvq_fail(err, KVQ_ENOMEM, "audio_latent: out of memory");
    kvq_synth_normal(rng, 1.0f, CENTROIDS * dim, centroids);
    for (size_t i = 0; i < n; i++) {
        const float *c = centroids + kvq_rng_bounded(rng, CENTROIDS) * dim;
        for (size_t j = 0; j < dim; j++)
            rows[i * dim + j] = c[j] + NOISE * (float)kvq_rng_gaussian(rng);
    }
    free(centroids);
    return KVQ_OK;
}

const kvq_synthetic kvq_synth_audio_latent = {
    .name = "audio_latent",
    .summary = "audio-codec latents: 16 centroids plus small noise (discrete latent)",
    .role = KVQ_ROLE_AUDIO_LATENT,
    .default_n = 4096,
    .default_dim = 128,
    .generate = audio_latent_generate,
};
