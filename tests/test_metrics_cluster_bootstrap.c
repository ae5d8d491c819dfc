/* The query-cluster bootstrap of alpha and the ICCs against numpy (tests/golden/
 * gen_cluster_bootstrap.py) on 40 clusters of 6 alike subjects: the streams differ, so with 20000
 * replicates each endpoint must agree within Monte Carlo error (its standard error is about 0.02
 * of the replicates' SD; allowed: 0.1 SD). Ignoring the clusters (every subject its own) must
 * give a narrower alpha interval on these data, whose subjects within a cluster are alike. The
 * same holds for Cohen's kappa (against statsmodels' estimates), the first-factor loadings and
 * Tucker's phi between two populations' replicates. */
#include "analysis/congruence.h"
#include "kvq/bootstrap.h"
#include "kvq/factors.h"
#include "kvq/kappa.h"
#include "kvq/reliability.h"
#include "kvq/rng.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

Test(metrics_cluster_bootstrap, matches_numpy_within_monte_carlo_error)
{
    cJSON *g = kvq_test_golden("cluster_bootstrap.json");
    size_t nx, nc, nlo, nhi, nsd;
    double *x = kvq_test_doubles(cJSON_GetObjectItem(g, "x"), &nx);
    double *cl = kvq_test_doubles(cJSON_GetObjectItem(g, "cluster"), &nc);
    double *lo = kvq_test_doubles(cJSON_GetObjectItem(g, "lo"), &nlo);
    double *hi = kvq_test_doubles(cJSON_GetObjectItem(g, "hi"), &nhi);
    double *sd = kvq_test_doubles(cJSON_GetObjectItem(g, "sd"), &nsd);
    size_t k = (size_t)kvq_test_num(g, "raters"), clusters = (size_t)kvq_test_num(g, "clusters");
    cr_assert(nx == nc * k && nlo == 7 && nhi == 7 && nsd == 7);
    uint32_t *cluster = malloc(nc * sizeof *cluster), *alone = malloc(nc * sizeof *alone);
    for (size_t s = 0; s < nc; s++) cluster[s] = (uint32_t)cl[s], alone[s] = (uint32_t)s;
    kvq_rng rng;
    kvq_rng_seed(&rng, 2026, 12);
    kvq_cluster_intervals ci;
    kvq_error err;
    cr_assert_eq(kvq_cluster_bootstrap(x, nc, k, cluster, clusters, 20000, 0.95, &rng, &ci, &err),
                 0, "%s", err.msg);
    for (size_t t = 0; t < KVQ_ICC_FORMS; t++) {
        cr_assert_float_eq(ci.icc_lo[t], lo[t], 0.1 * sd[t], "%s lo %g numpy %g",
                           kvq_icc_name((kvq_icc_type)t), ci.icc_lo[t], lo[t]);
        cr_assert_float_eq(ci.icc_hi[t], hi[t], 0.1 * sd[t], "%s hi %g numpy %g",
                           kvq_icc_name((kvq_icc_type)t), ci.icc_hi[t], hi[t]);
    }
    cr_assert_float_eq(ci.alpha_lo, lo[6], 0.1 * sd[6], "alpha lo %g numpy %g", ci.alpha_lo, lo[6]);
    cr_assert_float_eq(ci.alpha_hi, hi[6], 0.1 * sd[6], "alpha hi %g numpy %g", ci.alpha_hi, hi[6]);
    kvq_cluster_intervals naive;
    cr_assert_eq(kvq_cluster_bootstrap(x, nc, k, alone, nc, 4000, 0.95, &rng, &naive, &err), 0);
    cr_assert_lt(naive.alpha_hi - naive.alpha_lo, 0.8 * (ci.alpha_hi - ci.alpha_lo),
                 "naive [%g, %g] against clustered [%g, %g]", naive.alpha_lo, naive.alpha_hi,
                 ci.alpha_lo, ci.alpha_hi);
    free(x), free(cl), free(lo), free(hi), free(sd), free(cluster), free(alone);
    cJSON_Delete(g);
}

Test(metrics_cluster_bootstrap, refuses_bad_clusters)
{
    const double x[] = {1, 2, 3, 4, 5, 7};
    const uint32_t cluster[] = {0, 1, 2};
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    kvq_cluster_intervals ci;
    kvq_error err;
    cr_assert_eq(kvq_cluster_bootstrap(x, 3, 2, cluster, 2, 10, 0.95, &rng, &ci, &err), KVQ_EINVAL);
    cr_assert_str_eq(err.msg, "cluster bootstrap: subject 3 in cluster 2 of 2");
    cr_assert_eq(kvq_cluster_bootstrap(x, 3, 2, cluster, 3, 0, 0.95, &rng, &ci, &err), KVQ_EINVAL);
    /* every cluster bootstrap refuses a subject whose cluster does not exist, naming it */
    double lo[4], hi[4], reps[20];
    const double labels[] = {0, 1, 1, 1, 0, 0};
    cr_assert_eq(kvq_icc_pairs_cluster_bootstrap(x, 3, 2, cluster, 2, 10, 0.95, &rng, lo, hi, &err),
                 KVQ_EINVAL);
    cr_assert_str_eq(err.msg, "ICC cluster bootstrap: subject 3 in cluster 2 of 2");
    cr_assert_eq(kvq_cohen_kappa_cluster_bootstrap(labels, 3, 2, 2, cluster, 2, 10, 0.95, &rng, lo,
                                                   hi, &err),
                 KVQ_EINVAL);
    cr_assert_str_eq(err.msg, "kappa cluster bootstrap: subject 3 in cluster 2 of 2");
    cr_assert_eq(kvq_loadings_cluster_bootstrap(x, 3, 2, cluster, 2, 10, &rng, reps, &err),
                 KVQ_EINVAL);
    cr_assert_str_eq(err.msg, "loadings cluster bootstrap: subject 3 in cluster 2 of 2");
}

/* One interval section of the golden file: lo, hi and the replicates' sd, count values each. */
static void interval_section(const cJSON *g, double **lo, double **hi, double **sd, size_t count)
{
    size_t a, b, c;
    *lo = kvq_test_doubles(cJSON_GetObjectItem(g, "lo"), &a);
    *hi = kvq_test_doubles(cJSON_GetObjectItem(g, "hi"), &b);
    *sd = kvq_test_doubles(cJSON_GetObjectItem(g, "sd"), &c);
    cr_assert(a == count && b == count && c == count);
}

static uint32_t *clusters_of(const cJSON *g, const char *key, size_t *n)
{
    double *v = kvq_test_doubles(cJSON_GetObjectItem(g, key), n);
    uint32_t *c = malloc(*n * sizeof *c);
    for (size_t s = 0; s < *n; s++) c[s] = (uint32_t)v[s];
    free(v);
    return c;
}

/* Cohen's kappa of three codecs against an exact rater on three categories: the point estimates
 * equal statsmodels', the cluster intervals numpy's within 0.1 replicate SD. */
Test(metrics_cluster_bootstrap, kappa_matches_numpy_within_monte_carlo_error)
{
    cJSON *root = kvq_test_golden("cluster_bootstrap.json"),
          *g = cJSON_GetObjectItem(root, "kappa");
    size_t n, nl, ne, W = KVQ_KAPPA_WEIGHTS;
    uint32_t *cluster = clusters_of(root, "cluster", &n);
    double *labels = kvq_test_doubles(cJSON_GetObjectItem(g, "labels"), &nl);
    double *estimate = kvq_test_doubles(cJSON_GetObjectItem(g, "estimate"), &ne), *lo, *hi, *sd;
    size_t k = nl / n, raters = k - 1;
    cr_assert(nl == n * 4 && ne == raters * W);
    interval_section(g, &lo, &hi, &sd, raters * W);
    for (size_t i = 0; i < raters; i++) {
        kvq_cohen kappa;
        cr_assert_eq(kvq_cohen_kappa(labels, n, k, 0, 1 + i, 0.95, &kappa, NULL), KVQ_OK);
        for (size_t w = 0; w < W; w++)
            cr_assert_float_eq(kappa.w[w].kappa, estimate[i * W + w], 1e-12, "rater %zu weight %zu",
                               i + 1, w);
    }
    double *clo = malloc(raters * W * sizeof *clo), *chi = malloc(raters * W * sizeof *chi);
    kvq_rng rng;
    kvq_rng_seed(&rng, 2026, 13);
    kvq_error err;
    cr_assert_eq(kvq_cohen_kappa_cluster_bootstrap(labels, n, k, 3, cluster,
                                                   (size_t)kvq_test_num(root, "clusters"), 20000,
                                                   0.95, &rng, clo, chi, &err),
                 KVQ_OK, "%s", err.msg);
    for (size_t j = 0; j < raters * W; j++) {
        cr_assert_float_eq(clo[j], lo[j], 0.1 * sd[j], "kappa %zu lo %g numpy %g", j, clo[j],
                           lo[j]);
        cr_assert_float_eq(chi[j], hi[j], 0.1 * sd[j], "kappa %zu hi %g numpy %g", j, chi[j],
                           hi[j]);
    }
    labels[5] = 3; /* outside the three categories */
    cr_assert_eq(kvq_cohen_kappa_cluster_bootstrap(labels, n, k, 3, cluster, 40, 10, 0.95, &rng,
                                                   clo, chi, &err),
                 KVQ_EINVAL);
    cr_assert(strstr(err.msg, "row 2, column 2") != NULL, "%s", err.msg);
    free(cluster), free(labels), free(estimate), free(lo), free(hi), free(sd), free(clo), free(chi);
    cJSON_Delete(root);
}

/* Loadings of two populations' bootstrap replicates, their intervals and phi's against numpy. */
static void loading_replicates(const double *x, size_t n, size_t k, const uint32_t *cluster,
                               size_t nclusters, kvq_rng *rng, const cJSON *interval,
                               kvq_loading_boot *boot)
{
    double *lo, *hi, *sd, *one = malloc(20000 * sizeof *one);
    interval_section(interval, &lo, &hi, &sd, k);
    *boot = (kvq_loading_boot){.k = k,
                               .reps = 20000,
                               .variant = malloc(k * sizeof(size_t)),
                               .values = malloc(20000 * k * sizeof(double))};
    for (size_t i = 0; i < k; i++) boot->variant[i] = i;
    kvq_error err;
    cr_assert_eq(
        kvq_loadings_cluster_bootstrap(x, n, k, cluster, nclusters, 20000, rng, boot->values, &err),
        KVQ_OK, "%s", err.msg);
    for (size_t i = 0; i < k; i++) {
        double l, h;
        for (size_t r = 0; r < 20000; r++) one[r] = boot->values[r * k + i];
        kvq_percentile_bounds(one, 20000, 0.95, &l, &h);
        cr_assert_float_eq(l, lo[i], 0.1 * sd[i], "loading %zu lo %g numpy %g", i, l, lo[i]);
        cr_assert_float_eq(h, hi[i], 0.1 * sd[i], "loading %zu hi %g numpy %g", i, h, hi[i]);
    }
    free(lo), free(hi), free(sd), free(one);
}

Test(metrics_cluster_bootstrap, loadings_and_phi_match_numpy_within_monte_carlo_error)
{
    cJSON *root = kvq_test_golden("cluster_bootstrap.json"),
          *g = cJSON_GetObjectItem(root, "loadings");
    size_t n, nb, nx, ny, k = (size_t)kvq_test_num(root, "raters");
    uint32_t *ca = clusters_of(root, "cluster", &n), *cb = clusters_of(g, "cluster_b", &nb);
    double *x = kvq_test_doubles(cJSON_GetObjectItem(root, "x"), &nx);
    double *y = kvq_test_doubles(cJSON_GetObjectItem(g, "y"), &ny);
    cr_assert(nx == n * k && ny == nb * k);
    kvq_rng rng;
    kvq_rng_seed(&rng, 2026, 14);
    kvq_loading_boot a, b;
    loading_replicates(x, n, k, ca, (size_t)kvq_test_num(root, "clusters"), &rng,
                       cJSON_GetObjectItem(g, "a"), &a);
    loading_replicates(y, nb, k, cb, (size_t)kvq_test_num(g, "clusters_b"), &rng,
                       cJSON_GetObjectItem(g, "b"), &b);
    double *lo, *hi, *sd, plo, phi_hi;
    interval_section(cJSON_GetObjectItem(g, "phi_interval"), &lo, &hi, &sd, 1);
    cr_assert_eq(kvq_congruence_interval(&a, &b, 0.95, &plo, &phi_hi), KVQ_OK);
    cr_assert_float_eq(plo, lo[0], 0.1 * sd[0], "phi lo %g numpy %g", plo, lo[0]);
    cr_assert_float_eq(phi_hi, hi[0], 0.1 * sd[0], "phi hi %g numpy %g", phi_hi, hi[0]);
    kvq_loading_boot_free(&a), kvq_loading_boot_free(&b);
    free(ca), free(cb), free(x), free(y), free(lo), free(hi), free(sd);
    cJSON_Delete(root);
}

/* The pairwise ICCs against rater 0 from per-cluster sums equal, replicate for replicate, the
 * intervals kvq_cluster_bootstrap (checked against numpy above) gives on each pair's own matrix
 * from the same draws; moving one value of a pair moves them. */
Test(metrics_cluster_bootstrap, pairs_from_sums_match_the_gathered_pairs)
{
    cJSON *g = kvq_test_golden("cluster_bootstrap.json");
    size_t nx, n;
    double *x = kvq_test_doubles(cJSON_GetObjectItem(g, "x"), &nx);
    uint32_t *cluster = clusters_of(g, "cluster", &n);
    size_t k = nx / n, nc = (size_t)kvq_test_num(g, "clusters"), F = KVQ_ICC_FORMS;
    double *lo = malloc((k - 1) * F * sizeof *lo), *hi = malloc((k - 1) * F * sizeof *hi);
    double *pair = malloc(2 * n * sizeof *pair);
    kvq_rng rng;
    kvq_error err;
    kvq_rng_seed(&rng, 7, 7);
    cr_assert_eq(
        kvq_icc_pairs_cluster_bootstrap(x, n, k, cluster, nc, 2000, 0.95, &rng, lo, hi, &err),
        KVQ_OK, "%s", err.msg);
    for (size_t i = 1; i < k; i++) {
        for (size_t s = 0; s < n; s++) pair[2 * s] = x[s * k], pair[2 * s + 1] = x[s * k + i];
        kvq_cluster_intervals ci;
        kvq_rng_seed(&rng, 7, 7);
        cr_assert_eq(kvq_cluster_bootstrap(pair, n, 2, cluster, nc, 2000, 0.95, &rng, &ci, &err),
                     KVQ_OK);
        for (size_t t = 0; t < F; t++) {
            cr_assert_float_eq(lo[(i - 1) * F + t], ci.icc_lo[t], 1e-9, "rater %zu %s lo", i,
                               kvq_icc_name((kvq_icc_type)t));
            cr_assert_float_eq(hi[(i - 1) * F + t], ci.icc_hi[t], 1e-9, "rater %zu %s hi", i,
                               kvq_icc_name((kvq_icc_type)t));
        }
    }
    x[1] += 3.0; /* rater 1 of subject 1 */
    double *moved = malloc((k - 1) * F * sizeof *moved), *ignored = malloc((k - 1) * F * 8);
    kvq_rng_seed(&rng, 7, 7);
    cr_assert_eq(kvq_icc_pairs_cluster_bootstrap(x, n, k, cluster, nc, 2000, 0.95, &rng, moved,
                                                 ignored, &err),
                 KVQ_OK);
    cr_assert(fabs(moved[KVQ_ICC2] - lo[KVQ_ICC2]) > 1e-6, "a moved value left ICC2 unchanged");
    cr_assert_eq(
        kvq_icc_pairs_cluster_bootstrap(x, n, 1, cluster, nc, 10, 0.95, &rng, lo, hi, &err),
        KVQ_EINVAL);
    free(x), free(cluster), free(lo), free(hi), free(pair), free(moved), free(ignored);
    cJSON_Delete(g);
}
