/* Factor structure (include/kvq/factors.h): eigen-decomposition of the correlation matrix with GSL
 * (gsl_eigen_symmv), principal-component loadings, Kaiser's rule and Horn's (1965) parallel
 * analysis, "A rationale and test for the number of factors in factor analysis", Psychometrika
 * 30(2): eigenvalues of the observed correlations against the mean eigenvalues of the same-sized
 * correlations of uncorrelated normal data.
 * Known answer (tests/test_metrics_factors.c, from R): the Shrout-Fleiss ratings have eigenvalues
 * 3.2827678, 0.3629764, 0.2493965, 0.1048594; one factor by Kaiser and by parallel analysis. */
#include "kvq/factors.h"
#include "covariance.h"
#include "kvq/memory.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_sort_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Rows of x that kvq_column_covariance centres at a time (metrics/covariance.c), for the memory
 * estimate. */
#define COVARIANCE_BLOCK_ROWS 1024.0

void kvq_factors_free(kvq_factors *f)
{
    free(f->corr);
    free(f->eigenvalues);
    free(f->loadings);
    free(f->parallel_mean);
    *f = (kvq_factors){0};
}

/* Eigenvalues of the k x k matrix a (destroyed), descending, and the first eigenvector when v1 is
 * not NULL. Without v1 GSL's eigenvalue-only routine runs, about 5 times faster at k = 2000: the
 * simulated data sets of parallel analysis need no eigenvectors. */
static int eigen(gsl_matrix *a, size_t k, double *values, double *v1, kvq_error *err)
{
    gsl_vector *val = gsl_vector_alloc(k);
    gsl_matrix *vec = v1 ? gsl_matrix_alloc(k, k) : NULL;
    gsl_eigen_symmv_workspace *wv = v1 ? gsl_eigen_symmv_alloc(k) : NULL;
    gsl_eigen_symm_workspace *w = v1 ? NULL : gsl_eigen_symm_alloc(k);
    int rc = val && (v1 ? vec && wv : w != NULL)
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "factors: no memory for %zu items", k);
    int bad = 0;
    if (!rc && v1)
        bad = gsl_eigen_symmv(a, val, vec, wv) ||
              gsl_eigen_symmv_sort(val, vec, GSL_EIGEN_SORT_VAL_DESC);
    else if (!rc && !(bad = gsl_eigen_symm(a, val, w)))
        gsl_sort_vector(val); /* ascending: read back from the end */
    if (bad)
        rc = kvq_fail(err, KVQ_EINTERNAL, "factors: eigen-decomposition of %zu x %zu failed", k, k);
    for (size_t j = 0; !rc && j < k; j++) {
        values[j] = v1 ? gsl_vector_get(val, j) : gsl_vector_get(val, k - 1 - j);
        if (v1) v1[j] = gsl_matrix_get(vec, j, 0);
    }
    if (wv) gsl_eigen_symmv_free(wv);
    if (w) gsl_eigen_symm_free(w);
    gsl_matrix_free(vec);
    gsl_vector_free(val);
    return rc;
}

/* Eigenvalues (descending) of the correlation matrix of x, and the first eigenvector when v1 is
 * not NULL. corr receives the correlation matrix. */
static int correlation_eigen(const double *x, size_t n, size_t k, double *corr, double *values,
                             double *v1, kvq_error *err)
{
    int rc = kvq_column_covariance(x, n, k, corr, "factors", err);
    if (rc) return rc;
    for (size_t j = 0; j < k; j++)
        if (!(corr[j * k + j] > 0.0))
            return kvq_fail(err, KVQ_EINVAL,
                            "factors: column %zu has zero variance: correlations undefined", j + 1);
    kvq_covariance_to_correlation(corr, k);
    gsl_matrix *a = gsl_matrix_alloc(k, k);
    if (!a) return kvq_fail(err, KVQ_ENOMEM, "factors: no memory for %zu items", k);
    for (size_t i = 0; i < k * k; i++) a->data[i / k * a->tda + i % k] = corr[i];
    rc = eigen(a, k, values, v1, err);
    gsl_matrix_free(a);
    return rc;
}

int kvq_first_factor(const double *corr, size_t k, double *loadings, kvq_error *err)
{
    gsl_matrix *a = gsl_matrix_alloc(k, k);
    double *values = malloc(k * sizeof *values);
    int rc =
        a && values ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "factors: no memory for %zu items", k);
    for (size_t i = 0; !rc && i < k * k; i++) a->data[i / k * a->tda + i % k] = corr[i];
    if (!rc) rc = eigen(a, k, values, loadings, err);
    double sum = 0.0;
    for (size_t j = 0; !rc && j < k; j++) sum += loadings[j];
    for (size_t j = 0; !rc && j < k; j++) loadings[j] *= (sum < 0.0 ? -1.0 : 1.0) * sqrt(values[0]);
    gsl_matrix_free(a);
    free(values);
    return rc;
}

/* Mean eigenvalues of sims correlation matrices of n x k i.i.d. N(0, 1) data. */
static int simulate(size_t n, size_t k, size_t sims, kvq_rng *rng, double *mean, kvq_error *err)
{
    double *z = malloc(n * k * sizeof *z), *corr = malloc(k * k * sizeof *corr);
    double *values = malloc(k * sizeof *values);
    int rc = z && corr && values
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "parallel analysis: no memory for %zu x %zu", n, k);
    for (size_t j = 0; j < k; j++) mean[j] = 0.0;
    for (size_t s = 0; !rc && s < sims; s++) {
        for (size_t i = 0; i < n * k; i++) z[i] = kvq_rng_gaussian(rng);
        rc = correlation_eigen(z, n, k, corr, values, NULL, err);
        for (size_t j = 0; !rc && j < k; j++) mean[j] += values[j] / (double)sims;
    }
    free(z), free(corr), free(values);
    return rc;
}

static void summarise(kvq_factors *f)
{
    double l1 = f->eigenvalues[0], sum = 0.0;
    for (size_t j = 0; j < f->k; j++) sum += f->loadings[j];
    for (size_t j = 0; j < f->k; j++) f->loadings[j] *= (sum < 0.0 ? -1.0 : 1.0) * sqrt(l1);
    f->first_share = l1 / (double)f->k;
    for (size_t j = 0; j < f->k; j++) f->kaiser += f->eigenvalues[j] > 1.0;
    if (!f->sims) return;
    while (f->parallel < f->k && f->eigenvalues[f->parallel] > f->parallel_mean[f->parallel])
        f->parallel++;
}

int kvq_factors_check(size_t n, size_t k, size_t sims, kvq_error *err)
{
    if (n < 3 || k < 2)
        return kvq_fail(err, KVQ_EINVAL,
                        "factors: needs at least 3 subjects and 2 items (got %zu x %zu)", n, k);
    if (k > KVQ_FACTORS_MAX_ITEMS)
        return kvq_fail(err, KVQ_ERANGE,
                        "factors: %zu items, more than the %d an eigen-decomposition is run on "
                        "(its time grows as k^3)",
                        k, KVQ_FACTORS_MAX_ITEMS);
    /* At the peak, while a simulated set is decomposed: the observed correlations, the simulated
     * ones and GSL's copy (the observed eigenvectors, earlier, take the place of the simulated
     * correlations), the simulated data, the covariance's centred block, a few k-vectors. */
    double dn = (double)n, dk = (double)k;
    double values = 3.0 * dk * dk + (sims ? dn * dk : 0.0) + COVARIANCE_BLOCK_ROWS * dk + 16.0 * dk;
    char what[96];
    snprintf(what, sizeof what, "factors of %zu items over %zu subjects", k, n);
    return kvq_memory_check(values * sizeof(double), what, err);
}

int kvq_factors_compute(const double *x, size_t n, size_t k, size_t sims, kvq_rng *rng,
                        kvq_factors *out, kvq_error *err)
{
    int rc = kvq_factors_check(n, k, sims, err);
    if (rc) return rc;
    kvq_factors f = {.n = n, .k = k, .sims = sims};
    f.corr = malloc(k * k * sizeof *f.corr);
    f.eigenvalues = malloc(k * sizeof *f.eigenvalues);
    f.loadings = malloc(k * sizeof *f.loadings);
    f.parallel_mean = sims ? malloc(k * sizeof *f.parallel_mean) : NULL;
    rc = f.corr && f.eigenvalues && f.loadings && (f.parallel_mean || !sims)
             ? KVQ_OK
             : kvq_fail(err, KVQ_ENOMEM, "factors: no memory for %zu items", k);
    if (!rc) rc = correlation_eigen(x, n, k, f.corr, f.eigenvalues, f.loadings, err);
    if (!rc && sims) rc = simulate(n, k, sims, rng, f.parallel_mean, err);
    if (rc) {
        kvq_factors_free(&f);
        return rc;
    }
    summarise(&f);
    *out = f;
    return KVQ_OK;
}
