/* Error metrics (include/kvq/metrics.h), accumulated in double.
 * Known answer (tests/test_metrics_error.c, from numpy): x = (3, 4, 0), xhat = (3, 3, 1) gives
 * relative MSE 2/25, MAE 2/3, bias 0, max |error| 1. */
#include "kvq/metrics.h"
#include "metrics/select.h"

#include <math.h>
#include <stdlib.h>

double kvq_rel_mse(const float *x, const float *xhat, size_t n)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)x[i] - (double)xhat[i];
        num += d * d;
        den += (double)x[i] * (double)x[i];
    }
    return den > 0.0 ? num / den : NAN;
}

int kvq_residuals_compute(const float *x, const float *xhat, size_t n, kvq_residuals *out,
                          kvq_error *err)
{
    if (n == 0) return kvq_fail(err, KVQ_EINVAL, "error statistics: no values");
    double *abs_err = malloc(n * sizeof *abs_err);
    if (!abs_err) return kvq_fail(err, KVQ_ENOMEM, "error statistics: no memory for %zu values", n);
    double sum = 0.0, sum_abs = 0.0, sum_sq = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)xhat[i] - (double)x[i];
        sum += d, sum_abs += fabs(d), sum_sq += d * d;
        abs_err[i] = fabs(d);
    }
    out->n = n;
    out->mae = sum_abs / (double)n;
    out->rmse = sqrt(sum_sq / (double)n);
    out->bias = sum / (double)n;
    /* three quantiles need six order statistics, not a sort, each selected among the values above
     * the one before; the largest value lies above the last of them */
    static const double f[] = {0.50, 0.95, 0.99};
    double q[3];
    kvq_quantiles_select(abs_err, n, f, 3, q);
    out->p50_abs = q[0], out->p95_abs = q[1], out->p99_abs = q[2];
    size_t top = (size_t)(int)(f[2] * (double)(n - 1));
    kvq_select_pair(abs_err + top, n - top, n - 1 - top);
    out->max_abs = abs_err[n - 1];
    out->rel_mse = kvq_rel_mse(x, xhat, n);
    free(abs_err);
    return KVQ_OK;
}

double kvq_squared_distance(const float *a, const float *b, size_t dim)
{
    double s = 0.0;
    for (size_t k = 0; k < dim; k++) {
        double d = (double)a[k] - (double)b[k];
        s += d * d;
    }
    return s;
}

double kvq_row_cosine(const float *a, const float *b, size_t dim)
{
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (size_t j = 0; j < dim; j++) {
        ab += (double)a[j] * (double)b[j];
        aa += (double)a[j] * (double)a[j];
        bb += (double)b[j] * (double)b[j];
    }
    if (aa == 0.0 || bb == 0.0) return aa == bb ? 1.0 : 0.0;
    return ab / sqrt(aa * bb);
}

double kvq_mean_cosine(const float *x, const float *xhat, size_t rows, size_t dim)
{
    if (rows == 0 || dim == 0) return NAN;
    double sum = 0.0;
    for (size_t i = 0; i < rows; i++) sum += kvq_row_cosine(x + i * dim, xhat + i * dim, dim);
    return sum / (double)rows;
}
