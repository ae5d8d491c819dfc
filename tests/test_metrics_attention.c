/* Attention parity against scipy.special.log_softmax (tests/golden/gen_metrics.py): mean KL, argmax
 * agreement and the relative error of the attention output; exact scores give 0, 1, 0. */
#include "kvq/attention.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

Test(metrics_attention, matches_scipy)
{
    cJSON *g = kvq_test_golden("metrics_scipy.json");
    const cJSON *c;
    size_t count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(g, "attention"))
    {
        size_t nq = (size_t)kvq_test_num(c, "nq"), n = (size_t)kvq_test_num(c, "n");
        size_t dim = (size_t)kvq_test_num(c, "dim"), dv = (size_t)kvq_test_num(c, "dv"), m;
        float *exact = kvq_test_floats(cJSON_GetObjectItem(c, "exact"), &m);
        float *est = kvq_test_floats(cJSON_GetObjectItem(c, "est"), &m);
        float *v = kvq_test_floats(cJSON_GetObjectItem(c, "v"), &m);
        cr_assert_eq(m, n * dv);
        kvq_attention a;
        kvq_error err;
        cr_assert_eq(kvq_attention_parity(exact, est, nq, n, dim, v, dv, &a, &err), 0, "%s",
                     err.msg);
        golden_expect(a.kl, c, "kl", "attention");
        golden_expect(a.top1, c, "top1", "attention");
        golden_expect(a.out_rel_err, c, "out_rel_err", "attention");
        cr_assert_eq(kvq_attention_parity(exact, exact, nq, n, dim, NULL, 0, &a, &err), 0);
        cr_assert_eq(a.kl, 0.0);
        cr_assert_eq(a.top1, 1.0);
        cr_assert(isnan(a.out_rel_err));
        free(exact), free(est), free(v);
        count++;
    }
    cr_assert_eq(count, 3);
    cJSON_Delete(g);
}

/* An estimate that underflows a probability to 0 in float still gives a finite KL. */
Test(metrics_attention, extreme_logits_and_bad_input)
{
    const float exact[2] = {0, 0}, est[2] = {4000, -4000};
    kvq_attention a;
    kvq_error err;
    cr_assert_eq(kvq_attention_parity(exact, est, 1, 2, 1, NULL, 0, &a, &err), 0);
    /* KL(1/2, 1/2 || ~1, e^-8000) = 0.5 * (log 0.5 - 0) + 0.5 * (log 0.5 + 8000) */
    cr_assert_float_eq(a.kl, 0.5 * 8000.0 + log(0.5), 1e-9);
    const float bad[2] = {1, NAN};
    cr_assert_eq(kvq_attention_parity(exact, bad, 1, 2, 4, NULL, 0, &a, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "query 0, key 1") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_attention_parity(exact, est, 0, 2, 4, NULL, 0, &a, &err), KVQ_EINVAL);
}
