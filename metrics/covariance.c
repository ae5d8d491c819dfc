/* Column covariance and correlation matrices (metrics/covariance.h). */
#include "covariance.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

/* Rows centred per dsyrk call: enough to keep BLAS busy, small enough to stay in cache. */
#define BLOCK_ROWS 1024

int kvq_check_level(double level, const char *what, kvq_error *err)
{
    if (!(level > 0.0 && level < 1.0))
        return kvq_fail(err, KVQ_EINVAL,
                        "%s: confidence level %g must lie strictly between 0 and 1", what, level);
    return KVQ_OK;
}

int kvq_check_finite(const double *x, size_t n, size_t k, const char *what, kvq_error *err)
{
    for (size_t i = 0; i < n * k; i++)
        if (!isfinite(x[i]))
            return kvq_fail(err, KVQ_EINVAL, "%s: value at row %zu, column %zu is not finite", what,
                            i / k + 1, i % k + 1);
    return KVQ_OK;
}

static void column_means(const double *x, size_t n, size_t k, double *mean)
{
    for (size_t j = 0; j < k; j++) mean[j] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) mean[j] += x[i * k + j];
    for (size_t j = 0; j < k; j++) mean[j] /= (double)n;
}

int kvq_column_covariance(const double *x, size_t n, size_t k, double *cov, const char *what,
                          kvq_error *err)
{
    int rc = kvq_check_finite(x, n, k, what, err);
    if (rc) return rc;
    size_t rows = n < BLOCK_ROWS ? n : BLOCK_ROWS;
    double *mean = malloc(k * sizeof *mean), *block = malloc(rows * k * sizeof *block);
    if (!mean || !block) {
        free(mean);
        free(block);
        return kvq_fail(err, KVQ_ENOMEM, "%s: no memory for %zu columns", what, k);
    }
    column_means(x, n, k, mean);
    for (size_t i0 = 0; i0 < n; i0 += rows) {
        size_t m = n - i0 < rows ? n - i0 : rows;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < k; j++) block[i * k + j] = x[(i0 + i) * k + j] - mean[j];
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)k, (int)m, 1.0, block, (int)k,
                    i0 == 0 ? 0.0 : 1.0, cov, (int)k);
    }
    for (size_t a = 0; a < k; a++)
        for (size_t b = a; b < k; b++) cov[b * k + a] = cov[a * k + b] /= (double)(n - 1);
    free(mean);
    free(block);
    return KVQ_OK;
}

void kvq_covariance_to_correlation(double *cov, size_t k)
{
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++) {
            if (a == b) continue;
            double v = cov[a * k + a] * cov[b * k + b];
            cov[a * k + b] = v > 0.0 ? cov[a * k + b] / sqrt(v) : NAN;
        }
    for (size_t a = 0; a < k; a++) cov[a * k + a] = cov[a * k + a] > 0.0 ? 1.0 : NAN;
}
