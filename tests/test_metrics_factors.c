/* Factor structure against R (tests/golden/gen_metrics.R): eigenvalues of the correlation matrix
 * (eigen), first-component loadings (psych::principal), the Kaiser count, and the parallel-analysis
 * count of psych::fa.parallel(fa = "pc") on the same data; determinism; bad input. */
#include "kvq/factors.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

Test(metrics_factors, match_r, .init = setup)
{
    cJSON *g = kvq_test_golden("metrics_psych.json");
    const cJSON *d;
    size_t count = 0;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(g, "datasets"))
    {
        size_t n, k, ne, nl;
        double *x = golden_csv(cJSON_GetObjectItem(d, "file")->valuestring, &n, &k);
        double *eigen = kvq_test_doubles(cJSON_GetObjectItem(d, "eigen"), &ne);
        double *load = kvq_test_doubles(cJSON_GetObjectItem(d, "loadings"), &nl);
        cr_assert_eq(ne, k);
        cr_assert_eq(nl, k);
        kvq_rng rng;
        kvq_rng_seed(&rng, 1, 2);
        kvq_factors f;
        kvq_error err;
        cr_assert_eq(kvq_factors_compute(x, n, k, 20, &rng, &f, &err), 0, "%s", err.msg);
        size_t kaiser = 0;
        for (size_t j = 0; j < k; j++) {
            char label[128];
            snprintf(label, sizeof label, "%s eigenvalue %zu", d->string, j + 1);
            golden_check(f.eigenvalues[j], eigen[j], label);
            snprintf(label, sizeof label, "%s loading %zu", d->string, j + 1);
            golden_check(f.loadings[j], load[j], label);
            kaiser += eigen[j] > 1.0;
        }
        golden_check(f.first_share, eigen[0] / (double)k, d->string);
        cr_assert_eq(f.kaiser, kaiser, "%s", d->string);
        cr_assert_eq(f.parallel, (size_t)kvq_test_num(d, "parallel"), "%s: parallel %zu", d->string,
                     f.parallel);
        for (size_t j = 0; j < k; j++) cr_assert_float_eq(f.corr[j * k + j], 1.0, 1e-15);
        kvq_factors_free(&f);
        free(x), free(eigen), free(load);
        count++;
    }
    cr_assert_eq(count, 4);
    cJSON_Delete(g);
}

/* Same seed, same simulated eigenvalues; pure noise has no factor beyond chance. */
Test(metrics_factors, parallel_analysis_is_seeded, .init = setup)
{
    const size_t n = 500, k = 6;
    double *x = malloc(n * k * sizeof *x);
    kvq_rng rng;
    kvq_rng_seed(&rng, 99, 1);
    for (size_t i = 0; i < n * k; i++) x[i] = kvq_rng_gaussian(&rng);
    kvq_factors a, b;
    kvq_rng_seed(&rng, 5, 5);
    cr_assert_eq(kvq_factors_compute(x, n, k, 10, &rng, &a, NULL), 0);
    kvq_rng_seed(&rng, 5, 5);
    cr_assert_eq(kvq_factors_compute(x, n, k, 10, &rng, &b, NULL), 0);
    for (size_t j = 0; j < k; j++) cr_assert_eq(a.parallel_mean[j], b.parallel_mean[j]);
    cr_assert_leq(a.parallel, 1); /* noise: at most a chance first eigenvalue */
    kvq_factors_free(&a);
    kvq_factors_free(&b);
    cr_assert_eq(kvq_factors_compute(x, n, k, 0, NULL, &a, NULL), 0);
    cr_assert_null(a.parallel_mean);
    cr_assert_eq(a.parallel, 0);
    kvq_factors_free(&a);
    free(x);
}

Test(metrics_factors, bad_input, .init = setup)
{
    const double x[8] = {1, 5, 2, 5, 3, 5, 4, 5};
    kvq_factors f;
    kvq_error err;
    cr_assert_eq(kvq_factors_compute(x, 4, 2, 0, NULL, &f, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "column 2 has zero variance") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_factors_compute(x, 2, 4, 0, NULL, &f, &err), KVQ_EINVAL);
}

/* More items than KVQ_FACTORS_MAX_ITEMS are refused from the sizes alone, naming k and the cap:
 * the data (NULL here) is never read and nothing is allocated. */
Test(metrics_factors, item_cap, .init = setup)
{
    kvq_factors f;
    kvq_error err;
    cr_assert_eq(kvq_factors_check(10, KVQ_FACTORS_MAX_ITEMS + 1, 20, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "2001 items, more than the 2000") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_factors_compute(NULL, 10, KVQ_FACTORS_MAX_ITEMS + 1, 20, NULL, &f, &err),
                 KVQ_ERANGE);
    cr_assert(strstr(err.msg, "2001 items") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_factors_check(10, KVQ_FACTORS_MAX_ITEMS, 20, &err), 0, "%s", err.msg);
    cr_assert_eq(kvq_factors_check(2, 5, 20, &err), KVQ_EINVAL);
}
