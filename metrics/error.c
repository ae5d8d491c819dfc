/* Reconstruction error metrics (include/kvq/metrics.h), accumulated in double. */
#include "kvq/metrics.h"

#include <math.h>

double kvq_rel_mse(const float *x, const float *xhat, size_t n)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)x[i] - (double)xhat[i];
        num += d * d;
        den += (double)x[i] * (double)x[i];
    }
    return den > 0.0 ? num / den : NAN;
}
