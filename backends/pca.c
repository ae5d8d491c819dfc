/* Principal directions, exact or randomised (backends/pca.h). */
#include "pca.h"

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
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

/* The memo of exact decompositions. A run fits the same rows many times over: every exact
 * variant of a codec decomposes the same covariances of the same blocks and chain layers, and the
 * eigensolver is most of their fit. A decomposition is a function of the covariance's bytes alone
 * (the same GSL routine on the same input), so each covariance is decomposed once per process and
 * later fits take its eigenvalues and vectors from here: the very numbers they would compute.
 * Entries are held up to PCA_MEMO_BYTES, the least recently used dropped first, and none above a
 * quarter of that; a covariance that another thread is decomposing is waited for, not decomposed
 * twice. */
#define PCA_MEMO_BYTES ((size_t)64 << 20)

typedef struct pca_memo {
    struct pca_memo *next;
    size_t dim;
    uint64_t hash, used; /* hash of cov; the memo clock at its last use */
    int ready;           /* 0 while the thread that registered it decomposes it */
    double *cov;         /* dim x dim, the key (as dsyrk left it: its lower triangle) */
    double *eval, *evec; /* dim eigenvalues descending; dim x dim, column i for eval[i] */
} pca_memo;

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t memo_done = PTHREAD_COND_INITIALIZER;
static pca_memo *memo_head;
static size_t memo_bytes;
static uint64_t memo_clock;

static size_t memo_size(size_t dim)
{
    return sizeof(pca_memo) + (2 * dim * dim + dim) * sizeof(double);
}

/* FNV-1a over the 64-bit words of the count doubles. */
static uint64_t memo_hash(const double *v, size_t count)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < count; i++) {
        uint64_t u;
        memcpy(&u, v + i, sizeof u);
        h = (h ^ u) * 0x100000001b3u;
    }
    return h;
}

static pca_memo *memo_find(size_t dim, uint64_t hash, const double *cov)
{
    for (pca_memo *m = memo_head; m; m = m->next)
        if (m->dim == dim && m->hash == hash && !memcmp(m->cov, cov, dim * dim * sizeof *cov))
            return m;
    return NULL;
}

static void memo_unlink(pca_memo *m)
{
    pca_memo **p = &memo_head;
    while (*p != m) p = &(*p)->next;
    *p = m->next;
    memo_bytes -= memo_size(m->dim);
    free(m);
}

/* With memo_lock held: the ready entry of cov, after waiting while another thread decomposes it;
 * else NULL, with *mine a new pending entry for the caller to decompose and publish (NULL when out
 * of memory or too big to keep: the caller decomposes without the memo). */
static pca_memo *memo_claim(size_t dim, uint64_t hash, const double *cov, pca_memo **mine)
{
    *mine = NULL;
    if (memo_size(dim) > PCA_MEMO_BYTES / 4) return NULL;
    for (pca_memo *m; (m = memo_find(dim, hash, cov));) {
        if (m->ready) {
            m->used = ++memo_clock;
            return m;
        }
        pthread_cond_wait(&memo_done, &memo_lock);
    }
    pca_memo *m = malloc(memo_size(dim));
    if (!m) return NULL;
    *m = (pca_memo){memo_head, dim, hash, ++memo_clock, 0, NULL, NULL, NULL};
    m->cov = (double *)(m + 1), m->eval = m->cov + dim * dim, m->evec = m->eval + dim;
    memcpy(m->cov, cov, dim * dim * sizeof *cov);
    memo_head = m;
    memo_bytes += memo_size(dim);
    *mine = m;
    return NULL;
}

/* With memo_lock held: fills the pending m with a decomposition (NULL: it failed, m is dropped),
 * drops the least recently used entries beyond the budget and wakes the threads waiting for m. */
static void memo_publish(pca_memo *m, const double *eval, const double *evec)
{
    if (!eval) {
        memo_unlink(m);
    } else {
        memcpy(m->eval, eval, m->dim * sizeof *eval);
        memcpy(m->evec, evec, m->dim * m->dim * sizeof *evec);
        m->ready = 1;
    }
    while (memo_bytes > PCA_MEMO_BYTES) {
        pca_memo *old = NULL;
        for (pca_memo *e = memo_head; e; e = e->next)
            if (e->ready && e != m && (!old || e->used < old->used)) old = e;
        if (!old) break;
        memo_unlink(old);
    }
    pthread_cond_broadcast(&memo_done);
}

/* The top r directions and their variances from eigenvalues eval (descending) and vectors evec. */
static void take_basis(const double *eval, const double *evec, size_t dim, size_t r, float *basis,
                       double *var)
{
    for (size_t i = 0; i < r; i++) {
        var[i] = fmax(0.0, eval[i]);
        take_direction(evec, dim, dim, i, basis + i * dim);
    }
}

/* Decomposes cov (destroying it) into eval and evec, sorted by descending eigenvalue; a GSL
 * status. */
static int decompose(gsl_matrix *cov, gsl_vector *eval, gsl_matrix *evec)
{
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(cov->size1);
    if (!w) return GSL_ENOMEM;
    int status = gsl_eigen_symmv(cov, eval, evec, w);
    if (!status) status = gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC);
    gsl_eigen_symmv_free(w);
    return status;
}

static int pca_exact(const pca_data *d, size_t r, float *basis, double *var, double *total,
                     const char *who, kvq_error *err)
{
    size_t dim = d->dim;
    gsl_matrix *cov = gsl_matrix_calloc(dim, dim), *evec = gsl_matrix_alloc(dim, dim);
    gsl_vector *eval = gsl_vector_alloc(dim);
    int rc = KVQ_OK;
    if (!cov || !evec || !eval) {
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
    uint64_t hash = memo_hash(cov->data, dim * dim);
    pca_memo *mine;
    pthread_mutex_lock(&memo_lock);
    pca_memo *known = memo_claim(dim, hash, cov->data, &mine);
    if (known) take_basis(known->eval, known->evec, dim, r, basis, var);
    pthread_mutex_unlock(&memo_lock);
    if (known) goto out;
    int status = decompose(cov, eval, evec);
    if (mine) {
        pthread_mutex_lock(&memo_lock);
        memo_publish(mine, status ? NULL : eval->data, evec->data);
        pthread_mutex_unlock(&memo_lock);
    }
    if (status) {
        rc = gsl_failed(status, "symmetric eigensolver", who, err);
        goto out;
    }
    take_basis(eval->data, evec->data, dim, r, basis, var);
out:
    if (cov) gsl_matrix_free(cov);
    if (evec) gsl_matrix_free(evec);
    if (eval) gsl_vector_free(eval);
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
