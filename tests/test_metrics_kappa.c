/* Cohen's kappa against R psych::cohen.kappa (estimates, unweighted variance;
 * tests/golden/gen_metrics.R) and statsmodels (all three variances, Fleiss-Cohen-Everitt 1969;
 * tests/golden/gen_metrics.py); Fleiss' kappa against statsmodels and the published example. */
#include "kvq/kappa.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

static kvq_cohen cohen_of(const char *dataset, size_t a, size_t b)
{
    char file[128];
    snprintf(file, sizeof file, "metrics_%s.csv", dataset);
    size_t n, k;
    double *x = golden_csv(file, &n, &k);
    kvq_cohen c;
    kvq_error err;
    cr_assert_eq(kvq_cohen_kappa(x, n, k, a, b, 0.95, &c, &err), 0, "%s", err.msg);
    free(x);
    return c;
}

Test(metrics_kappa, cohen_matches_psych, .init = setup)
{
    cJSON *g = kvq_test_golden("metrics_psych.json");
    const cJSON *d, *pair;
    size_t count = 0;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(g, "datasets"))
    {
        cJSON_ArrayForEach(pair, cJSON_GetObjectItem(d, "kappa"))
        {
            size_t a = (size_t)kvq_test_num(pair, "a"), b = (size_t)kvq_test_num(pair, "b");
            kvq_cohen c = cohen_of(d->string, a, b);
            char label[128];
            snprintf(label, sizeof label, "%s raters %zu,%zu", d->string, a + 1, b + 1);
            cr_assert_eq(c.categories, (size_t)kvq_test_num(pair, "categories"), "%s", label);
            golden_expect(c.w[KVQ_KAPPA_UNWEIGHTED].kappa, pair, "kappa", label);
            golden_expect(c.w[KVQ_KAPPA_UNWEIGHTED].se * c.w[KVQ_KAPPA_UNWEIGHTED].se, pair,
                          "var_kappa", label);
            golden_expect(c.w[KVQ_KAPPA_QUADRATIC].kappa, pair, "quadratic", label);
            golden_expect(c.w[KVQ_KAPPA_LINEAR].kappa, pair, "linear", label);
            count++;
        }
    }
    cr_assert_eq(count, 6 + 10 + 1);
    cJSON_Delete(g);
}

Test(metrics_kappa, cohen_variances_match_statsmodels, .init = setup)
{
    cJSON *g = kvq_test_golden("metrics_scipy.json");
    const cJSON *pair;
    size_t count = 0;
    static const char *const keys[KVQ_KAPPA_WEIGHTS] = {"unweighted", "linear", "quadratic"};
    cJSON_ArrayForEach(pair, cJSON_GetObjectItem(g, "kappa"))
    {
        size_t a = (size_t)kvq_test_num(pair, "a"), b = (size_t)kvq_test_num(pair, "b");
        const char *dataset = cJSON_GetObjectItem(pair, "dataset")->valuestring;
        kvq_cohen c = cohen_of(dataset, a, b);
        for (int w = 0; w < KVQ_KAPPA_WEIGHTS; w++) {
            char label[128], var_key[64];
            snprintf(label, sizeof label, "%s raters %zu,%zu", dataset, a + 1, b + 1);
            snprintf(var_key, sizeof var_key, "%s_var", keys[w]);
            golden_expect(c.w[w].kappa, pair, keys[w], label);
            double want = golden_value(pair, var_key);
            golden_check(c.w[w].se * c.w[w].se, want > 0.0 ? want : 0.0, label);
            double z = 1.959963984540054;
            golden_check(c.w[w].lo, fmax(-1.0, c.w[w].kappa - z * c.w[w].se), label);
        }
        count++;
    }
    cr_assert_eq(count, 17);
    cJSON_Delete(g);
}

Test(metrics_kappa, fleiss_matches_statsmodels_and_fleiss_1971, .init = setup)
{
    cJSON *g = kvq_test_golden("metrics_scipy.json");
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(g, "fleiss"), 0);
    size_t n, k;
    double *x = golden_csv("metrics_ties.csv", &n, &k);
    kvq_fleiss fl;
    kvq_error err;
    cr_assert_eq(kvq_fleiss_kappa(x, n, k, &fl, &err), 0, "%s", err.msg);
    golden_expect(fl.kappa, f, "kappa", "fleiss ties");
    free(x);

    f = cJSON_GetArrayItem(cJSON_GetObjectItem(g, "fleiss"), 1);
    const cJSON *row;
    double ratings[10 * 14];
    size_t i = 0;
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(f, "ratings"))
    {
        const cJSON *v;
        cJSON_ArrayForEach(v, row) ratings[i++] = v->valuedouble;
    }
    cr_assert_eq(i, 140);
    cr_assert_eq(kvq_fleiss_kappa(ratings, 10, 14, &fl, &err), 0, "%s", err.msg);
    golden_expect(fl.kappa, f, "kappa", "fleiss 1971");
    cr_assert_lt(fabs(fl.kappa - 0.210), 5e-4);
    cr_assert_lt(fabs(fl.p_observed - 0.378), 5e-4); /* the example's P-bar */
    cr_assert_lt(fabs(fl.p_chance - 0.213), 5e-4);   /* and P-bar_e */
    cr_assert_eq(fl.categories, 5);
    cJSON_Delete(g);
}

Test(metrics_kappa, degenerate_and_bad_input, .init = setup)
{
    const double same[6] = {2, 2, 2, 2, 2, 2};
    kvq_cohen c;
    kvq_fleiss f;
    kvq_error err;
    cr_assert_eq(kvq_cohen_kappa(same, 3, 2, 0, 1, 0.95, &c, &err), 0);
    cr_assert(isnan(c.w[KVQ_KAPPA_UNWEIGHTED].kappa) && isnan(c.w[KVQ_KAPPA_QUADRATIC].kappa));
    cr_assert_eq(kvq_fleiss_kappa(same, 3, 2, &f, &err), 0);
    cr_assert(isnan(f.kappa));
    const double perfect[8] = {1, 1, 2, 2, 3, 3, 1, 1};
    cr_assert_eq(kvq_cohen_kappa(perfect, 4, 2, 0, 1, 0.95, &c, &err), 0);
    for (int w = 0; w < KVQ_KAPPA_WEIGHTS; w++) cr_assert_float_eq(c.w[w].kappa, 1.0, 1e-15);
    cr_assert_eq(kvq_cohen_kappa(perfect, 4, 2, 0, 2, 0.95, &c, &err), KVQ_EINVAL);
    double *cont = malloc(2 * 2000 * sizeof *cont);
    for (int i = 0; i < 4000; i++) cont[i] = i * 0.5;
    cr_assert_eq(kvq_cohen_kappa(cont, 2000, 2, 0, 1, 0.95, &c, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "categorical") != NULL, "%s", err.msg);
    free(cont);
}
