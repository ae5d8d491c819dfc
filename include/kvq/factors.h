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
#include <stdint.h>

/* The most items a factor analysis takes. The eigen-decomposition costs O(k^3) and parallel
 * analysis repeats it for every simulated data set: at 2000 items GSL takes about 20 s for the
 * observed eigenvectors and 4 s for each simulated set of eigenvalues (`kvqeval stats factors`, 20
 * simulations, about 100 s in all on a 2-core machine), and each doubling of k multiplies that by
 * 8. */
#define KVQ_FACTORS_MAX_ITEMS 2000

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

/* Whether an analysis of n subjects x k items with sims simulations can run, before any data is
 * built: n < 3 or k < 2 -> KVQ_EINVAL; k > KVQ_FACTORS_MAX_ITEMS -> KVQ_ERANGE naming k and the
 * cap; the memory it needs (three k x k matrices and, with sims > 0, one n x k data set) not
 * fitting (kvq_memory_check) -> KVQ_ERANGE naming the size and the limit. */
int kvq_factors_check(size_t n, size_t k, size_t sims, kvq_error *err);

/* Fills out from x (n x k; n >= 3, 2 <= k <= KVQ_FACTORS_MAX_ITEMS). Parallel analysis simulates
 * sims data sets of n x k i.i.d. N(0, 1) values drawn from rng (same seed, same answer; sims == 0
 * skips it; it holds one n x k matrix at a time). Sizes are checked by kvq_factors_check before
 * anything is allocated. An item with zero variance -> KVQ_EINVAL naming its column; a non-finite
 * value -> KVQ_EINVAL naming row and column; KVQ_ENOMEM. On success out owns its arrays
 * (kvq_factors_free); on failure it owns nothing. */
int kvq_factors_compute(const double *x, size_t n, size_t k, size_t sims, kvq_rng *rng,
                        kvq_factors *out, kvq_error *err);

void kvq_factors_free(kvq_factors *f);

/* The first-factor loadings of the k x k correlation matrix corr, as kvq_factors defines them
 * (sqrt(l_1) v_1, signed to sum >= 0), into loadings (k). KVQ_EINTERNAL when GSL's
 * eigen-decomposition fails; KVQ_ENOMEM. */
int kvq_first_factor(const double *corr, size_t k, double *loadings, kvq_error *err);

/* Query-cluster bootstrap of the first-factor loadings of x (n subjects x k items, cluster[s] <
 * nclusters the cluster of subject s): reps replicates drawn by kvq_cluster_replicates, each the
 * loadings (kvq_first_factor) of the correlations of the drawn clusters' subjects, into
 * replicates[r * k .. r * k + k); a replicate in which an item has zero variance is NaN
 * throughout. The correlations are summed from each cluster's cross-products about the column
 * means, so a replicate costs O(clusters x k^2 + k^3), not O(n k^2); those nclusters x k x k
 * doubles must fit (kvq_memory_check, else KVQ_ERANGE). Bad sizes -> KVQ_EINVAL; KVQ_ENOMEM. */
struct kvq_rng;
int kvq_loadings_cluster_bootstrap(const double *x, size_t n, size_t k, const uint32_t *cluster,
                                   size_t nclusters, size_t reps, struct kvq_rng *rng,
                                   double *replicates, kvq_error *err);

#endif
