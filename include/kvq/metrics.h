/* The metric engine, per cell: agreement between a codec's estimates and the exact values —
 * correlation, ranking, error. Reliability across codecs, factor structure, attention parity, chain
 * collapse and bootstrap intervals have headers of their own (reliability.h, kappa.h, factors.h,
 * attention.h, chain.h, bootstrap.h).
 *
 * Definitions (also in README, "Metrics"). Undefined cases (n < 2, a constant vector, a non-finite
 * value) give NaN, never a number that looks valid.
 */
#ifndef KVQ_METRICS_H
#define KVQ_METRICS_H

#include "kvq/error.h"
#include <stddef.h>

/* ---- correlation (metrics/correlation.c, metrics/kendall.c, metrics/rank_scores.c) ---- */

/* Pearson product-moment correlation of x and y (n values each). */
double kvq_pearson(const double *x, const double *y, size_t n);

/* Spearman's rho: Pearson correlation of the ranks, ties given their average rank (as
 * scipy.stats.spearmanr). work: 2 * n doubles of scratch. O(n log n). */
double kvq_spearman(const double *x, const double *y, size_t n, double *work);

/* Kendall's tau-b (as scipy.stats.kendalltau): (concordant - discordant) pairs over
 * sqrt((n0 - n1)(n0 - n2)), n0 = n(n-1)/2, n1 and n2 the pairs tied in x and in y. work: 3 * n + 1
 * doubles of scratch. O(n log n). */
double kvq_kendall_tau_b(const double *x, const double *y, size_t n, double *work);

/* Spearman's rho (*rho) and Kendall's tau-b (*tau_b) of two float vectors x and y (n < 2^32 - 1
 * values each) at once: the same doubles, bit for bit, as kvq_spearman and kvq_kendall_tau_b of
 * the values converted to double (NaN where those are), from shared sorts. work:
 * KVQ_RANK_CORRELATIONS_WORK(n) bytes of scratch, suitably aligned for uint64_t (malloc's).
 * O(n) for the radix sorts plus O(n log n) for counting the discordant pairs
 * (metrics/rank_scores.c). */
#define KVQ_RANK_CORRELATIONS_WORK(n) (52 * (size_t)(n) + 12)
void kvq_rank_correlations_f(const float *x, const float *y, size_t n, void *work, double *rho,
                             double *tau_b);

/* The x side of kvq_rank_correlations_f, computed once for comparing many y with the same x:
 * KVQ_RANKS_OF_BYTES(n) bytes at ranks (suitably aligned for uint64_t) from x's sort. */
#define KVQ_RANKS_OF_BYTES(n) (16 * (size_t)(n) + 8)
void kvq_ranks_of_f(const float *x, size_t n, void *ranks);

/* kvq_rank_correlations_f(x, y, ...) with x's side from kvq_ranks_of_f(x): the same doubles, bit
 * for bit, with one sort of three fewer. */
void kvq_rank_correlations_ranked_f(const void *ranks_x, const float *y, size_t n, void *work,
                                    double *rho, double *tau_b);

/* kvq_spearman_f(x, y, n, work) with x's side from kvq_ranks_of_f(x): the same double, bit for bit,
 * with one sort of two. */
double kvq_spearman_ranked_f(const void *ranks_x, const float *y, size_t n, void *work);

/* After kvq_rank_correlations_f or kvq_rank_correlations_ranked_f with this work and this y: the
 * k-th best value of y (1 <= k <= n) into *kth and, when top is not NULL, the k best rows into top,
 * best first, exactly as kvq_top_k orders them (higher value first, equal values lower index
 * first); from the sort of y those computed, at the cost of reading it. Returns 0, writing nothing,
 * when they did not sort y (x or y constant, or a value not finite) or k is out of range. */
int kvq_sorted_top_k(const void *work, const float *y, size_t n, size_t k, size_t *top, float *kth);

/* Spearman's rho of two float vectors alone, as kvq_rank_correlations_f computes it (two of its
 * three sorts); work as there. */
double kvq_spearman_f(const float *x, const float *y, size_t n, void *work);

/* ---- ranking (metrics/topk.c, metrics/recall.c) ----
 * Order everywhere: a higher score ranks above a lower one; among equal scores the lower index
 * ranks first, so ties never depend on sort stability. */

/* Fills top[0..k) with the indices of the k highest of the n scores s, best first (1 <= k <= n).
 * O(n log k): a bounded heap, never a full sort. */
void kvq_top_k(const float *s, size_t n, size_t k, size_t *top);

/* The index of the highest score (the first one among equal maxima); 0 when n == 0. */
size_t kvq_argmax(const float *s, size_t n);

/* For each of nq queries q_i (nq x dim, row-major), the indices of the k rows of x (n x dim) with
 * the highest inner product <q_i, x_j>, best first: top[i * k .. i * k + k). The inner products are
 * computed with CBLAS sgemm, a block of queries at a time (at most 32 MiB of scores), never the
 * whole nq x n matrix. k outside [1, n] or dim == 0 -> KVQ_EINVAL. */
int kvq_top_k_inner(const float *q, size_t nq, const float *x, size_t n, size_t dim, size_t k,
                    size_t *top, kvq_error *err);

/* |a ∩ b| / k for two sets of k distinct indices; sorts a and b in place. NaN when k == 0. */
double kvq_top_k_overlap(size_t *a, size_t *b, size_t k);

/* recall@k of one query: |top_k(est) ∩ top_k(exact)| / k over n candidates (k <= n).
 * work: 2 * k size_t of scratch. NaN when k == 0 or k > n. */
double kvq_recall_at_k(const float *est, const float *exact, size_t n, size_t k, size_t *work);

/* Top-1 agreement of one query: 1 when argmax(est) == argmax(exact), else 0 (the same as
 * recall@1). NaN when n == 0. */
double kvq_top1_agree(const float *est, const float *exact, size_t n);

/* ---- error (metrics/error.c) ---- */

/* Relative MSE: sum (x - x^)^2 / sum x^2 over n values (NaN when sum x^2 == 0). */
double kvq_rel_mse(const float *x, const float *xhat, size_t n);

/* Summary of the errors e_i = xhat_i - x_i (estimate minus truth) over n values. */
typedef struct kvq_residuals {
    size_t n;
    double mae;                       /* mean |e| */
    double rmse;                      /* sqrt(mean e^2) */
    double bias;                      /* mean e (signed: positive when the estimate runs high) */
    double max_abs;                   /* max |e| */
    double p50_abs, p95_abs, p99_abs; /* percentiles of |e|, linear interpolation between order
                                         statistics (numpy.percentile's default, R type 7) */
    double rel_mse;                   /* kvq_rel_mse(x, xhat, n) */
} kvq_residuals;

/* Fills out for the n values of x (truth) and xhat (estimate). n == 0 -> KVQ_EINVAL; allocates n
 * doubles for the percentiles (KVQ_ENOMEM). */
int kvq_residuals_compute(const float *x, const float *xhat, size_t n, kvq_residuals *out,
                          kvq_error *err);

/* |a - b|^2 over dim values in double, coordinate by coordinate in index order: no cancellation,
 * 0 exactly when a == b. */
double kvq_squared_distance(const float *a, const float *b, size_t dim);

/* Cosine of one pair of rows of dim values, in double; 1 when both are zero (nothing was lost), 0
 * when only one is (the direction was lost or invented). */
double kvq_row_cosine(const float *a, const float *b, size_t dim);

/* Mean over rows of cos(x_i, xhat_i) for rows x dim row-major arrays. A row that is zero on both
 * sides counts 1, zero on one side only 0. NaN when rows == 0 or dim == 0. */
double kvq_mean_cosine(const float *x, const float *xhat, size_t rows, size_t dim);

#endif
