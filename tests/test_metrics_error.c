/* Error metrics against numpy (tests/golden/gen_metrics.py): MAE, RMSE, bias, max |e|, percentiles
 * of |e|, relative MSE, mean cosine; and the documented edge cases. */
#include "kvq/metrics.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

Test(metrics_error, residuals_match_numpy)
{
    cJSON *g = kvq_test_golden("metrics_scipy.json");
    const cJSON *c;
    size_t count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(g, "residuals"))
    {
        size_t n, nh, dim = (size_t)kvq_test_num(c, "dim");
        float *x = kvq_test_floats(cJSON_GetObjectItem(c, "x"), &n);
        float *xhat = kvq_test_floats(cJSON_GetObjectItem(c, "xhat"), &nh);
        cr_assert_eq(n, nh);
        kvq_residuals r;
        kvq_error err;
        cr_assert_eq(kvq_residuals_compute(x, xhat, n, &r, &err), 0, "%s", err.msg);
        cr_assert_eq(r.n, n);
        golden_expect(r.mae, c, "mae", "residuals");
        golden_expect(r.rmse, c, "rmse", "residuals");
        golden_expect(r.bias, c, "bias", "residuals");
        golden_expect(r.max_abs, c, "max_abs", "residuals");
        golden_expect(r.p50_abs, c, "p50_abs", "residuals");
        golden_expect(r.p95_abs, c, "p95_abs", "residuals");
        golden_expect(r.p99_abs, c, "p99_abs", "residuals");
        golden_expect(r.rel_mse, c, "rel_mse", "residuals");
        golden_expect(kvq_mean_cosine(x, xhat, n / dim, dim), c, "mean_cosine", "residuals");
        free(x), free(xhat);
        count++;
    }
    cr_assert_eq(count, 2);
    cJSON_Delete(g);
}

Test(metrics_error, edge_cases)
{
    kvq_residuals r;
    kvq_error err;
    cr_assert_eq(kvq_residuals_compute(NULL, NULL, 0, &r, &err), KVQ_EINVAL);
    const float zero[4] = {0, 0, 0, 0}, one[4] = {0, 0, 1, 0};
    /* Rows of 2: (0,0)/(0,0) keeps its (absent) direction, (0,0)/(1,0) invents one. */
    cr_assert_eq(kvq_mean_cosine(zero, zero, 2, 2), 1.0);
    cr_assert_eq(kvq_mean_cosine(zero, one, 2, 2), 0.5);
    cr_assert(isnan(kvq_mean_cosine(zero, zero, 0, 2)));
    cr_assert(isnan(kvq_rel_mse(zero, one, 4)));
}
