/* The kurtosis of metrics/moments.c against GSL's gsl_stats_float_kurtosis, the definition it
 * keeps: Gaussian, heavy-tailed (a Student-like ratio) and shifted values, sizes around the block
 * and lane boundaries. */
#include "kvq/rng.h"
#include "metrics/moments.h"

#include <criterion/criterion.h>
#include <gsl/gsl_statistics_float.h>
#include <math.h>
#include <stdlib.h>

Test(metrics_moments, kurtosis_equals_gsl)
{
    static const size_t sizes[] = {2, 3, 7, 8, 9, 4095, 4096, 4097, 100003, 1000000};
    kvq_rng rng;
    kvq_rng_seed(&rng, 3, 1);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int kind = 0; kind < 3; kind++) {
            size_t n = sizes[s];
            float *x = malloc(n * sizeof *x);
            for (size_t i = 0; i < n; i++) {
                double g = kvq_rng_gaussian(&rng);
                x[i] = (float)(kind == 0   ? g
                               : kind == 1 ? g / (0.2 + fabs(kvq_rng_gaussian(&rng)))
                                           : 1000.0 + 0.01 * g);
            }
            double want = gsl_stats_float_kurtosis(x, 1, n), got = kvq_kurtosis_float(x, n);
            cr_assert(fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want)),
                      "n %zu kind %d: %.15g, GSL %.15g", n, kind, got, want);
            free(x);
        }
}
