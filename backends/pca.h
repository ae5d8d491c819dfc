/* Principal directions of a set of rows, shared by the codecs that keep a basis (svd, palette's
 * leaf, kakeya's skeletons): exact, by the eigendecomposition of the covariance (GSL
 * gsl_eigen_symmv), or randomised, by randomised subspace iteration (Halko, Martinsson and
 * Tropp, "Finding structure with randomness", SIAM Review 2011, Algorithm 4.4: a Gaussian sketch
 * Y = A Omega with l = r + oversample columns, then `power` rounds of Y = A (A^T Q), each product
 * re-orthonormalised by Householder QR (GSL) before the next, and an SVD of the small l x dim
 * matrix Q^T A).
 *
 * A is the n x dim matrix of rows, less their mean when centring; it is never formed: products
 * with A and A^T run over blocks of rows converted to double (CBLAS dgemm/dsyrk), so memory is
 * O(dim^2 + n l), not O(n dim) doubles. Variances are of the population (divided by n).
 * Signs: each direction has its largest-magnitude coordinate positive (ties: the lowest index),
 * so a basis is the same on every run. Exact decompositions are memoised for the process, keyed by
 * the covariance's bytes (pca.c): fitting the same rows again returns the same numbers without
 * solving again. */
#ifndef KVQ_BACKENDS_PCA_H
#define KVQ_BACKENDS_PCA_H

#include "kvq/error.h"
#include "kvq/rng.h"
#include <stddef.h>

/* KVQ_PCA_AUTO: exact up to KVQ_PCA_EXACT_MAX_DIM dimensions, randomised above (the exact
 * eigendecomposition costs O(dim^3): 2 s at dim 512, 15 s at 1024, far more at 4096). */
typedef enum kvq_pca_method { KVQ_PCA_EXACT, KVQ_PCA_RANDOMIZED, KVQ_PCA_AUTO } kvq_pca_method;

#define KVQ_PCA_EXACT_MAX_DIM 256

typedef struct kvq_pca_opts {
    kvq_pca_method method;
    int center;        /* subtract the mean of the rows first */
    size_t oversample; /* randomised: extra sketch columns (HMT suggest 5 to 10) */
    unsigned power;    /* randomised: power iterations (1 or 2 when the spectrum decays slowly) */
} kvq_pca_opts;

/* The top r principal directions of the n x dim rows (1 <= r <= dim, r <= n): basis gets them as
 * r orthonormal rows of dim floats, var[i] the variance along direction i (descending), mean the
 * mean of the rows (zeros when not centring), *total the total variance (sum over all dim
 * directions). rng draws the randomised sketch (unused by the exact method; may then be NULL).
 * Errors name who: KVQ_EINVAL for r out of range, KVQ_ENOMEM, KVQ_EINTERNAL when GSL fails. */
int kvq_pca(const float *rows, size_t n, size_t dim, size_t r, const kvq_pca_opts *o, kvq_rng *rng,
            float *mean, float *basis, double *var, double *total, const char *who, kvq_error *err);

/* The smallest rank whose leading variances reach ratio * total (at least 1, at most r: the cap
 * when they never do). */
size_t kvq_pca_rank_for(const double *var, size_t r, double total, double ratio);

/* Reads the method parameter shared by the codecs that fit a basis: "auto", "exact" or "random"
 * (anything else -> KVQ_EINVAL naming the codec, the key and the value). */
int kvq_pca_method_param(const char *codec, const char *key, const char *value, kvq_pca_method *out,
                         kvq_error *err);

#endif
