/* Attention parity (include/kvq/attention.h). Per query i, with a_j = S_ij / sqrt(d) and
 * b_j = S^_ij / sqrt(d), log p_j = a_j - logsumexp(a), log p^_j = b_j - logsumexp(b):
 *     KL_i = sum_j p_j (log p_j - log p^_j),     o_i = sum_j p_j v_j,    o^_i = sum_j p^_j v_j;
 * kl = mean_i KL_i, top1 = mean_i [argmax S^_i == argmax S_i],
 * out_rel_err = sqrt(sum_i ||o^_i - o_i||^2 / sum_i ||o_i||^2).
 * Known answer (tests/test_metrics_attention.c): S^ == S gives kl 0, top1 1, out_rel_err 0; the
 * other cases are checked against scipy.special.log_softmax. */
#include "kvq/attention.h"
#include "kvq/metrics.h"

#include <math.h>
#include <stdlib.h>

static double log_sum_exp(const float *s, size_t n, double scale)
{
    double max = (double)s[0] * scale, sum = 0.0;
    for (size_t j = 1; j < n; j++)
        if ((double)s[j] * scale > max) max = (double)s[j] * scale;
    for (size_t j = 0; j < n; j++) sum += exp((double)s[j] * scale - max);
    return max + log(sum);
}

static int check_finite(const float *a, size_t nq, size_t n, const char *what, kvq_error *err)
{
    for (size_t i = 0; i < nq * n; i++)
        if (!isfinite(a[i]))
            return kvq_fail(err, KVQ_EINVAL,
                            "attention parity: %s of query %zu, key %zu is not finite", what, i / n,
                            i % n);
    return KVQ_OK;
}

/* KL of one query; adds p_j v_j and p^_j v_j into o and o_hat (dv each) when v is given. */
static double one_query(const float *s, const float *t, size_t n, double scale, const float *v,
                        size_t dv, double *o, double *o_hat)
{
    double lse_s = log_sum_exp(s, n, scale), lse_t = log_sum_exp(t, n, scale), kl = 0.0;
    for (size_t j = 0; j < n; j++) {
        double lp = (double)s[j] * scale - lse_s, lq = (double)t[j] * scale - lse_t;
        double p = exp(lp), q = exp(lq);
        kl += p * (lp - lq);
        for (size_t c = 0; v && c < dv; c++) {
            o[c] += p * (double)v[j * dv + c];
            o_hat[c] += q * (double)v[j * dv + c];
        }
    }
    return kl;
}

int kvq_attention_parity(const float *exact, const float *est, size_t nq, size_t n, size_t dim,
                         const float *v, size_t dv, kvq_attention *out, kvq_error *err)
{
    if (nq == 0 || n == 0 || dim == 0 || (v && dv == 0))
        return kvq_fail(err, KVQ_EINVAL,
                        "attention parity: empty input (%zu queries, %zu keys, dim %zu, dv %zu)",
                        nq, n, dim, dv);
    int rc = check_finite(exact, nq, n, "exact score", err);
    if (!rc) rc = check_finite(est, nq, n, "estimated score", err);
    if (!rc && v) rc = check_finite(v, n, dv, "value", err);
    if (rc) return rc;
    double *o = calloc(v ? 2 * dv : 1, sizeof *o);
    if (!o) return kvq_fail(err, KVQ_ENOMEM, "attention parity: no memory for %zu values", dv);
    double scale = 1.0 / sqrt((double)dim), kl = 0.0, agree = 0.0, diff2 = 0.0, norm2 = 0.0;
    for (size_t i = 0; i < nq; i++) {
        for (size_t c = 0; v && c < 2 * dv; c++) o[c] = 0.0;
        kl += one_query(exact + i * n, est + i * n, n, scale, v, dv, o, o + dv);
        agree += kvq_top1_agree(est + i * n, exact + i * n, n);
        for (size_t c = 0; v && c < dv; c++) {
            diff2 += (o[dv + c] - o[c]) * (o[dv + c] - o[c]);
            norm2 += o[c] * o[c];
        }
    }
    free(o);
    *out = (kvq_attention){.nq = nq,
                           .n = n,
                           .kl = kl / (double)nq,
                           .top1 = agree / (double)nq,
                           .out_rel_err = v && norm2 > 0.0 ? sqrt(diff2 / norm2) : NAN};
    return KVQ_OK;
}
