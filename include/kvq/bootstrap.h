/* Bootstrap confidence intervals over subjects (Efron & Tibshirani 1993, ch. 13, the percentile
 * method): resample the n subjects with replacement, recompute the statistic, and take the
 * (1 - level)/2 and (1 + level)/2 quantiles of the replicates (linear interpolation between order
 * statistics, as numpy.percentile and scipy.stats.bootstrap(method = "percentile")). All draws come
 * from the caller's pcg32 stream: same seed, same interval.
 */
#ifndef KVQ_BOOTSTRAP_H
#define KVQ_BOOTSTRAP_H

#include "kvq/error.h"
#include "kvq/rng.h"
#include <stddef.h>

/* A statistic of the subjects idx[0..n) (indices into the caller's data, repeats allowed). NaN
 * when undefined for that resample. */
typedef double (*kvq_statistic_fn)(const size_t *idx, size_t n, void *ctx);

typedef struct kvq_interval {
    double estimate; /* the statistic on the original subjects */
    double lo, hi;   /* percentile interval; NaN when fewer than half the replicates are finite */
    double level;
    size_t reps;  /* replicates drawn */
    size_t valid; /* replicates whose statistic was finite (the others are left out) */
} kvq_interval;

/* Percentile interval of stat over n subjects (1 <= n < 2^32) from reps >= 1 resamples at level
 * (0 < level < 1). Bad arguments -> KVQ_EINVAL; KVQ_ENOMEM. */
int kvq_bootstrap(size_t n, kvq_statistic_fn stat, void *ctx, size_t reps, double level,
                  kvq_rng *rng, kvq_interval *out, kvq_error *err);

/* Interval of the mean of v (n per-subject values, e.g. a metric per query). */
int kvq_bootstrap_mean(const double *v, size_t n, size_t reps, double level, kvq_rng *rng,
                       kvq_interval *out, kvq_error *err);

typedef struct kvq_paired {
    kvq_interval diff; /* mean over subjects of a_i - b_i, with its interval */
    double p;          /* two-sided bootstrap p of "no difference": 2 min(F(0), 1 - F(0-)) capped at
                          1, F the empirical distribution of the replicate differences */
} kvq_paired;

/* Paired bootstrap of two codecs on the same n subjects: each resample draws subjects, keeping a_i
 * and b_i together, so the correlation between the codecs is kept. */
int kvq_bootstrap_paired(const double *a, const double *b, size_t n, size_t reps, double level,
                         kvq_rng *rng, kvq_paired *out, kvq_error *err);

#endif
