/* Moments of many values, computed fast enough for whole tensors. Internal to the library and the
 * analyses that summarise populations. */
#ifndef KVQ_METRICS_MOMENTS_H
#define KVQ_METRICS_MOMENTS_H

#include <stddef.h>

/* Excess kurtosis of x[0..n), n >= 2, by GSL's definition (gsl_stats_float_kurtosis):
 * mean(((x - mean) / sd)^4) - 3 with the sample sd (n - 1). Equal to GSL's value to about 1e-12
 * relative (the sums are taken in another order); NaN when every value is the same. */
double kvq_kurtosis_float(const float *x, size_t n);

#endif
