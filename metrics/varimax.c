/* Varimax rotation (include/kvq/varimax.h): Kaiser (1958), "The varimax criterion for analytic
 * rotation in factor analysis", Psychometrika 23(3), in the SVD form of R's stats::varimax
 * (normalize = TRUE, eps = 1e-5), which psych::principal(x, nf, rotate = "varimax") calls.
 * Known answer (tests/test_error_structure.c, from R): stats::varimax of the three unrotated
 * principal-component loadings of tests/golden/error_structure.csv. */
#include "kvq/varimax.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>

/* b (m x m) = X'(Z^3 - Z diag(colSums(Z^2)) / k), Z = X T: the gradient of the varimax criterion
 * (all row-major; x is k x m). */
static void gradient(const double *x, const double *t, size_t k, size_t m, double *z, double *colsq,
                     gsl_matrix *b)
{
    for (size_t i = 0; i < k; i++)
        for (size_t c = 0; c < m; c++) {
            double s = 0.0;
            for (size_t r = 0; r < m; r++) s += x[i * m + r] * t[r * m + c];
            z[i * m + c] = s;
        }
    for (size_t c = 0; c < m; c++) {
        colsq[c] = 0.0;
        for (size_t i = 0; i < k; i++) colsq[c] += z[i * m + c] * z[i * m + c];
    }
    for (size_t i = 0; i < k * m; i++) {
        double v = z[i];
        z[i] = v * v * v - v * colsq[i % m] / (double)k;
    }
    for (size_t r = 0; r < m; r++)
        for (size_t c = 0; c < m; c++) {
            double s = 0.0;
            for (size_t i = 0; i < k; i++) s += x[i * m + r] * z[i * m + c];
            gsl_matrix_set(b, r, c, s);
        }
}

/* T = U V' from the SVD of b (destroyed: GSL leaves U in it); returns the sum of the singular
 * values, the criterion. */
static int rotate(gsl_matrix *b, gsl_matrix *v, gsl_vector *sv, gsl_vector *work, size_t m,
                  double *t, double *criterion)
{
    if (gsl_linalg_SV_decomp(b, v, sv, work)) return -1;
    *criterion = 0.0;
    for (size_t c = 0; c < m; c++) *criterion += gsl_vector_get(sv, c);
    for (size_t r = 0; r < m; r++)
        for (size_t c = 0; c < m; c++) {
            double s = 0.0;
            for (size_t j = 0; j < m; j++) s += gsl_matrix_get(b, r, j) * gsl_matrix_get(v, c, j);
            t[r * m + c] = s;
        }
    return 0;
}

/* Divides each row of x by its length (kept in scale; a zero row is left as it is). */
static void normalise_rows(double *x, size_t k, size_t m, double *scale)
{
    for (size_t i = 0; i < k; i++) {
        double s = 0.0;
        for (size_t c = 0; c < m; c++) s += x[i * m + c] * x[i * m + c];
        scale[i] = s > 0.0 ? sqrt(s) : 1.0;
        for (size_t c = 0; c < m; c++) x[i * m + c] /= scale[i];
    }
}

/* The iteration of stats::varimax on the normalised loadings x, leaving T in t. */
static int iterate(const double *x, size_t k, size_t m, double *t, double *z, double *colsq,
                   kvq_error *err)
{
    gsl_matrix *b = gsl_matrix_alloc(m, m), *v = gsl_matrix_alloc(m, m);
    gsl_vector *sv = gsl_vector_alloc(m), *work = gsl_vector_alloc(m);
    int rc = b && v && sv && work
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "varimax: no memory for %zu factors", m);
    double d = 0.0;
    for (int it = 0; !rc && it < KVQ_VARIMAX_MAX_ITER; it++) {
        double past = d;
        gradient(x, t, k, m, z, colsq, b);
        if (rotate(b, v, sv, work, m, t, &d))
            rc =
                kvq_fail(err, KVQ_EINTERNAL, "varimax: SVD of the %zu x %zu gradient failed", m, m);
        if (d < past * (1.0 + KVQ_VARIMAX_EPS)) break;
    }
    gsl_matrix_free(b), gsl_matrix_free(v);
    gsl_vector_free(sv), gsl_vector_free(work);
    return rc;
}

int kvq_varimax(double *loadings, size_t k, size_t m, double *rotation, kvq_error *err)
{
    if (k == 0) return kvq_fail(err, KVQ_EINVAL, "varimax: no items");
    double *t = malloc(m * m * sizeof *t), *scale = malloc(k * sizeof *scale);
    double *z = malloc(k * m * sizeof *z), *colsq = malloc(m * sizeof *colsq);
    int rc = t && scale && z && colsq
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "varimax: no memory for %zu x %zu loadings", k, m);
    for (size_t i = 0; !rc && i < m * m; i++) t[i] = i / m == i % m;
    if (!rc && m >= 2) {
        normalise_rows(loadings, k, m, scale);
        rc = iterate(loadings, k, m, t, z, colsq, err);
        for (size_t i = 0; !rc && i < k; i++)
            for (size_t c = 0; c < m; c++) {
                double s = 0.0;
                for (size_t r = 0; r < m; r++) s += loadings[i * m + r] * t[r * m + c];
                z[i * m + c] = s * scale[i];
            }
        for (size_t i = 0; i < k * m; i++) loadings[i] = rc ? loadings[i] * scale[i / m] : z[i];
    }
    if (!rc && rotation)
        for (size_t i = 0; i < m * m; i++) rotation[i] = t[i];
    free(t), free(scale), free(z), free(colsq);
    return rc;
}
