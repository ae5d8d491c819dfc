/* Query-cluster bootstrap of first-factor loadings (include/kvq/factors.h). Each cluster keeps its
 * subject count, its column sums and its cross-products of the columns centred at the whole
 * sample's means (one CBLAS dsyrk per cluster); a replicate weights them by how often each cluster
 * was drawn, forms the covariance and correlation matrices and takes their first factor with
 * kvq_first_factor. Checked against numpy within Monte Carlo error
 * (tests/golden/gen_cluster_bootstrap.py). */
#include "kvq/bootstrap.h"
#include "kvq/factors.h"
#include "kvq/memory.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct sums {
    size_t nclusters, k;
    const double *count, *sum, *cross; /* per cluster: subjects, k sums, k x k cross-products */
    double *corr, *s;                  /* scratch: k x k, k */
} sums;

static void loadings_of(const uint32_t *counts, void *ctx, double *out)
{
    sums *z = ctx;
    size_t k = z->k;
    double m = 0.0;
    for (size_t i = 0; i < k * k; i++) z->corr[i] = 0.0;
    for (size_t i = 0; i < k; i++) z->s[i] = 0.0;
    for (size_t c = 0; c < z->nclusters; c++) {
        if (!counts[c]) continue;
        double w = counts[c];
        m += w * z->count[c];
        for (size_t i = 0; i < k; i++) z->s[i] += w * z->sum[c * k + i];
        const double *cross = z->cross + c * k * k;
        for (size_t i = 0; i < k; i++)
            for (size_t j = i; j < k; j++) z->corr[i * k + j] += w * cross[i * k + j];
    }
    int ok = m >= 2.0;
    for (size_t i = 0; ok && i < k; i++)
        for (size_t j = i; j < k; j++)
            z->corr[i * k + j] = (z->corr[i * k + j] - z->s[i] * z->s[j] / m) / (m - 1.0);
    for (size_t i = 0; ok && i < k; i++) ok = z->corr[i * k + i] > 0.0;
    for (size_t i = 0; ok && i < k; i++)
        for (size_t j = i + 1; j < k; j++) {
            double r = z->corr[i * k + j] / sqrt(z->corr[i * k + i] * z->corr[j * k + j]);
            z->corr[i * k + j] = z->corr[j * k + i] = r;
        }
    for (size_t i = 0; ok && i < k; i++) z->corr[i * k + i] = 1.0;
    if (!ok || kvq_first_factor(z->corr, k, out, NULL) != KVQ_OK)
        for (size_t i = 0; i < k; i++) out[i] = NAN;
}

int kvq_loadings_cluster_bootstrap(const double *x, size_t n, size_t k, const uint32_t *cluster,
                                   size_t nclusters, size_t reps, struct kvq_rng *rng,
                                   double *replicates, kvq_error *err)
{
    if (n < 3 || k < 2 || nclusters == 0 || reps == 0)
        return kvq_fail(err, KVQ_EINVAL,
                        "loadings cluster bootstrap: %zu subjects, %zu items, %zu clusters", n, k,
                        nclusters);
    if (kvq_check_clusters(cluster, n, nclusters, "loadings cluster bootstrap", err))
        return KVQ_EINVAL;
    char what[96];
    snprintf(what, sizeof what, "the cross-products of %zu clusters x %zu items", nclusters, k);
    int rc =
        kvq_memory_check((double)nclusters * (double)k * (double)k * sizeof(double), what, err);
    if (rc) return rc;
    double *count = calloc(nclusters, sizeof *count), *sum = calloc(nclusters * k, sizeof *sum);
    double *cross = calloc(nclusters * k * k, sizeof *cross), *mean = calloc(k, sizeof *mean);
    double *centred = malloc(k * sizeof *centred), *corr = malloc(k * k * sizeof *corr);
    double *s = malloc(k * sizeof *s);
    rc = count && sum && cross && mean && centred && corr && s
             ? KVQ_OK
             : kvq_fail(err, KVQ_ENOMEM, "loadings cluster bootstrap: no memory for %s", what);
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t j = 0; j < k; j++) mean[j] += x[i * k + j] / (double)n;
    for (size_t i = 0; !rc && i < n; i++) {
        size_t c = cluster[i];
        count[c]++;
        for (size_t j = 0; j < k; j++) {
            centred[j] = x[i * k + j] - mean[j];
            sum[c * k + j] += centred[j];
        }
        cblas_dsyr(CblasRowMajor, CblasUpper, (int)k, 1.0, centred, 1, cross + c * k * k, (int)k);
    }
    sums z = {nclusters, k, count, sum, cross, corr, s};
    if (!rc) rc = kvq_cluster_replicates(nclusters, reps, k, rng, loadings_of, &z, replicates, err);
    free(count), free(sum), free(cross), free(mean), free(centred), free(corr), free(s);
    return rc;
}
