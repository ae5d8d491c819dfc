/* Agreement on categorical decisions: Cohen's kappa between two raters (unweighted, linear and
 * quadratic weights, with standard errors and intervals) and Fleiss' kappa among many. Input: x,
 * an n x k matrix of doubles, row-major, n subjects by k raters, each value a category label (any
 * finite number; labels are compared for equality). Definitions in README, "Metrics".
 */
#ifndef KVQ_KAPPA_H
#define KVQ_KAPPA_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

/* At most this many distinct labels: kappa is for categories, not for continuous scores. */
#define KVQ_KAPPA_MAX_CATEGORIES 1024

typedef enum kvq_kappa_weight {
    KVQ_KAPPA_UNWEIGHTED, /* w_ij = [i == j] */
    KVQ_KAPPA_LINEAR,     /* w_ij = 1 - |i - j| / (L - 1) */
    KVQ_KAPPA_QUADRATIC,  /* w_ij = 1 - (i - j)^2 / (L - 1)^2 (psych::cohen.kappa's default) */
    KVQ_KAPPA_WEIGHTS
} kvq_kappa_weight;

/* One weighting: kappa, its standard error (Fleiss, Cohen & Everitt 1969, not under the null) and
 * the normal interval kappa +- z SE, clipped to [-1, 1] as psych does. */
typedef struct kvq_kappa_value {
    double kappa, se, lo, hi;
} kvq_kappa_value;

typedef struct kvq_cohen {
    size_t n;          /* subjects */
    size_t categories; /* L: distinct labels of the two raters together */
    double level;
    kvq_kappa_value w[KVQ_KAPPA_WEIGHTS];
} kvq_cohen;

/* "unweighted", "linear", "quadratic". */
const char *kvq_kappa_weight_name(kvq_kappa_weight w);

/* Cohen's kappa between columns a and b of x (n x k), at confidence level (0 < level < 1). The
 * categories are the distinct labels of both columns in ascending order; weights depend on the
 * position of a label in that order, not on its value (as psych::cohen.kappa). One subject (n == 1:
 * the chance agreement would come from that subject alone), a single category, or chance agreement
 * of 1 makes kappa, its SE and its interval NaN. Reads columns a and b only: O(n log n) per pair.
 * n < 1, a or b >= k, a bad level, a non-finite label in a or b -> KVQ_EINVAL; more than
 * KVQ_KAPPA_MAX_CATEGORIES labels -> KVQ_ERANGE; KVQ_ENOMEM. */
int kvq_cohen_kappa(const double *x, size_t n, size_t k, size_t a, size_t b, double level,
                    kvq_cohen *out, kvq_error *err);

/* Cohen's kappa from an L x L table of counts: table[i * L + j] subjects were put in category i by
 * the first rater and j by the second, the categories in ascending order of their labels. A
 * category neither rater uses is dropped first, so the answer is kvq_cohen_kappa's on the subjects
 * the table counts (which builds such a table and calls this). A negative or non-finite count, L
 * of 0 or above KVQ_KAPPA_MAX_CATEGORIES, or a bad level -> KVQ_EINVAL; KVQ_ENOMEM. */
int kvq_cohen_kappa_table(const double *table, size_t L, double level, kvq_cohen *out,
                          kvq_error *err);

/* Query-cluster bootstrap intervals of Cohen's kappa of raters 1 .. k-1 against rater 0 (the
 * reference, e.g. the exact scores' decision) in x (n x k labels, each an integer in [0, L)):
 * every replicate draws nclusters clusters with replacement and keeps all of a drawn cluster's
 * subjects (kvq_cluster_replicates; cluster[s] < nclusters). The percentile interval at level of
 * rater i's kappa with weighting w goes to lo[(i - 1) * KVQ_KAPPA_WEIGHTS + w], hi[...]. A
 * label outside [0, L), fewer than 2 subjects or raters -> KVQ_EINVAL naming it; KVQ_ENOMEM. */
struct kvq_rng;
int kvq_cohen_kappa_cluster_bootstrap(const double *x, size_t n, size_t k, size_t L,
                                      const uint32_t *cluster, size_t nclusters, size_t reps,
                                      double level, struct kvq_rng *rng, double *lo, double *hi,
                                      kvq_error *err);

typedef struct kvq_fleiss {
    size_t n, k, categories;
    double p_observed; /* mean over subjects of the proportion of agreeing rater pairs */
    double p_chance;   /* sum over categories of the squared overall proportion */
    double kappa;      /* (p_observed - p_chance) / (1 - p_chance); NaN when p_chance == 1 or
                          n == 1 (one subject gives -1/(k-1) whatever the ratings) */
} kvq_fleiss;

/* Fleiss' kappa (Fleiss 1971) of the k raters of x (n x k, k >= 2, every subject rated by all).
 * Errors as kvq_cohen_kappa; it copies the n x k labels, and KVQ_ERANGE when they do not fit
 * (kvq_memory_check). */
int kvq_fleiss_kappa(const double *x, size_t n, size_t k, kvq_fleiss *out, kvq_error *err);

#endif
