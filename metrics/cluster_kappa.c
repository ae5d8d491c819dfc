/* Query-cluster bootstrap of Cohen's kappa against one reference rater (include/kvq/kappa.h).
 * Each cluster's subjects are counted once into an L x L table per rater; a replicate adds each
 * drawn cluster's tables as often as it was drawn and computes kappa from the sum with
 * kvq_cohen_kappa_table, so a replicate costs O(clusters x raters x L^2), not O(subjects).
 * Checked against numpy within Monte Carlo error (tests/golden/gen_cluster_bootstrap.py). */
#include "kvq/bootstrap.h"
#include "kvq/kappa.h"

#include <math.h>
#include <stdlib.h>

typedef struct tables {
    size_t nclusters, k, L;
    double level;
    const double *per_cluster; /* nclusters x k x L x L counts */
    double *sum;               /* L x L */
} tables;

static void kappas_of(const uint32_t *counts, void *ctx, double *stats)
{
    tables *t = ctx;
    size_t LL = t->L * t->L;
    for (size_t i = 0; i < t->k; i++) {
        for (size_t j = 0; j < LL; j++) t->sum[j] = 0.0;
        for (size_t c = 0; c < t->nclusters; c++) {
            if (!counts[c]) continue;
            const double *tab = t->per_cluster + (c * t->k + i) * LL;
            for (size_t j = 0; j < LL; j++) t->sum[j] += (double)counts[c] * tab[j];
        }
        kvq_cohen kappa;
        int ok = kvq_cohen_kappa_table(t->sum, t->L, t->level, &kappa, NULL) == KVQ_OK;
        for (int w = 0; w < KVQ_KAPPA_WEIGHTS; w++)
            stats[i * KVQ_KAPPA_WEIGHTS + (size_t)w] = ok ? kappa.w[w].kappa : NAN;
    }
}

int kvq_cohen_kappa_cluster_bootstrap(const double *x, size_t n, size_t k, size_t L,
                                      const uint32_t *cluster, size_t nclusters, size_t reps,
                                      double level, kvq_rng *rng, double *lo, double *hi,
                                      kvq_error *err)
{
    if (n < 2 || k < 2 || L < 1 || L > KVQ_KAPPA_MAX_CATEGORIES || nclusters == 0)
        return kvq_fail(err, KVQ_EINVAL,
                        "kappa cluster bootstrap: %zu subjects, %zu raters, %zu categories, %zu "
                        "clusters",
                        n, k, L, nclusters);
    if (kvq_check_clusters(cluster, n, nclusters, "kappa cluster bootstrap", err))
        return KVQ_EINVAL;
    for (size_t s = 0; s < n; s++)
        for (size_t j = 0; j < k; j++) {
            double v = x[s * k + j];
            if (!(v >= 0.0 && v < (double)L && v == floor(v)))
                return kvq_fail(err, KVQ_EINVAL,
                                "kappa cluster bootstrap: label at row %zu, column %zu is %g, not "
                                "an integer in [0, %zu)",
                                s + 1, j + 1, v, L);
        }
    size_t raters = k - 1, LL = L * L, nstats = raters * KVQ_KAPPA_WEIGHTS;
    double *per = calloc(nclusters * raters * LL, sizeof *per);
    double *sum = malloc(LL * sizeof *sum), *stats = malloc(reps * nstats * sizeof *stats);
    int rc = per && sum && stats
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "kappa cluster bootstrap: no memory for %zu clusters",
                            nclusters);
    for (size_t s = 0; !rc && s < n; s++) {
        size_t a = (size_t)x[s * k];
        for (size_t i = 0; i < raters; i++)
            per[(cluster[s] * raters + i) * LL + a * L + (size_t)x[s * k + 1 + i]]++;
    }
    tables t = {nclusters, raters, L, level, per, sum};
    if (!rc) rc = kvq_cluster_replicates(nclusters, reps, nstats, rng, kappas_of, &t, stats, err);
    if (!rc) rc = kvq_cluster_intervals_of(stats, reps, nstats, level, lo, hi, err);
    free(per);
    free(sum);
    free(stats);
    return rc;
}
