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
