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

/* One subject: the chance agreement would come from that subject alone, so Cohen's kappa would be
 * 0 with SE 0 whenever the raters disagree (and Fleiss' kappa -1/(k-1) whatever the ratings):
 * undefined, so NaN with no interval. Two subjects are enough for a number. */
Test(metrics_kappa, one_subject_is_undefined, .init = setup)
{
    const double one[3] = {1, 2, 2};
    kvq_cohen c;
    kvq_error err;
    for (size_t b = 1; b < 3; b++) {
        cr_assert_eq(kvq_cohen_kappa(one, 1, 3, 0, b, 0.95, &c, &err), 0, "%s", err.msg);
        cr_assert_eq(c.categories, 2);
        for (int w = 0; w < KVQ_KAPPA_WEIGHTS; w++)
            cr_assert(isnan(c.w[w].kappa) && isnan(c.w[w].se) && isnan(c.w[w].lo) &&
                          isnan(c.w[w].hi),
                      "weight %d: kappa %g se %g [%g, %g]", w, c.w[w].kappa, c.w[w].se, c.w[w].lo,
                      c.w[w].hi);
    }
    kvq_fleiss f;
    cr_assert_eq(kvq_fleiss_kappa(one, 1, 3, &f, &err), 0, "%s", err.msg);
    cr_assert(isnan(f.kappa), "Fleiss' kappa %g", f.kappa);
    /* Two subjects, a 2 x 2 table with p = [[1/2, 0], [1/2, 0]]: p_o = 1/2, p_e = 1/2 * 1, so
     * kappa = 0 exactly, and a number. */
    const double two[4] = {1, 1, 2, 1};
    cr_assert_eq(kvq_cohen_kappa(two, 2, 2, 0, 1, 0.95, &c, &err), 0, "%s", err.msg);
    cr_assert_eq(c.w[KVQ_KAPPA_UNWEIGHTED].kappa, 0.0);
    cr_assert_eq(kvq_fleiss_kappa(two, 2, 2, &f, &err), 0, "%s", err.msg);
    cr_assert(!isnan(f.kappa));
}

/* A non-finite label in a column that is not one of the pair is not Cohen's business (each pair
 * reads only its two columns); in one of the pair it is named. */
Test(metrics_kappa, cohen_reads_only_its_pair, .init = setup)
{
    const double x[6] = {1, 2, NAN, 2, 2, 1};
    kvq_cohen c;
    kvq_error err;
    cr_assert_eq(kvq_cohen_kappa(x, 2, 3, 0, 1, 0.95, &c, &err), 0, "%s", err.msg);
    cr_assert_eq(kvq_cohen_kappa(x, 2, 3, 0, 2, 0.95, &c, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "row 1, column 3") != NULL, "%s", err.msg);
}
