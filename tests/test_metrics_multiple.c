/* Holm and Benjamini-Hochberg adjusted p-values against statsmodels' multipletests
 * (tests/golden/gen_multiple.py) on three families, one with ties, a 0 and a 1; a NaN p is left out
 * of its family. */
#include "kvq/multiple.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

Test(metrics_multiple, holm_and_bh_equal_statsmodels)
{
    cJSON *g = kvq_test_golden("multiple.json");
    const cJSON *family;
    size_t families = 0;
    cJSON_ArrayForEach(family, cJSON_GetObjectItem(g, "families"))
    {
        size_t n, nh, nb;
        double *p = kvq_test_doubles(cJSON_GetObjectItem(family, "p"), &n);
        double *holm = kvq_test_doubles(cJSON_GetObjectItem(family, "holm"), &nh);
        double *bh = kvq_test_doubles(cJSON_GetObjectItem(family, "bh"), &nb);
        cr_assert(n == nh && n == nb && n >= 1);
        double *out = malloc(n * sizeof *out);
        kvq_error err;
        cr_assert_eq(kvq_p_holm(p, n, out, &err), 0);
        for (size_t i = 0; i < n; i++)
            cr_assert_float_eq(out[i], holm[i], 1e-15, "family %zu p %zu: holm %.17g, want %.17g",
                               families, i, out[i], holm[i]);
        cr_assert_eq(kvq_p_bh(p, n, out, &err), 0);
        for (size_t i = 0; i < n; i++)
            cr_assert_float_eq(out[i], bh[i], 1e-15, "family %zu p %zu: bh %.17g, want %.17g",
                               families, i, out[i], bh[i]);
        free(p), free(holm), free(bh), free(out);
        families++;
    }
    cr_assert_eq(families, 3);
    cJSON_Delete(g);
}

Test(metrics_multiple, nan_is_left_out)
{
    const double p[] = {0.01, NAN, 0.04};
    double out[3];
    kvq_error err;
    cr_assert_eq(kvq_p_holm(p, 3, out, &err), 0);
    cr_assert(isnan(out[1]));
    cr_assert_float_eq(out[0], 0.02, 1e-15); /* a family of two */
    cr_assert_float_eq(out[2], 0.04, 1e-15);
    cr_assert_eq(kvq_p_bh(p, 3, out, &err), 0);
    cr_assert(isnan(out[1]));
    cr_assert_float_eq(out[0], 0.02, 1e-15);
    cr_assert_float_eq(out[2], 0.04, 1e-15);
}
