/* F quantiles for every degrees of freedom (metrics/fdist.c) against scipy.stats.f.isf
 * (tests/golden/gen_fdist.py), including the degrees of freedom where GSL's inverse gives NaN. */
#include "metrics/fdist.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>

Test(fdist, matches_scipy_everywhere)
{
    gsl_set_error_handler_off();
    cJSON *g = kvq_test_golden("fdist.json");
    const cJSON *c;
    size_t count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(g, "cases"))
    {
        double tail = kvq_test_num(c, "tail"), df1 = kvq_test_num(c, "df1"),
               df2 = kvq_test_num(c, "df2"), want = kvq_test_num(c, "x");
        double got = kvq_fdist_upper_quantile(tail, df1, df2);
        cr_assert_lt(fabs(got - want), 1e-9 * want, "tail %g df (%g, %g): %.12g, scipy %.12g", tail,
                     df1, df2, got, want);
        count++;
    }
    cr_assert_eq(count, 48);
    cJSON_Delete(g);
}

Test(fdist, undefined_arguments_are_nan)
{
    cr_assert(isnan(kvq_fdist_upper_quantile(0.0, 2, 3)));
    cr_assert(isnan(kvq_fdist_upper_quantile(0.5, 0, 3)));
    cr_assert(isnan(kvq_fdist_upper_quantile(0.5, 2, INFINITY)));
}
