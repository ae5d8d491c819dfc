/* Signature statistics of a set of rows (include/kvq/population.h): what the built-in synthetic
 * populations are built to show, measured the same way on real tensors.
 *
 * Cost, whatever n and dim: the norms and the kurtosis are passes over the n x dim values
 * (the median norm by selection, not a sort; the kurtosis by metrics/moments.c, not GSL's running
 * means, which take 1.2 s for 3840 rows of width 11,008). Mean |cos| and, when both n and dim
 * exceed m = KVQ_STATS_SAMPLE_ROWS, the effective rank read a sample of m rows: all rows when n <=
 * m, else a uniformly random subset of m of them (Knuth's selection sampling, kvq_sample_rows, on a
 * pcg32 stream seeded from a fixed constant: the same rows always give the same statistic, and
 * rows that arrive in file order are not read as a sample). The effective rank comes from the
 * eigenvalues of a Gram matrix of side k = min(rows used, dim) <= m: the dim x dim X^T X of all
 * n rows when dim <= m (accumulated over blocks of rows, O(n dim^2)), the n x n X X^T when
 * n <= m, and the m x m Gram of the sample otherwise (O(m^2 dim + m^3)). So what is estimated is
 * exact when min(n, dim) <= m, and otherwise the effective rank of the m sampled rows, at most m.
 * Known answer: tests/test_population_synth.c checks all five against numpy
 * (tests/golden/gen_populations.py) and the effective rank of a rank-r matrix. */
#include "kvq/population.h"
#include "metrics/moments.h"
#include "metrics/select.h"
#include "populations.h"

#include <gsl/gsl_cblas.h> /* not <cblas.h>: gsl_eigen.h declares the same enums; OpenBLAS links */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The sample's stream: fixed, so that a statistic depends on the rows only. */
#define SAMPLE_SEED 0x7369676e61747572ULL /* "signatur" */
#define SAMPLE_STREAM 1u
/* Rows converted to double at a time for the dim x dim Gram matrix. */
#define GRAM_BLOCK 8192

static int out_of_memory(kvq_error *err)
{
    return kvq_fail(err, KVQ_ENOMEM, "row statistics: out of memory");
}

static int norm_stats(const float *rows, size_t n, size_t dim, kvq_row_stats *s, kvq_error *err)
{
    double *norms = malloc(n * sizeof *norms);
    if (!norms) return out_of_memory(err);
    double max = 0.0;
    for (size_t i = 0; i < n; i++) {
        norms[i] = cblas_snrm2((int)dim, rows + i * dim, 1);
        if (norms[i] > max) max = norms[i];
    }
    double mean = gsl_stats_mean(norms, 1, n);
    s->norm_cv = mean > 0.0 ? gsl_stats_sd_m(norms, 1, n, mean) / mean : NAN;
    double median = kvq_median_select(norms, n);
    s->norm_max_ratio = median > 0.0 ? max / median : NAN;
    free(norms);
    return KVQ_OK;
}

/* The m rows the sample statistics read: rows itself when n <= m (*copy NULL), else a uniformly
 * random subset of m, in file order, in a new *copy. */
static int sample_rows(const float *rows, size_t n, size_t dim, size_t m, float **copy,
                       kvq_error *err)
{
    *copy = NULL;
    if (n <= m) return KVQ_OK;
    size_t *idx = malloc(m * sizeof *idx), unused;
    *copy = malloc(m * dim * sizeof **copy);
    if (!idx || !*copy) {
        free(idx);
        free(*copy);
        *copy = NULL;
        return out_of_memory(err);
    }
    kvq_rng rng;
    kvq_rng_seed(&rng, SAMPLE_SEED, SAMPLE_STREAM);
    int rc = kvq_sample_rows(&rng, n, m, 0, idx, &unused, err);
    for (size_t i = 0; i < m && !rc; i++)
        memcpy(*copy + i * dim, rows + idx[i] * dim, dim * sizeof **copy);
    free(idx);
    return rc;
}

/* Mean |cos| over the pairs of the m rows: the Gram matrix of the unit rows (dsyrk). */
static int cosine_stats(const float *rows, size_t m, size_t dim, kvq_row_stats *s, kvq_error *err)
{
    double *unit = malloc(m * dim * sizeof *unit), *gram = malloc(m * m * sizeof *gram);
    if (!unit || !gram) {
        free(unit);
        free(gram);
        return out_of_memory(err);
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

/* The lower triangle of the Gram matrix on the smaller side of rows (n x dim), k x k: X X^T when
 * n < dim, else X^T X summed over blocks of GRAM_BLOCK rows, so that no more than a block is held
 * in double. */
static int gram_matrix(const float *rows, size_t n, size_t dim, double *gram, kvq_error *err)
{
    size_t block = n < dim ? n : (n < GRAM_BLOCK ? n : GRAM_BLOCK);
    double *x = malloc(block * dim * sizeof *x);
    if (!x) return out_of_memory(err);
    for (size_t first = 0; first < n; first += block) {
        size_t count = n - first < block ? n - first : block;
        for (size_t i = 0; i < count * dim; i++) x[i] = rows[first * dim + i];
        if (n < dim)
            cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)dim, 1.0, x, (int)dim,
                        0.0, gram, (int)n);
        else
            cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)dim, (int)count, 1.0, x,
                        (int)dim, first ? 1.0 : 0.0, gram, (int)dim);
    }
    free(x);
    return KVQ_OK;
}

/* Singular values of X are the square roots of the eigenvalues of its Gram matrix on the smaller
 * side, which have the same nonzero eigenvalues; the caller keeps that side <= the sample size. */
static int effective_rank(const float *rows, size_t n, size_t dim, kvq_row_stats *s, kvq_error *err)
{
    size_t k = n < dim ? n : dim;
    double *gram = calloc(k * k, sizeof *gram);
    gsl_vector *eval = gsl_vector_alloc(k);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(k);
    int rc = !gram || !eval || !w ? out_of_memory(err) : gram_matrix(rows, n, dim, gram, err);
    if (!rc) {
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
    size_t m = n < KVQ_STATS_SAMPLE_ROWS ? n : KVQ_STATS_SAMPLE_ROWS;
    float *copy;
    int rc = norm_stats(rows, n, dim, out, err);
    if (!rc) out->kurtosis = kvq_kurtosis_float(rows, n * dim);
    if (!rc) rc = sample_rows(rows, n, dim, m, &copy, err);
    if (rc) return rc;
    const float *sample = copy ? copy : rows;
    rc = cosine_stats(sample, m, dim, out, err);
    if (!rc && dim <= m)
        rc = effective_rank(rows, n, dim, out, err);
    else if (!rc)
        rc = effective_rank(sample, m, dim, out, err);
    free(copy);
    return rc;
}
