/* Cronbach's alpha and the six ICCs against R psych (tests/golden/gen_metrics.R) on the Shrout &
 * Fleiss (1979) ratings, ordinal data with many ties and continuous two-factor data; the published
 * Shrout & Fleiss Table 4 values; degenerate data; bad input. */
#include "kvq/reliability.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

static void check_icc(const double *x, size_t n, size_t k, const cJSON *want, const char *name)
{
    kvq_icc icc;
    kvq_error err;
    cr_assert_eq(kvq_icc_compute(x, n, k, 0.95, &icc, &err), 0, "%s", err.msg);
    const cJSON *row;
    int t = 0;
    cJSON_ArrayForEach(row, want)
    {
        char label[128];
        snprintf(label, sizeof label, "%s %s", name, kvq_icc_name((kvq_icc_type)t));
        cr_assert_str_eq(cJSON_GetObjectItem(row, "type")->valuestring,
                         kvq_icc_name((kvq_icc_type)t));
        const kvq_icc_form *f = &icc.form[t];
        golden_expect(f->icc, row, "icc", label);
        golden_expect(f->f, row, "f", label);
        golden_expect(f->df1, row, "df1", label);
        golden_expect(f->df2, row, "df2", label);
        golden_expect(f->p, row, "p", label);
        golden_expect(f->lo, row, "lo", label);
        golden_expect(f->hi, row, "hi", label);
        t++;
    }
    cr_assert_eq(t, KVQ_ICC_FORMS);
}

static void check_alpha(const double *x, size_t n, size_t k, const cJSON *want, const char *name)
{
    kvq_alpha a;
    kvq_alpha_item *items = malloc(k * sizeof *items);
    kvq_error err;
    cr_assert_eq(kvq_alpha_compute(x, n, k, 0.95, &a, items, &err), 0, "%s", err.msg);
    golden_expect(a.raw, want, "raw", name);
    golden_expect(a.std, want, "std", name);
    golden_expect(a.average_r, want, "average_r", name);
    golden_expect(a.feldt_lo, want, "feldt_lo", name);
    golden_expect(a.feldt_hi, want, "feldt_hi", name);
    const cJSON *item;
    size_t i = 0;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(want, "items"))
    {
        char label[128];
        snprintf(label, sizeof label, "%s item %zu", name, i + 1);
        if (k == 2) {
            /* Deliberate difference: one item left has no alpha; psych reports C12/C22 and r12. */
            cr_assert(isnan(items[i].raw_alpha) && isnan(items[i].std_alpha) &&
                          isnan(items[i].average_r),
                      "%s", label);
        } else {
            golden_expect(items[i].raw_alpha, item, "raw_alpha", label);
            golden_expect(items[i].std_alpha, item, "std_alpha", label);
            golden_expect(items[i].average_r, item, "average_r", label);
        }
        golden_expect(items[i].r_drop, item, "r_drop", label);
        i++;
    }
    cr_assert_eq(i, k);
    free(items);
}

Test(metrics_reliability, icc_and_alpha_match_psych, .init = setup)
{
    cJSON *g = kvq_test_golden("metrics_psych.json");
    const cJSON *d;
    size_t count = 0;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(g, "datasets"))
    {
        size_t n, k;
        double *x = golden_csv(cJSON_GetObjectItem(d, "file")->valuestring, &n, &k);
        cr_assert_eq(n, (size_t)kvq_test_num(d, "n"));
        cr_assert_eq(k, (size_t)kvq_test_num(d, "k"));
        check_icc(x, n, k, cJSON_GetObjectItem(d, "icc"), d->string);
        check_alpha(x, n, k, cJSON_GetObjectItem(d, "alpha"), d->string);
        free(x);
        count++;
    }
    cr_assert_eq(count, 4);
    cJSON_Delete(g);
}

/* x without column drop (n x (k - 1), caller frees). */
static double *without_column(const double *x, size_t n, size_t k, size_t drop)
{
    double *y = malloc(n * (k - 1) * sizeof *y);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0, o = 0; j < k; j++)
            if (j != drop) y[i * (k - 1) + o++] = x[i * k + j];
    return y;
}

/* Alpha if item j is deleted is, by definition, alpha of the data without column j. */
static void check_deleted(const double *x, size_t n, size_t k, const size_t *which, size_t count,
                          const char *name)
{
    kvq_alpha all, rest;
    kvq_alpha_item *items = malloc(k * sizeof *items);
    kvq_error err;
    cr_assert_eq(kvq_alpha_compute(x, n, k, 0.95, &all, items, &err), 0, "%s", err.msg);
    for (size_t w = 0; w < count; w++) {
        size_t j = which[w];
        double *y = without_column(x, n, k, j);
        cr_assert_eq(kvq_alpha_compute(y, n, k - 1, 0.95, &rest, NULL, &err), 0, "%s", err.msg);
        char label[128];
        snprintf(label, sizeof label, "%s without item %zu", name, j + 1);
        golden_check(items[j].raw_alpha, rest.raw, label);
        golden_check(items[j].std_alpha, rest.std, label);
        golden_check(items[j].average_r, rest.average_r, label);
        free(y);
    }
    free(items);
}

Test(metrics_reliability, alpha_if_deleted_is_alpha_without_the_item, .init = setup)
{
    static const char *const files[] = {"metrics_sf1979.csv", "metrics_ties.csv",
                                        "metrics_twofactor.csv"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        size_t n, k, all[64];
        double *x = golden_csv(files[f], &n, &k);
        cr_assert_leq(k, 64);
        for (size_t j = 0; j < k; j++) all[j] = j;
        check_deleted(x, n, k, all, k, files[f]);
        free(x);
    }
    /* A constant item makes every correlation with it NaN, so standardised alpha is NaN, except
     * once that item is deleted. */
    const double x[15] = {1, 5, 2, 2, 5, 3, 3, 5, 5, 4, 5, 4, 6, 5, 7};
    const size_t all[3] = {0, 1, 2};
    check_deleted(x, 5, 3, all, 3, "constant item 2");
    kvq_alpha a;
    kvq_alpha_item items[3];
    cr_assert_eq(kvq_alpha_compute(x, 5, 3, 0.95, &a, items, NULL), 0);
    cr_assert(isnan(a.std) && isnan(items[0].std_alpha) && !isnan(items[1].std_alpha));
}

/* 5 subjects x 10,000 items: alpha if each item is deleted must not cost O(k^3) (tens of minutes);
 * checked for a few items against alpha of the data without them. */
Test(metrics_reliability, wide_alpha_if_deleted, .init = setup, .timeout = 60)
{
    const size_t n = 5, k = 10000;
    double *x = malloc(n * k * sizeof *x);
    kvq_rng rng;
    kvq_rng_seed(&rng, 7, 1);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            x[i * k + j] = (double)i * (double)(j % 3) + kvq_rng_gaussian(&rng);
    const size_t which[4] = {0, 1, 4999, 9999};
    check_deleted(x, n, k, which, 4, "5 x 10000");
    free(x);
}

/* Shrout & Fleiss (1979), Table 4, as printed (two decimals). */
Test(metrics_reliability, icc_matches_shrout_fleiss_table_4, .init = setup)
{
    size_t n, k;
    double *x = golden_csv("metrics_sf1979.csv", &n, &k);
    kvq_icc icc;
    cr_assert_eq(kvq_icc_compute(x, n, k, 0.95, &icc, NULL), 0);
    const double table4[KVQ_ICC_FORMS] = {0.17, 0.29, 0.71, 0.44, 0.62, 0.91};
    for (int t = 0; t < KVQ_ICC_FORMS; t++)
        cr_assert_lt(fabs(icc.form[t].icc - table4[t]), 0.005, "%s", kvq_icc_name(t));
    free(x);
}

/* Identical raters: perfect agreement, F = Inf (psych's aov leaves a rounding residual and prints
 * F ~ 1e31 instead), p = 0, intervals [1, 1]; raw and standardised alpha 1. */
Test(metrics_reliability, identical_raters, .init = setup)
{
    const double x[12] = {1, 1, 1, 4, 4, 4, 2, 2, 2, 7, 7, 7};
    kvq_icc icc;
    cr_assert_eq(kvq_icc_compute(x, 4, 3, 0.95, &icc, NULL), 0);
    for (int t = 0; t < KVQ_ICC_FORMS; t++) {
        cr_assert_eq(icc.form[t].icc, 1.0, "%s", kvq_icc_name(t));
        cr_assert(isinf(icc.form[t].f) && icc.form[t].p == 0.0, "%s", kvq_icc_name(t));
    }
    cr_assert_eq(icc.form[KVQ_ICC1].lo, 1.0);
    cr_assert_eq(icc.form[KVQ_ICC3K].hi, 1.0);
    kvq_alpha a;
    cr_assert_eq(kvq_alpha_compute(x, 4, 3, 0.95, &a, NULL, NULL), 0);
    cr_assert_float_eq(a.raw, 1.0, 1e-15);
    cr_assert_float_eq(a.std, 1.0, 1e-15);
}

/* All values equal: every mean square is 0, so every ICC is 0/0 (psych prints rounding noise,
 * e.g. 3.9e-16); alpha's covariances are all 0. */
Test(metrics_reliability, constant_data_is_nan, .init = setup)
{
    double x[15];
    for (int i = 0; i < 15; i++) x[i] = 3.0;
    kvq_icc icc;
    cr_assert_eq(kvq_icc_compute(x, 5, 3, 0.95, &icc, NULL), 0);
    for (int t = 0; t < KVQ_ICC_FORMS; t++) cr_assert(isnan(icc.form[t].icc), "%d", t);
    kvq_alpha a;
    kvq_alpha_item items[3];
    cr_assert_eq(kvq_alpha_compute(x, 5, 3, 0.95, &a, items, NULL), 0);
    cr_assert(isnan(a.raw) && isnan(a.std) && isnan(a.average_r));
    cr_assert(isnan(items[0].r_drop));
}

/* Two items: alpha if deleted leaves one item, which has no alpha. */
Test(metrics_reliability, two_items, .init = setup)
{
    const double x[8] = {1, 2, 2, 3, 3, 3, 4, 6};
    kvq_alpha a;
    kvq_alpha_item items[2];
    cr_assert_eq(kvq_alpha_compute(x, 4, 2, 0.95, &a, items, NULL), 0);
    cr_assert(isnan(items[0].raw_alpha) && isnan(items[1].std_alpha));
    /* Each item's corrected item-total r is r12: cov 2, variances 5/3 and 3. */
    cr_assert_float_eq(items[0].r_drop, 2.0 / sqrt(5.0), 1e-14);
    cr_assert_float_eq(items[1].r_drop, 2.0 / sqrt(5.0), 1e-14);
}

Test(metrics_reliability, bad_input_is_refused, .init = setup)
{
    double x[6] = {1, 2, 3, 4, NAN, 6};
    kvq_icc icc;
    kvq_alpha a;
    kvq_error err;
    cr_assert_eq(kvq_icc_compute(x, 3, 2, 0.95, &icc, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "row 3, column 1") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_alpha_compute(x, 3, 2, 0.95, &a, NULL, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "row 3, column 1") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_icc_compute(x, 1, 6, 0.95, &icc, &err), KVQ_EINVAL);
    cr_assert_eq(kvq_icc_compute(x, 2, 2, 1.0, &icc, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "level") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_alpha_compute(x, 6, 1, 0.95, &a, NULL, &err), KVQ_EINVAL);
}
