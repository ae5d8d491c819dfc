/* Varimax rotation (Kaiser 1958) of a factor loading matrix: the orthogonal rotation that
 * maximises the variance of the squared loadings in each column, so that each item loads highly
 * on as few factors as possible. Computed as R's stats::varimax(x, normalize = TRUE, eps = 1e-5),
 * which psych::principal(x, nf, rotate = "varimax") calls. Definition in README, "Metrics".
 */
#ifndef KVQ_VARIMAX_H
#define KVQ_VARIMAX_H

#include "kvq/error.h"
#include <stddef.h>

/* Stopping rule and cap of the iteration, as stats::varimax: stop once the criterion grows by
 * less than a relative KVQ_VARIMAX_EPS, after at most KVQ_VARIMAX_MAX_ITER iterations. */
#define KVQ_VARIMAX_EPS 1e-5
#define KVQ_VARIMAX_MAX_ITER 1000

/* Rotates loadings (k x m, row-major, k items by m factors, every value finite) in place.
 * Kaiser normalisation: each row is divided by its length before the rotation and multiplied back
 * after (a row of zeros stays zero, where R would give NaN). Each iteration takes the SVD
 * B = U D V' (GSL) of B = X' (Z^3 - Z diag(colSums(Z^2)) / k), Z = X T, and sets T = U V'.
 * rotation (m x m, row-major) receives T when not NULL: rotated = normalised x T, rescaled.
 * m < 2 leaves loadings unchanged (T = identity). k == 0 -> KVQ_EINVAL; KVQ_ENOMEM; the SVD
 * failing -> KVQ_EINTERNAL. The columns are neither reordered nor sign-changed. */
int kvq_varimax(double *loadings, size_t k, size_t m, double *rotation, kvq_error *err);

#endif
