/* Signature statistics of a set of rows (include/kvq/population.h): what the built-in synthetic
 * populations are built to show, measured the same way on real tensors. */
#include "kvq/population.h"

#include <gsl/gsl_cblas.h> /* not <cblas.h>: gsl_eigen.h declares the same enums; OpenBLAS links */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_statistics_float.h>
#include <math.h>
#include <stdlib.h>

static void norm_stats(const float *rows, size_t n, size_t dim, double *norms, kvq_row_stats *s)
{
    for (size_t i = 0; i < n; i++) norms[i] = cblas_snrm2((int)dim, rows + i * dim, 1);
    double mean = gsl_stats_mean(norms, 1, n);
    s->norm_cv = mean > 0.0 ? gsl_stats_sd_m(norms, 1, n, mean) / mean : NAN;
    gsl_sort(norms, 1, n);
    double median = gsl_stats_median_from_sorted_data(norms, 1, n);
    s->norm_max_ratio = median > 0.0 ? norms[n - 1] / median : NAN;
}

/* Mean |cos| over the pairs of the first m rows: the Gram matrix of the unit rows (dsyrk). */
static int cosine_stats(const float *rows, size_t m, size_t dim, kvq_row_stats *s, kvq_error *err)
{
    double *unit = malloc(m * dim * sizeof *unit), *gram = malloc(m * m * sizeof *gram);
    if (!unit || !gram) {
        free(unit);
        free(gram);
        return kvq_fail(err, KVQ_ENOMEM, "row statistics: out of memory");
    }
    for (size_t i = 0; i < m; i++) {
        double norm = cblas_snrm2((int)dim, rows + i * dim, 1);
        for (size_t j = 0; j < dim; j++)
            unit[i * dim + j] = norm > 0.0 ? rows[i * dim + j] / norm : 0.0;
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)m, (int)dim, 1.0, unit, (int)dim, 0.0,
                gram, (int)m);
    double sum = 0.0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++) sum += fabs(gram[i * m + j]);
    s->mean_abs_cos = sum / ((double)m * (double)(m - 1) / 2.0);
    free(unit);
    free(gram);
    return KVQ_OK;
}

/* Singular values of X are the square roots of the eigenvalues of its Gram matrix on the smaller
 * side (X X^T, n x n, when n < dim; else X^T X, dim x dim), which have the same nonzero
 * eigenvalues. That decomposition is O(k^3) in k = min(n, dim): above KVQ_STATS_EIGEN_MAX the
 * statistic is left NaN rather than stall a run. */
static int effective_rank(const float *rows, size_t n, size_t dim, kvq_row_stats *s, kvq_error *err)
{
    size_t k = n < dim ? n : dim;
    s->eff_rank = NAN;
    if (k > KVQ_STATS_EIGEN_MAX) return KVQ_OK;
    double *x = malloc(n * dim * sizeof *x), *gram = calloc(k * k, sizeof *gram);
    gsl_vector *eval = gsl_vector_alloc(k);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(k);
    int rc = KVQ_OK;
    if (!x || !gram || !eval || !w) rc = kvq_fail(err, KVQ_ENOMEM, "row statistics: out of memory");
    if (!rc) {
        for (size_t i = 0; i < n * dim; i++) x[i] = rows[i];
        cblas_dsyrk(CblasRowMajor, CblasLower, n < dim ? CblasNoTrans : CblasTrans, (int)k,
                    (int)(n < dim ? dim : n), 1.0, x, (int)dim, 0.0, gram, (int)k);
        gsl_matrix_view g = gsl_matrix_view_array(gram, k, k);
        if (gsl_eigen_symm(&g.matrix, eval, w))
            rc = kvq_fail(err, KVQ_EINTERNAL, "row statistics: eigen-decomposition failed");
    }
    if (!rc) {
        double total = 0.0, entropy = 0.0;
        for (size_t i = 0; i < k; i++) total += sqrt(fmax(gsl_vector_get(eval, i), 0.0));
        for (size_t i = 0; i < k; i++) {
            double p = sqrt(fmax(gsl_vector_get(eval, i), 0.0)) / total;
            if (p > 0.0) entropy -= p * log(p);
        }
        s->eff_rank = total > 0.0 ? exp(entropy) : 0.0;
    }
    free(x);
    free(gram);
    if (eval) gsl_vector_free(eval);
    if (w) gsl_eigen_symm_free(w);
    return rc;
}

int kvq_row_stats_compute(const float *rows, size_t n, size_t dim, kvq_row_stats *out,
                          kvq_error *err)
{
    if (n < 2 || dim == 0)
        return kvq_fail(err, KVQ_EINVAL, "row statistics need at least 2 rows (got %zu x %zu)", n,
                        dim);
    double *norms = malloc(n * sizeof *norms);
    if (!norms) return kvq_fail(err, KVQ_ENOMEM, "row statistics: out of memory");
    norm_stats(rows, n, dim, norms, out);
    free(norms);
    out->kurtosis = gsl_stats_float_kurtosis(rows, 1, n * dim);
    int rc = cosine_stats(rows, n < KVQ_STATS_COS_ROWS ? n : KVQ_STATS_COS_ROWS, dim, out, err);
    return rc ? rc : effective_rank(rows, n, dim, out, err);
}
