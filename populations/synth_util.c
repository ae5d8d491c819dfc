/* Small vector helpers shared by the synthetic generators (populations/populations.h). */
#include "populations.h"

#include <gsl/gsl_cblas.h>

void kvq_synth_normal(kvq_rng *rng, float scale, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++) out[i] = scale * (float)kvq_rng_gaussian(rng);
}

void kvq_synth_normalize(float *row, size_t dim)
{
    float norm = cblas_snrm2((int)dim, row, 1);
    if (norm > 0.0f) cblas_sscal((int)dim, 1.0f / norm, row, 1);
}

void kvq_synth_unit(kvq_rng *rng, size_t dim, float *out)
{
    kvq_synth_normal(rng, 1.0f, dim, out);
    kvq_synth_normalize(out, dim);
}

void kvq_synth_basis(kvq_rng *rng, size_t dim, float *basis)
{
    for (size_t k = 0; k < dim; k++) {
        float *b = basis + k * dim;
        kvq_synth_normal(rng, 1.0f, dim, b);
        for (int pass = 0; pass < 2; pass++) /* twice, for orthogonality in float */
            for (size_t p = 0; p < k; p++)
                cblas_saxpy((int)dim, -cblas_sdot((int)dim, basis + p * dim, 1, b, 1),
                            basis + p * dim, 1, b, 1);
        kvq_synth_normalize(b, dim);
    }
}
