/* Principal directions, exact or randomised (backends/pca.h). */
#include "pca.h"

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows converted to double and centred per block: products with A never hold all of it. */
#define PCA_BLOCK 256

typedef struct pca_data {
    const float *rows;
    size_t n, dim;
    double *mean;  /* dim; zeros when not centring */
    double *block; /* PCA_BLOCK x dim */
} pca_data;

/* Fills d->block with rows [first, first + m) less the mean. */
static void load_block(const pca_data *d, size_t first, size_t m)
{
    for (size_t i = 0; i < m; i++)
        for (size_t t = 0; t < d->dim; t++)
            d->block[i * d->dim + t] = (double)d->rows[(first + i) * d->dim + t] - d->mean[t];
}

static size_t block_rows(const pca_data *d, size_t first)
{
    return d->n - first < PCA_BLOCK ? d->n - first : PCA_BLOCK;
}

/* y (n x l) = A x, x dim x l. */
static void mul_a(const pca_data *d, const double *x, size_t l, double *y)
{
    for (size_t i = 0; i < d->n; i += PCA_BLOCK) {
        size_t m = block_rows(d, i);
        load_block(d, i, m);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)l, (int)d->dim, 1.0,
                    d->block, (int)d->dim, x, (int)l, 0.0, y + i * l, (int)l);
    }
}

/* z (dim x l) = A^T y, y n x l. */
static void mul_at(const pca_data *d, const double *y, size_t l, double *z)
{
    memset(z, 0, d->dim * l * sizeof *z);
    for (size_t i = 0; i < d->n; i += PCA_BLOCK) {
        size_t m = block_rows(d, i);
        load_block(d, i, m);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d->dim, (int)l, (int)m, 1.0,
                    d->block, (int)d->dim, y + i * l, (int)l, 1.0, z, (int)l);
    }
}

static double total_variance(const pca_data *d)
{
    double s = 0.0;
    for (size_t i = 0; i < d->n; i++)
        for (size_t t = 0; t < d->dim; t++) {
            double v = (double)d->rows[i * d->dim + t] - d->mean[t];
            s += v * v;
        }
    return s / (double)d->n;
}

static int gsl_failed(int status, const char *what, const char *who, kvq_error *err)
{
    return kvq_fail(err, KVQ_EINTERNAL, "%s: GSL %s failed: %s", who, what, gsl_strerror(status));
}

/* Replaces the columns of m (rows x cols, rows >= cols, row-major) by an orthonormal basis of
 * their span: the thin Q of a Householder QR, formed column by column as Q e_j (GSL unpacks only
 * the full rows x rows Q, too big for a tall sketch). */
static int orthonormalise(double *m, size_t rows, size_t cols, const char *who, kvq_error *err)
{
    gsl_matrix_view a = gsl_matrix_view_array(m, rows, cols);
    gsl_vector *tau = gsl_vector_alloc(cols), *e = gsl_vector_alloc(rows);
    gsl_matrix *q = gsl_matrix_alloc(rows, cols);
    int rc = KVQ_OK;
    if (!tau || !e || !q) {
        rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for a QR factorisation", who);
        goto out;
    }
    int status = gsl_linalg_QR_decomp(&a.matrix, tau);
    for (size_t j = 0; j < cols && !status; j++) {
        gsl_vector_set_basis(e, j);
        status = gsl_linalg_QR_Qvec(&a.matrix, tau, e);
        if (!status) status = gsl_matrix_set_col(q, j, e);
    }
    if (!status) status = gsl_matrix_memcpy(&a.matrix, q);
    if (status) rc = gsl_failed(status, "QR factorisation", who, err);
out:
    if (tau) gsl_vector_free(tau);
    if (e) gsl_vector_free(e);
    if (q) gsl_matrix_free(q);
    return rc;
}

/* Copies column c of the dim x cols matrix v into out (dim floats) with the sign convention. */
static void take_direction(const double *v, size_t dim, size_t cols, size_t c, float *out)
{
    size_t big = 0;
    for (size_t t = 1; t < dim; t++)
        if (fabs(v[t * cols + c]) > fabs(v[big * cols + c])) big = t;
    double sign = v[big * cols + c] < 0.0 ? -1.0 : 1.0;
    for (size_t t = 0; t < dim; t++) out[t] = (float)(sign * v[t * cols + c]);
}

static int pca_exact(const pca_data *d, size_t r, float *basis, double *var, double *total,
                     const char *who, kvq_error *err)
{
    size_t dim = d->dim;
    gsl_matrix *cov = gsl_matrix_calloc(dim, dim), *evec = gsl_matrix_alloc(dim, dim);
    gsl_vector *eval = gsl_vector_alloc(dim);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(dim);
    int rc = KVQ_OK;
    if (!cov || !evec || !eval || !w) {
        rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for a %zu x %zu covariance", who, dim,
                      dim);
        goto out;
    }
    for (size_t i = 0; i < d->n; i += PCA_BLOCK) {
        size_t m = block_rows(d, i);
        load_block(d, i, m);
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)dim, (int)m, 1.0 / (double)d->n,
                    d->block, (int)dim, 1.0, cov->data, (int)dim);
    }
    *total = 0.0;
    for (size_t t = 0; t < dim; t++) *total += gsl_matrix_get(cov, t, t);
    int status = gsl_eigen_symmv(cov, eval, evec, w);
    if (!status) status = gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC);
    if (status) {
        rc = gsl_failed(status, "symmetric eigensolver", who, err);
        goto out;
    }
    for (size_t i = 0; i < r; i++) {
        var[i] = fmax(0.0, gsl_vector_get(eval, i));
        take_direction(evec->data, dim, dim, i, basis + i * dim);
    }
out:
    if (cov) gsl_matrix_free(cov);
    if (evec) gsl_matrix_free(evec);
    if (eval) gsl_vector_free(eval);
    if (w) gsl_eigen_symmv_free(w);
    return rc;
}

/* The sketch: y = A omega, omega dim x l standard normal, then `power` rounds of
 * y = A orth(A^T orth(y)); y ends orthonormal. */
static int range_finder(const pca_data *d, size_t l, unsigned power, kvq_rng *rng, double *y,
                        double *z, const char *who, kvq_error *err)
{
    for (size_t i = 0; i < d->dim * l; i++) z[i] = kvq_rng_gaussian(rng);
    mul_a(d, z, l, y);
    int rc = orthonormalise(y, d->n, l, who, err);
    for (unsigned q = 0; q < power && !rc; q++) {
        mul_at(d, y, l, z);
        rc = orthonormalise(z, d->dim, l, who, err);
        if (rc) break;
        mul_a(d, z, l, y);
        rc = orthonormalise(y, d->n, l, who, err);
    }
    return rc;
}

static int pca_randomized(const pca_data *d, size_t r, const kvq_pca_opts *o, kvq_rng *rng,
                          float *basis, double *var, double *total, const char *who, kvq_error *err)
{
    size_t l = r + o->oversample;
    if (l > d->dim) l = d->dim;
    if (l > d->n) l = d->n;
    double *y = malloc(d->n * l * sizeof *y), *z = malloc(d->dim * l * sizeof *z);
    gsl_matrix *v = gsl_matrix_alloc(l, l);
    gsl_vector *s = gsl_vector_alloc(l), *work = gsl_vector_alloc(l);
    int rc = KVQ_OK;
    if (!y || !z || !v || !s || !work) {
        rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for a rank-%zu sketch", who, l);
        goto out;
    }
    rc = range_finder(d, l, o->power, rng, y, z, who, err);
    if (rc) goto out;
    /* z = A^T Q = (Q^T A)^T: its left singular vectors are the principal directions. */
    mul_at(d, y, l, z);
    gsl_matrix_view zm = gsl_matrix_view_array(z, d->dim, l);
    int status = gsl_linalg_SV_decomp(&zm.matrix, v, s, work);
    if (status) {
        rc = gsl_failed(status, "SVD", who, err);
        goto out;
    }
    *total = total_variance(d);
    for (size_t i = 0; i < r; i++) {
        double sv = gsl_vector_get(s, i);
        var[i] = sv * sv / (double)d->n;
        take_direction(z, d->dim, l, i, basis + i * d->dim);
    }
out:
    free(y);
    free(z);
    if (v) gsl_matrix_free(v);
    if (s) gsl_vector_free(s);
    if (work) gsl_vector_free(work);
    return rc;
}

int kvq_pca(const float *rows, size_t n, size_t dim, size_t r, const kvq_pca_opts *o, kvq_rng *rng,
            float *mean, float *basis, double *var, double *total, const char *who, kvq_error *err)
{
    if (r < 1 || r > dim || r > n)
        return kvq_fail(err, KVQ_EINVAL,
                        "%s: rank %zu must lie in [1, %zu] (the row dimension and the %zu "
                        "training rows)",
                        who, r, dim < n ? dim : n, n);
    kvq_pca_method method = o->method;
    if (method == KVQ_PCA_AUTO)
        method = dim <= KVQ_PCA_EXACT_MAX_DIM ? KVQ_PCA_EXACT : KVQ_PCA_RANDOMIZED;
    if (method == KVQ_PCA_RANDOMIZED && !rng)
        return kvq_fail(err, KVQ_EINVAL, "%s: the randomised basis needs a random stream", who);
    pca_data d = {rows, n, dim, calloc(dim, sizeof(double)),
                  malloc(PCA_BLOCK * dim * sizeof(double))};
    if (!d.mean || !d.block) {
        free(d.mean);
        free(d.block);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for a basis of dimension %zu", who,
                        dim);
    }
    for (size_t i = 0; o->center && i < n; i++)
        for (size_t t = 0; t < dim; t++) d.mean[t] += rows[i * dim + t];
    for (size_t t = 0; t < dim; t++) {
        d.mean[t] /= (double)n;
        mean[t] = (float)d.mean[t];
    }
    int rc = method == KVQ_PCA_EXACT ? pca_exact(&d, r, basis, var, total, who, err)
                                     : pca_randomized(&d, r, o, rng, basis, var, total, who, err);
    free(d.mean);
    free(d.block);
    return rc;
}

size_t kvq_pca_rank_for(const double *var, size_t r, double total, double ratio)
{
    double run = 0.0;
    for (size_t i = 0; i < r; i++) {
        run += var[i];
        if (run >= ratio * total) return i + 1;
    }
    return r;
}

int kvq_pca_method_param(const char *codec, const char *key, const char *value, kvq_pca_method *out,
                         kvq_error *err)
{
    if (strcmp(value, "auto") == 0) {
        *out = KVQ_PCA_AUTO;
    } else if (strcmp(value, "exact") == 0) {
        *out = KVQ_PCA_EXACT;
    } else if (strcmp(value, "random") == 0) {
        *out = KVQ_PCA_RANDOMIZED;
    } else {
        return kvq_fail(err, KVQ_EINVAL, "%s: %s=%s is not 'auto', 'exact' or 'random'", codec, key,
                        value);
    }
    return KVQ_OK;
}
