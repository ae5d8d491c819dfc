/* Factor structure of a set of items (codecs) over the same subjects: do they measure one thing?
 * Correlation matrix, its eigenvalues (the scree), the share of the first factor, first-factor
 * loadings, and the number of factors by the Kaiser rule and by Horn's parallel analysis.
 * Input: x, an n x k matrix of doubles, row-major, n subjects by k items, every value finite.
 * Definitions in README, "Metrics".
 */
#ifndef KVQ_FACTORS_H
#define KVQ_FACTORS_H

#include "kvq/error.h"
#include "kvq/rng.h"
#include <stddef.h>

typedef struct kvq_factors {
    size_t n, k;
    double *corr;        /* k x k Pearson correlation matrix, row-major */
    double *eigenvalues; /* k eigenvalues of corr, descending (they sum to k) */
    double *loadings;    /* k first-factor (first principal component) loadings: sqrt(l_1) v_1, the
                            sign chosen so that they sum to >= 0 (as psych::principal, 1 factor) */
    double first_share;  /* l_1 / k: the share of the total variance on the first factor */
    size_t kaiser;       /* number of eigenvalues > 1 */
    size_t sims;         /* data sets simulated for the parallel analysis (0: not run) */
    double *parallel_mean; /* k: mean eigenvalues of the simulated data, descending (NULL when
                              sims == 0) */
    size_t parallel;       /* Horn (1965): the number of leading eigenvalues, counted from the first
                              until one fails, that exceed the simulated mean of the same rank */
} kvq_factors;

/* Fills out from x (n x k; n >= 3, k >= 2). Parallel analysis simulates sims data sets of n x k
 * i.i.d. N(0, 1) values drawn from rng (same seed, same answer; sims == 0 skips it; it holds one
 * n x k matrix at a time). An item with zero variance -> KVQ_EINVAL naming its column; a
 * non-finite value -> KVQ_EINVAL naming row and column; KVQ_ENOMEM. On success out owns its arrays
 * (kvq_factors_free); on failure it owns nothing. */
int kvq_factors_compute(const double *x, size_t n, size_t k, size_t sims, kvq_rng *rng,
                        kvq_factors *out, kvq_error *err);

void kvq_factors_free(kvq_factors *f);

#endif
