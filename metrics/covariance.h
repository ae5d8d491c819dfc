/* Column covariance and correlation matrices of a subjects x items matrix: shared by alpha and
 * factor structure. Internal to metrics/. */
#ifndef KVQ_METRICS_COVARIANCE_H
#define KVQ_METRICS_COVARIANCE_H

#include "kvq/error.h"
#include <stddef.h>

/* cov (k x k, row-major) = sample covariance of the k columns of x (n x k row-major, n >= 2), with
 * the n - 1 denominator. Centred in blocks of rows and accumulated with CBLAS dsyrk, so no copy of
 * x is made. A non-finite value -> KVQ_EINVAL naming its row and column; KVQ_ENOMEM. Messages start
 * with what. */
int kvq_column_covariance(const double *x, size_t n, size_t k, double *cov, const char *what,
                          kvq_error *err);

/* Turns a covariance matrix into the correlation matrix in place (NaN rows and columns for a zero
 * variance, 1 on the diagonal otherwise). */
void kvq_covariance_to_correlation(double *cov, size_t k);

/* Checks that 0 < level < 1 (a confidence level), naming what for. */
int kvq_check_level(double level, const char *what, kvq_error *err);

/* Checks that x is finite, naming the first bad cell as 1-based row and column for what. */
int kvq_check_finite(const double *x, size_t n, size_t k, const char *what, kvq_error *err);

#endif
