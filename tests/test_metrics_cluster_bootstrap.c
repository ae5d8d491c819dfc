/* The query-cluster bootstrap of alpha and the ICCs against numpy (tests/golden/
 * gen_cluster_bootstrap.py) on 40 clusters of 6 alike subjects: the streams differ, so with 20000
 * replicates each endpoint must agree within Monte Carlo error (its standard error is about 0.02
 * of the replicates' SD; allowed: 0.1 SD). Ignoring the clusters (every subject its own) must
 * give a narrower alpha interval on these data, whose subjects within a cluster are alike. */
#include "kvq/reliability.h"
#include "kvq/rng.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>

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
    cr_assert_eq(kvq_cluster_bootstrap(x, 3, 2, cluster, 3, 0, 0.95, &rng, &ci, &err), KVQ_EINVAL);
}
