/* Query-cluster bootstrap of alpha and the ICCs (include/kvq/reliability.h). Each replicate
 * gathers the subjects of the drawn clusters into one matrix and computes alpha and the six ICCs
 * on it with the same functions as the point estimates. Checked against a numpy implementation
 * within Monte Carlo error (tests/golden/gen_cluster_bootstrap.py). */
#include "kvq/reliability.h"
#include "kvq/rng.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

enum { ALPHA = KVQ_ICC_FORMS, STATS }; /* the six ICCs, then alpha */

/* The members of each cluster: first[c] .. first[c + 1] in member. */
typedef struct clusters {
    size_t *first, *member, largest;
} clusters;

static int group(clusters *g, const uint32_t *cluster, size_t n, size_t nclusters)
{
    g->first = calloc(nclusters + 1, sizeof *g->first);
    g->member = malloc((n ? n : 1) * sizeof *g->member);
    size_t *next = calloc(nclusters + 1, sizeof *next);
    if (!g->first || !g->member || !next) {
        free(next);
        return -1;
    }
    for (size_t s = 0; s < n; s++) g->first[cluster[s] + 1]++;
    g->largest = 0;
    for (size_t c = 0; c < nclusters; c++) {
        if (g->first[c + 1] > g->largest) g->largest = g->first[c + 1];
        g->first[c + 1] += g->first[c];
    }
    for (size_t c = 0; c < nclusters; c++) next[c] = g->first[c];
    for (size_t s = 0; s < n; s++) g->member[next[cluster[s]]++] = s;
    free(next);
    return 0;
}

/* The finite replicates of one statistic (stride STATS in stats) to [lo, hi]. */
static void bounds(double *stats, size_t reps, size_t which, double level, double *scratch,
                   double *lo, double *hi)
{
    size_t m = 0;
    for (size_t r = 0; r < reps; r++)
        if (isfinite(stats[r * STATS + which])) scratch[m++] = stats[r * STATS + which];
    *lo = *hi = NAN;
    if (2 * m < reps || m == 0) return;
    gsl_sort(scratch, 1, m);
    *lo = gsl_stats_quantile_from_sorted_data(scratch, 1, m, (1.0 - level) / 2.0);
    *hi = gsl_stats_quantile_from_sorted_data(scratch, 1, m, (1.0 + level) / 2.0);
}

int kvq_cluster_bootstrap(const double *x, size_t n, size_t k, const uint32_t *cluster,
                          size_t nclusters, size_t reps, double level, struct kvq_rng *rng,
                          kvq_cluster_intervals *out, kvq_error *err)
{
    if (n < 2 || k < 2 || nclusters == 0 || nclusters > UINT32_MAX || reps == 0 ||
        !(level > 0.0 && level < 1.0))
        return kvq_fail(err, KVQ_EINVAL,
                        "cluster bootstrap: needs 2 subjects, 2 raters, clusters, replicates and "
                        "a level in (0, 1)");
    for (size_t s = 0; s < n; s++)
        if (cluster[s] >= nclusters)
            return kvq_fail(err, KVQ_EINVAL, "cluster bootstrap: subject %zu in cluster %u of %zu",
                            s, (unsigned)cluster[s], nclusters);
    clusters g = {0};
    double *stats = malloc(reps * STATS * sizeof *stats), *scratch = malloc(reps * sizeof *scratch);
    int rc = group(&g, cluster, n, nclusters);
    double *xb = rc ? NULL : malloc(nclusters * g.largest * k * sizeof *xb + 1);
    if (rc || !stats || !scratch || !xb) {
        rc = kvq_fail(err, KVQ_ENOMEM, "cluster bootstrap: no memory for %zu subjects", n);
        goto out;
    }
    for (size_t r = 0; r < reps; r++) {
        size_t m = 0;
        for (size_t d = 0; d < nclusters; d++) {
            size_t c = kvq_rng_bounded(rng, (uint32_t)nclusters);
            for (size_t i = g.first[c]; i < g.first[c + 1]; i++, m++)
                for (size_t j = 0; j < k; j++) xb[m * k + j] = x[g.member[i] * k + j];
        }
        double *row = stats + r * STATS;
        for (size_t t = 0; t < STATS; t++) row[t] = NAN;
        kvq_alpha a;
        kvq_icc icc;
        if (m >= 2 && kvq_alpha_compute(xb, m, k, level, &a, NULL, NULL) == KVQ_OK)
            row[ALPHA] = a.raw;
        if (m >= 2 && kvq_icc_compute(xb, m, k, level, &icc, NULL) == KVQ_OK)
            for (size_t t = 0; t < KVQ_ICC_FORMS; t++) row[t] = icc.form[t].icc;
    }
    out->reps = reps;
    bounds(stats, reps, ALPHA, level, scratch, &out->alpha_lo, &out->alpha_hi);
    for (size_t t = 0; t < KVQ_ICC_FORMS; t++)
        bounds(stats, reps, t, level, scratch, &out->icc_lo[t], &out->icc_hi[t]);
out:
    free(g.first);
    free(g.member);
    free(stats);
    free(scratch);
    free(xb);
    return rc;
}
