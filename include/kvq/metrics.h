/* The metric engine: per-cell agreement between a codec's estimates and the exact values.
 *
 * Definitions (also in README, "Metrics"). Undefined cases (n < 2, a constant vector) give NaN,
 * never a number that looks valid.
 */
#ifndef KVQ_METRICS_H
#define KVQ_METRICS_H

#include <stddef.h>

/* Pearson product-moment correlation of x and y (n values each). */
double kvq_pearson(const double *x, const double *y, size_t n);

/* Spearman's rho: Pearson correlation of the ranks, ties given their average rank (as
 * scipy.stats.spearmanr). work: 2 * n doubles of scratch. */
double kvq_spearman(const double *x, const double *y, size_t n, double *work);

/* recall@k of one query: |top_k(est) ∩ top_k(exact)| / k over n candidates (k <= n). Among equal
 * scores the lower index ranks first, on both sides, so ties never depend on sort stability.
 * work: 2 * k size_t of scratch. NaN when k == 0 or k > n. */
double kvq_recall_at_k(const float *est, const float *exact, size_t n, size_t k, size_t *work);

/* Relative MSE: sum (x - x^)^2 / sum x^2 over n values (NaN when sum x^2 == 0). */
double kvq_rel_mse(const float *x, const float *xhat, size_t n);

#endif
