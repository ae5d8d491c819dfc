/* The cluster bootstrap (include/kvq/bootstrap.h) and its use for alpha and the ICCs
 * (include/kvq/reliability.h): each replicate gathers the subjects of the drawn clusters into one
 * matrix and computes alpha and the six ICCs on it with the same functions as the point
 * estimates. Checked against a numpy implementation within Monte Carlo error
 * (tests/golden/gen_cluster_bootstrap.py). */
#include "kvq/bootstrap.h"
#include "kvq/reliability.h"
#include "kvq/rng.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

size_t kvq_percentile_bounds(double *v, size_t count, double level, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t r = 0; r < count; r++)
        if (isfinite(v[r])) v[m++] = v[r];
    *lo = *hi = NAN;
    if (2 * m < count || m == 0) return m;
    gsl_sort(v, 1, m);
    double tail = (1.0 - level) / 2.0;
    *lo = gsl_stats_quantile_from_sorted_data(v, 1, m, tail);
    *hi = gsl_stats_quantile_from_sorted_data(v, 1, m, 1.0 - tail);
    return m;
}

int kvq_cluster_replicates(size_t nclusters, size_t reps, size_t nstats, kvq_rng *rng,
                           kvq_cluster_stats_fn fn, void *ctx, double *replicates, kvq_error *err)
{
    if (nclusters == 0 || nclusters > UINT32_MAX || reps == 0 || nstats == 0)
        return kvq_fail(err, KVQ_EINVAL,
                        "cluster bootstrap: %zu clusters, %zu replicates, %zu statistics",
                        nclusters, reps, nstats);
    uint32_t *counts = malloc(nclusters * sizeof *counts);
    if (!counts) return kvq_fail(err, KVQ_ENOMEM, "cluster bootstrap: no memory");
    for (size_t r = 0; r < reps; r++) {
        for (size_t c = 0; c < nclusters; c++) counts[c] = 0;
        for (size_t d = 0; d < nclusters; d++) counts[kvq_rng_bounded(rng, (uint32_t)nclusters)]++;
        fn(counts, ctx, replicates + r * nstats);
    }
    free(counts);
    return KVQ_OK;
}

int kvq_check_clusters(const uint32_t *cluster, size_t n, size_t nclusters, const char *who,
                       kvq_error *err)
{
    for (size_t s = 0; s < n; s++)
        if (cluster[s] >= nclusters)
            return kvq_fail(err, KVQ_EINVAL, "%s: subject %zu in cluster %u of %zu", who, s + 1,
                            (unsigned)cluster[s], nclusters);
    return KVQ_OK;
}

int kvq_cluster_intervals_of(const double *replicates, size_t reps, size_t nstats, double level,
                             double *lo, double *hi, kvq_error *err)
{
    double *v = malloc(reps * sizeof *v);
    if (!v) return kvq_fail(err, KVQ_ENOMEM, "cluster bootstrap: no memory");
    for (size_t i = 0; i < nstats; i++) {
        for (size_t r = 0; r < reps; r++) v[r] = replicates[r * nstats + i];
        kvq_percentile_bounds(v, reps, level, &lo[i], &hi[i]);
    }
    free(v);
    return KVQ_OK;
}

enum { ALPHA = KVQ_ICC_FORMS, STATS }; /* the six ICCs, then alpha */

/* The members of each cluster: first[c] .. first[c + 1] in member. */
typedef struct clusters {
    const double *x;
    size_t k, nclusters, *first, *member;
    double level, *xb; /* xb: room for nclusters copies of the largest cluster */
} clusters;

static int group(clusters *g, const uint32_t *cluster, size_t n)
{
    size_t nclusters = g->nclusters, largest = 0;
    g->first = calloc(nclusters + 1, sizeof *g->first);
    g->member = malloc((n ? n : 1) * sizeof *g->member);
    size_t *next = calloc(nclusters + 1, sizeof *next);
    if (!g->first || !g->member || !next) {
        free(next);
        return -1;
    }
    for (size_t s = 0; s < n; s++) g->first[cluster[s] + 1]++;
    for (size_t c = 0; c < nclusters; c++) {
        if (g->first[c + 1] > largest) largest = g->first[c + 1];
        g->first[c + 1] += g->first[c];
    }
    for (size_t c = 0; c < nclusters; c++) next[c] = g->first[c];
    for (size_t s = 0; s < n; s++) g->member[next[cluster[s]]++] = s;
    free(next);
    g->xb = malloc(nclusters * largest * g->k * sizeof *g->xb + 1);
    return g->xb ? 0 : -1;
}

/* Alpha and the six ICCs of the subjects of the drawn clusters, each drawn cluster's subjects once
 * per draw, clusters in index order. */
static void reliability_of(const uint32_t *counts, void *ctx, double *row)
{
    clusters *g = ctx;
    size_t m = 0, k = g->k;
    for (size_t c = 0; c < g->nclusters; c++)
        for (uint32_t d = 0; d < counts[c]; d++)
            for (size_t i = g->first[c]; i < g->first[c + 1]; i++, m++)
                for (size_t j = 0; j < k; j++) g->xb[m * k + j] = g->x[g->member[i] * k + j];
    for (size_t t = 0; t < STATS; t++) row[t] = NAN;
    kvq_alpha a;
    kvq_icc icc;
    if (m >= 2 && kvq_alpha_compute(g->xb, m, k, g->level, &a, NULL, NULL) == KVQ_OK)
        row[ALPHA] = a.raw;
    if (m >= 2 && kvq_icc_compute(g->xb, m, k, g->level, &icc, NULL) == KVQ_OK)
        for (size_t t = 0; t < KVQ_ICC_FORMS; t++) row[t] = icc.form[t].icc;
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
    if (kvq_check_clusters(cluster, n, nclusters, "cluster bootstrap", err)) return KVQ_EINVAL;
    clusters g = {.x = x, .k = k, .nclusters = nclusters, .level = level};
    double *stats = malloc(reps * STATS * sizeof *stats), lo[STATS], hi[STATS];
    int rc = group(&g, cluster, n) || !stats
                 ? kvq_fail(err, KVQ_ENOMEM, "cluster bootstrap: no memory for %zu subjects", n)
                 : KVQ_OK;
    if (!rc)
        rc = kvq_cluster_replicates(nclusters, reps, STATS, rng, reliability_of, &g, stats, err);
    if (!rc) rc = kvq_cluster_intervals_of(stats, reps, STATS, level, lo, hi, err);
    if (!rc) {
        out->reps = reps;
        out->alpha_lo = lo[ALPHA], out->alpha_hi = hi[ALPHA];
        for (size_t t = 0; t < KVQ_ICC_FORMS; t++) out->icc_lo[t] = lo[t], out->icc_hi[t] = hi[t];
    }
    free(g.first);
    free(g.member);
    free(g.xb);
    free(stats);
    return rc;
}

/* Per cluster and rater i >= 1: subjects, then sums of a = x0 - c and b = xi - c (c rater 0's
 * mean: one shift of every value leaves the mean squares as they are) and of a^2, b^2, ab. */
enum { M, SA, SB, SAA, SBB, SAB, SUMS };

typedef struct pair_sums {
    size_t nclusters, raters;
    double level, *sums; /* nclusters x raters x SUMS */
} pair_sums;

static void pair_iccs(const uint32_t *counts, void *ctx, double *stats)
{
    pair_sums *p = ctx;
    for (size_t i = 0; i < p->raters; i++) {
        double t[SUMS] = {0};
        for (size_t c = 0; c < p->nclusters; c++)
            for (int s = 0; s < SUMS; s++)
                t[s] += (double)counts[c] * p->sums[(c * p->raters + i) * SUMS + (size_t)s];
        double m = t[M], g = (t[SA] + t[SB]) / (2.0 * m), da = t[SA] / m - g, db = t[SB] / m - g;
        double ssj = da * da + db * db;                                  /* rater means about g */
        double ssb = (t[SAA] + 2.0 * t[SAB] + t[SBB]) / 4.0 - m * g * g; /* subject means */
        double sse = t[SAA] + t[SBB] - 2.0 * m * g * g - 2.0 * ssb - m * ssj;
        kvq_icc icc = {.n = (size_t)m, .k = 2, .level = p->level};
        icc.msb = 2.0 * ssb / (m - 1.0), icc.msj = m * ssj, icc.mse = sse / (m - 1.0);
        icc.msw = (m * ssj + sse) / m;
        kvq_icc_coefficients(&icc);
        for (size_t f = 0; f < KVQ_ICC_FORMS; f++)
            stats[i * KVQ_ICC_FORMS + f] = m >= 2.0 ? icc.form[f].icc : NAN;
    }
}

int kvq_icc_pairs_cluster_bootstrap(const double *x, size_t n, size_t k, const uint32_t *cluster,
                                    size_t nclusters, size_t reps, double level,
                                    struct kvq_rng *rng, double *lo, double *hi, kvq_error *err)
{
    if (n < 2 || k < 2 || nclusters == 0 || reps == 0 || !(level > 0.0 && level < 1.0))
        return kvq_fail(err, KVQ_EINVAL,
                        "ICC cluster bootstrap: %zu subjects, %zu raters, %zu clusters", n, k,
                        nclusters);
    if (kvq_check_clusters(cluster, n, nclusters, "ICC cluster bootstrap", err)) return KVQ_EINVAL;
    size_t raters = k - 1, nstats = raters * KVQ_ICC_FORMS;
    double *sums = calloc(nclusters * raters * SUMS, sizeof *sums);
    double *stats = malloc(reps * nstats * sizeof *stats), centre = 0.0;
    int rc = sums && stats ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "ICC cluster bootstrap: no memory");
    for (size_t s = 0; !rc && s < n; s++) centre += x[s * k] / (double)n;
    for (size_t s = 0; !rc && s < n; s++)
        for (size_t i = 0; i < raters; i++) {
            double a = x[s * k] - centre, b = x[s * k + 1 + i] - centre;
            double *t = sums + (cluster[s] * raters + i) * SUMS;
            t[M] += 1.0, t[SA] += a, t[SB] += b, t[SAA] += a * a, t[SBB] += b * b, t[SAB] += a * b;
        }
    pair_sums p = {nclusters, raters, level, sums};
    if (!rc) rc = kvq_cluster_replicates(nclusters, reps, nstats, rng, pair_iccs, &p, stats, err);
    if (!rc) rc = kvq_cluster_intervals_of(stats, reps, nstats, level, lo, hi, err);
    free(sums);
    free(stats);
    return rc;
}
