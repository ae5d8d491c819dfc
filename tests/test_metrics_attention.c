/* Attention parity against scipy.special.log_softmax (tests/golden/gen_metrics.py): mean KL, argmax
 * agreement and the relative error of the attention output; exact scores give 0, 1, 0. */
#include "kvq/attention.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* The exact side computed once gives every codec's comparison the numbers the full computation
 * gives, bit for bit: key and query counts that are not multiples of the blocks, with and without
 * values, per query too. */
Test(metrics_attention, exact_side_once_gives_the_same_numbers)
{
    enum { NQ = 7, N = 23, DIM = 6, DV = 5 };
    float s[NQ * N], t[NQ * N], v[N * DV];
    unsigned x = 12345;
    for (size_t i = 0; i < NQ * N; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = (float)((x >> 8) % 2001) / 250.0f - 4.0f;
        t[i] = s[i] + (float)((x >> 4) % 17) / 4.0f - 2.0f;
    }
    for (size_t i = 0; i < N * DV; i++) v[i] = (float)((i * 37) % 11) / 7.3f - 0.7f;
    for (int with_v = 0; with_v < 2; with_v++) {
        const float *vv = with_v ? v : NULL;
        kvq_attention_exact ex;
        kvq_error err;
        cr_assert_eq(kvq_attention_exact_compute(s, NQ, N, DIM, vv, DV, &ex, &err), KVQ_OK, "%s",
                     err.msg);
        kvq_attention a, b;
        double kl_a[NQ], top_a[NQ], kl_b[NQ], top_b[NQ];
        cr_assert_eq(
            kvq_attention_parity_each(s, t, NULL, NQ, N, DIM, vv, DV, &a, kl_a, top_a, &err),
            KVQ_OK);
        cr_assert_eq(kvq_attention_parity_with(&ex, t, &b, kl_b, top_b, &err), KVQ_OK);
        cr_assert(a.kl > 0.0 && a.top1 < 1.0, "the estimates differ from the exact scores");
        cr_assert_eq(memcmp(&a.kl, &b.kl, sizeof a.kl), 0, "kl %.17g vs %.17g", a.kl, b.kl);
        cr_assert_eq(a.top1, b.top1);
        cr_assert_eq(memcmp(&a.out_rel_err, &b.out_rel_err, sizeof a.out_rel_err), 0,
                     "out_rel_err %.17g vs %.17g", a.out_rel_err, b.out_rel_err);
        cr_assert_eq(memcmp(kl_a, kl_b, sizeof kl_a), 0);
        cr_assert_eq(memcmp(top_a, top_b, sizeof top_a), 0);
        cr_assert(with_v ? isfinite(b.out_rel_err) && b.out_rel_err > 0.0 : isnan(b.out_rel_err));
        /* the exact scores themselves, the same array on both sides, either way */
        cr_assert_eq(
            kvq_attention_parity_each(s, s, NULL, NQ, N, DIM, vv, DV, &a, NULL, NULL, &err),
            KVQ_OK);
        cr_assert_eq(kvq_attention_parity_with(&ex, s, &b, NULL, NULL, &err), KVQ_OK);
        cr_assert(a.kl == 0.0 && b.kl == 0.0 && a.top1 == 1.0 && b.top1 == 1.0);
        cr_assert(with_v ? a.out_rel_err == 0.0 && b.out_rel_err == 0.0
                         : isnan(a.out_rel_err) && isnan(b.out_rel_err));
        kvq_attention_exact_free(&ex);
    }
}
