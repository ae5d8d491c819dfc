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
#include <stdint.h>

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

/* Interval of sum num / sum den over the subjects (NaN for a resample whose den sums to <= 0), e.g.
 * a relative error from each row's squared error and squared norm. */
int kvq_bootstrap_ratio(const double *num, const double *den, size_t n, size_t reps, double level,
                        kvq_rng *rng, kvq_interval *out, kvq_error *err);

typedef struct kvq_paired {
    kvq_interval diff; /* mean over subjects of a_i - b_i, with its interval */
    double p;          /* two-sided bootstrap p of "no difference": 2 min(F(0), 1 - F(0-)) capped at
                          1, F the empirical distribution of the replicate differences */
} kvq_paired;

/* Paired bootstrap of two codecs on the same n subjects: each resample draws subjects, keeping a_i
 * and b_i together, so the correlation between the codecs is kept. */
int kvq_bootstrap_paired(const double *a, const double *b, size_t n, size_t reps, double level,
                         kvq_rng *rng, kvq_paired *out, kvq_error *err);

/* ---- clusters (metrics/cluster_bootstrap.c) ---- */

/* The (1 - level)/2 and (1 + level)/2 quantiles (type 7) of the finite values among the count in
 * v, which it reorders (the finite ones sorted to the front); NaN when fewer than half are finite.
 * Returns how many were finite. */
size_t kvq_percentile_bounds(double *v, size_t count, double level, double *lo, double *hi);

/* The statistics of one cluster resample: counts[c] is how often cluster c was drawn (the counts
 * sum to nclusters); fills stats[0 .. nstats), NaN where undefined. */
typedef void (*kvq_cluster_stats_fn)(const uint32_t *counts, void *ctx, double *stats);

/* The cluster bootstrap (Davison & Hinkley 1997, sec. 3.8, resampling the clusters with all their
 * members): reps resamples, each nclusters clusters drawn with replacement from rng (nclusters
 * draws of kvq_rng_bounded, in order); replicate r's nstats statistics go to
 * replicates[r * nstats ..]. nclusters 0 or >= 2^32, reps 0 or nstats 0 -> KVQ_EINVAL;
 * KVQ_ENOMEM. */
int kvq_cluster_replicates(size_t nclusters, size_t reps, size_t nstats, kvq_rng *rng,
                           kvq_cluster_stats_fn fn, void *ctx, double *replicates, kvq_error *err);

/* KVQ_EINVAL naming who, the subject (1-based) and its cluster when some cluster[s] (s < n) is not
 * below nclusters; the check every cluster bootstrap makes of its input. */
int kvq_check_clusters(const uint32_t *cluster, size_t n, size_t nclusters, const char *who,
                       kvq_error *err);

/* The percentile interval of each of the nstats statistics from the replicates above (reps rows of
 * nstats), into lo[i], hi[i]. KVQ_ENOMEM. */
int kvq_cluster_intervals_of(const double *replicates, size_t reps, size_t nstats, double level,
                             double *lo, double *hi, kvq_error *err);

#endif
