/* Reliability of a set of raters (codecs) over the same subjects: Cronbach's alpha and the six
 * Shrout-Fleiss intraclass correlations, as R psych::alpha and psych::ICC (lmer = FALSE) report
 * them. Input everywhere: x, an n x k matrix of doubles, row-major, n subjects (rows) by k raters
 * or items (columns); every value finite. Definitions in README, "Metrics". Undefined quantities (a
 * zero variance, 0/0) come back as NaN, never as a number that looks valid.
 */
#ifndef KVQ_RELIABILITY_H
#define KVQ_RELIABILITY_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

/* ---- Cronbach's alpha (metrics/alpha.c) ---- */

/* What alpha becomes when one item is left out, and how that item relates to the others. */
typedef struct kvq_alpha_item {
    double raw_alpha; /* raw alpha of the other k - 1 items (NaN when k == 2: one item has none) */
    double std_alpha; /* standardised alpha of the other items (NaN when k == 2) */
    double average_r; /* mean inter-item correlation of the other items (NaN when k == 2) */
    double r_drop; /* corrected item-total r: correlation of the item with the sum of the others */
} kvq_alpha_item;

typedef struct kvq_alpha {
    size_t n, k;
    double raw;       /* k/(k-1) * (1 - tr C / sum C), C the covariance matrix of the items */
    double std;       /* k/(k-1) * (1 - k / sum R), R the correlation matrix */
    double average_r; /* (sum R - k) / (k(k-1)): mean off-diagonal correlation */
    double level;     /* confidence level of the interval, e.g. 0.95 */
    double feldt_lo,
        feldt_hi; /* Feldt (1965): 1 - (1 - raw) F^-1(1 -+ (1-level)/2; n-1, (n-1)(k-1)) */
} kvq_alpha;

/* Alpha of the k items (columns) of x over n subjects, with the Feldt interval at level (0 < level
 * < 1). items: k entries to fill (alpha if each item is deleted), or NULL. O(nk) time and O(n + k)
 * memory, alpha if deleted included: no k x k matrix is formed. n < 2, k < 2, a bad level or a
 * non-finite value -> KVQ_EINVAL; memory that does not fit (kvq_memory_check) -> KVQ_ERANGE;
 * KVQ_ENOMEM. An item with zero variance makes std, average_r and every r that involves it NaN
 * (psych instead drops such an item and warns). */
int kvq_alpha_compute(const double *x, size_t n, size_t k, double level, kvq_alpha *out,
                      kvq_alpha_item *items, kvq_error *err);

/* ---- intraclass correlation (metrics/icc.c) ---- */

/* The six forms, in psych::ICC's order. */
typedef enum kvq_icc_type {
    KVQ_ICC1,  /* one-way random, single rater: absolute agreement */
    KVQ_ICC2,  /* two-way random, single rater: absolute agreement */
    KVQ_ICC3,  /* two-way mixed, single rater: consistency */
    KVQ_ICC1K, /* the same, for the mean of the k raters */
    KVQ_ICC2K,
    KVQ_ICC3K,
    KVQ_ICC_FORMS
} kvq_icc_type;

/* One form: the coefficient, its F test (F, df1, df2, upper-tail p) and confidence interval. */
typedef struct kvq_icc_form {
    double icc, f, df1, df2, p, lo, hi;
} kvq_icc_form;

typedef struct kvq_icc {
    size_t n, k;
    double level;
    /* Mean squares of the two-way ANOVA: between subjects (rows), within subjects, between judges
     * (columns), residual. */
    double msb, msw, msj, mse;
    kvq_icc_form form[KVQ_ICC_FORMS];
} kvq_icc;

/* "ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k". */
const char *kvq_icc_name(kvq_icc_type t);

/* The six ICCs of x (n subjects x k raters) with intervals at level (0 < level < 1). n < 2, k < 2,
 * a bad level or a non-finite value -> KVQ_EINVAL naming the row and column; KVQ_ENOMEM. */
int kvq_icc_compute(const double *x, size_t n, size_t k, double level, kvq_icc *out,
                    kvq_error *err);

/* The six coefficients (form[t].icc) from o's n, k and mean squares, as kvq_icc_compute takes
 * them (no F tests or intervals). */
void kvq_icc_coefficients(kvq_icc *o);

/* ---- query-cluster bootstrap (metrics/cluster_bootstrap.c) ---- */

/* Percentile intervals of raw alpha and the six ICCs when subjects come in clusters (the (query,
 * row) pairs of one query): each of reps resamples draws nclusters clusters with replacement and
 * takes every subject of each drawn cluster, so the dependence within a cluster is kept; the
 * (1 - level)/2 and (1 + level)/2 quantiles of the replicates (type 7) bound each statistic. An
 * interval is NaN when fewer than half the replicates give a finite value. */
typedef struct kvq_cluster_intervals {
    double alpha_lo, alpha_hi;
    double icc_lo[KVQ_ICC_FORMS], icc_hi[KVQ_ICC_FORMS];
    size_t reps;
} kvq_cluster_intervals;

/* x: n subjects x k raters; cluster[s] < nclusters the cluster of subject s (every cluster may be
 * empty but one must not). Bad arguments -> KVQ_EINVAL; KVQ_ENOMEM. Draws from rng. */
struct kvq_rng;
int kvq_cluster_bootstrap(const double *x, size_t n, size_t k, const uint32_t *cluster,
                          size_t nclusters, size_t reps, double level, struct kvq_rng *rng,
                          kvq_cluster_intervals *out, kvq_error *err);

/* The same bootstrap for the ICCs of each of raters 1 .. k-1 against rater 0 (x: n x k), pair by
 * pair: a replicate draws the clusters once and takes every pair's mean squares from per-cluster
 * sums and sums of squares and products (about rater 0's mean), so it costs O(clusters x k), not
 * O(n k). The interval of form t of rater i goes to lo[(i - 1) * KVQ_ICC_FORMS + t], hi[...]. Bad
 * arguments -> KVQ_EINVAL; KVQ_ENOMEM. */
int kvq_icc_pairs_cluster_bootstrap(const double *x, size_t n, size_t k, const uint32_t *cluster,
                                    size_t nclusters, size_t reps, double level,
                                    struct kvq_rng *rng, double *lo, double *hi, kvq_error *err);

#endif
