/* Attention parity (include/kvq/attention.h). Per query i, with a_j = S_ij / sqrt(d) and
 * b_j = S^_ij / sqrt(d), log p_j = a_j - logsumexp(a), log p^_j = b_j - logsumexp(b):
 *     KL_i = sum_j p_j (log p_j - log p^_j),     o_i = sum_j p_j v_j,    o^_i = sum_j p^_j v_j;
 * kl = mean_i KL_i, top1 = mean_i [argmax S^_i == argmax S_i],
 * out_rel_err = sqrt(sum_i ||o^_i - o_i||^2 / sum_i ||o_i||^2).
 * Known answer (tests/test_metrics_attention.c): S^ == S gives kl 0, top1 1, out_rel_err 0; the
 * other cases are checked against scipy.special.log_softmax. */
#include "kvq/attention.h"
#include "kvq/metrics.h"
#include "kvq/vector_clones.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* Keys whose weighted values one pass over o and o_hat adds. */
#define KEYS 4

/* The weighted sums below are compiled twice (include/kvq/vector_clones.h): each coordinate's sum
 * takes the same operations in the same order in both copies, so the result is the same bit for
 * bit. */

/* o += p_k v_k and o_hat += q_k v_k for the keys k < KEYS, v_k = v + k dv: each coordinate's sum
 * takes its terms in key order, as one key at a time would, while o and o_hat are read and written
 * once per KEYS keys; the loop over coordinates vectorises with the same result. */
KVQ_VECTOR_CLONES static void add_weighted(double *restrict o, double *restrict o_hat,
                                           const double *p, const double *q,
                                           const float *restrict v, size_t dv)
{
    const float *v1 = v + dv, *v2 = v1 + dv, *v3 = v2 + dv;
    for (size_t c = 0; c < dv; c++) {
        double a = o[c], b = o_hat[c];
        a += p[0] * (double)v[c], b += q[0] * (double)v[c];
        a += p[1] * (double)v1[c], b += q[1] * (double)v1[c];
        a += p[2] * (double)v2[c], b += q[2] * (double)v2[c];
        a += p[3] * (double)v3[c], b += q[3] * (double)v3[c];
        o[c] = a, o_hat[c] = b;
    }
}

/* o_hat += q_k v_k for the keys k < KEYS, each coordinate's sum in key order: add_weighted's
 * o_hat alone, for an o already known. */
KVQ_VECTOR_CLONES static void add_weighted_hat(double *restrict o_hat, const double *q,
                                               const float *restrict v, size_t dv)
{
    const float *v1 = v + dv, *v2 = v1 + dv, *v3 = v2 + dv;
    for (size_t c = 0; c < dv; c++) {
        double b = o_hat[c];
        b += q[0] * (double)v[c];
        b += q[1] * (double)v1[c];
        b += q[2] * (double)v2[c];
        b += q[3] * (double)v3[c];
        o_hat[c] = b;
    }
}

/* o += p v and o_hat += q v: the keys left after the last whole KEYS. */
KVQ_VECTOR_CLONES static void add_one(double *restrict o, double *restrict o_hat, double p,
                                      double q, const float *restrict v, size_t dv)
{
    for (size_t c = 0; c < dv; c++) o[c] += p * (double)v[c], o_hat[c] += q * (double)v[c];
}

/* Queries whose sums one pass over the value rows serves. */
#define QUERY_BLOCK 16

/* One query's running sums: its scores, their log-sum-exps, its KL and its outputs so far. With
 * the exact side known (kvq_attention_exact), lse_s is given, p reads its probabilities and o is
 * its output, which only o_hat is added to; p_out, when set, receives the probabilities. */
typedef struct query_sums {
    const float *s, *t;
    double lse_s, lse_t, kl;
    double *o, *o_hat; /* dv each */
    const double *p;   /* n: the exact probabilities, or NULL: computed */
    double *p_out;     /* n, or NULL */
} query_sums;

/* Adds keys [j0, j0 + keys) to each of the nb queries: their KL terms and, when v is given,
 * p_j v_j (unless p is known) and p^_j v_j into o and o_hat. */
static void add_keys(query_sums *qs, size_t nb, size_t j0, size_t keys, double scale,
                     const float *v, size_t dv)
{
    for (size_t b = 0; b < nb; b++) {
        query_sums *x = &qs[b];
        double p[KEYS], q[KEYS];
        for (size_t k = 0; k < keys; k++) {
            double lp = (double)x->s[j0 + k] * scale - x->lse_s;
            double lq = (double)x->t[j0 + k] * scale - x->lse_t;
            p[k] = x->p ? x->p[j0 + k] : exp(lp);
            q[k] = x->t == x->s ? p[k] : exp(lq);
            x->kl += p[k] * (lp - lq);
            if (x->p_out) x->p_out[j0 + k] = p[k];
        }
        if (v && x->p && keys == KEYS) /* o is known */
            add_weighted_hat(x->o_hat, q, v + j0 * dv, dv);
        else if (v && x->t == x->s && keys == KEYS) /* o_hat will be o */
            add_weighted_hat(x->o, p, v + j0 * dv, dv);
        else if (v && keys == KEYS)
            add_weighted(x->o, x->o_hat, p, q, v + j0 * dv, dv);
        for (size_t k = 0; v && keys < KEYS && k < keys; k++) {
            const float *vk = v + (j0 + k) * dv;
            if (x->p || x->t == x->s) { /* one side, as add_one adds it */
                double *o = x->p ? x->o_hat : x->o, w = x->p ? q[k] : p[k];
                for (size_t c = 0; c < dv; c++) o[c] += w * (double)vk[c];
            } else {
                add_one(x->o, x->o_hat, p[k], q[k], vk, dv);
            }
        }
    }
}

/* The KL of each of the nb queries qs (s, t, o and o_hat set, o and o_hat zero unless o is known)
 * over the same n keys, and their outputs when v is given. The queries take each group of KEYS
 * keys in turn, so that the value rows of a group are read from memory once for the block; each
 * query's sums still take their terms in key order, as one query at a time would. */
static void block_queries(query_sums *qs, size_t nb, size_t n, double scale, const float *v,
                          size_t dv)
{
    for (size_t b = 0; b < nb; b++) {
        if (!qs[b].p) qs[b].lse_s = log_sum_exp(qs[b].s, n, scale);
        qs[b].lse_t = qs[b].t == qs[b].s ? qs[b].lse_s : log_sum_exp(qs[b].t, n, scale);
        qs[b].kl = 0.0;
    }
    for (size_t j0 = 0; j0 < n; j0 += KEYS)
        add_keys(qs, nb, j0, n - j0 < KEYS ? n - j0 : KEYS, scale, v, dv);
    for (size_t b = 0; v && b < nb; b++) /* the same scores on both sides: the same output */
        if (qs[b].t == qs[b].s && !qs[b].p) memcpy(qs[b].o_hat, qs[b].o, dv * sizeof *qs[b].o);
}

/* Copies the allowed keys of query i (mask row m, NULL: all) into ss, ts and vs; their count. */
static size_t gather(const float *s, const float *t, const float *v, size_t dv, const uint8_t *m,
                     size_t n, float *ss, float *ts, float *vs)
{
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        if (m && !m[j]) continue;
        ss[k] = s[j];
        ts[k] = t[j];
        for (size_t c = 0; v && c < dv; c++) vs[k * dv + c] = v[j * dv + c];
        k++;
    }
    return k;
}

int kvq_attention_parity(const float *exact, const float *est, size_t nq, size_t n, size_t dim,
                         const float *v, size_t dv, kvq_attention *out, kvq_error *err)
{
    return kvq_attention_parity_masked(exact, est, NULL, nq, n, dim, v, dv, out, err);
}

int kvq_attention_parity_masked(const float *exact, const float *est, const uint8_t *mask,
                                size_t nq, size_t n, size_t dim, const float *v, size_t dv,
                                kvq_attention *out, kvq_error *err)
{
    return kvq_attention_parity_each(exact, est, mask, nq, n, dim, v, dv, out, NULL, NULL, err);
}

/* Attention parity of est against exact (see kvq_attention_parity_each), the exact side's
 * log-sum-exps, probabilities and outputs read from known when given (no mask then), else
 * computed, and written to fill when given. */
static int compare(const kvq_attention_exact *known, kvq_attention_exact *fill, const float *exact,
                   const float *est, const uint8_t *mask, size_t nq, size_t n, size_t dim,
                   const float *v, size_t dv, kvq_attention *out, double *kl_each,
                   double *top1_each, kvq_error *err)
{
    if (nq == 0 || n == 0 || dim == 0 || (v && dv == 0))
        return kvq_fail(err, KVQ_EINVAL,
                        "attention parity: empty input (%zu queries, %zu keys, dim %zu, dv %zu)",
                        nq, n, dim, dv);
    int rc = known ? KVQ_OK : check_finite(exact, nq, n, "exact score", err);
    if (!rc) rc = check_finite(est, nq, n, "estimated score", err);
    if (!rc && v && !known) rc = check_finite(v, n, dv, "value", err);
    if (rc) return rc;
    double *o = calloc(v ? QUERY_BLOCK * 2 * dv : 1, sizeof *o);
    float *ss = mask ? malloc(2 * n * sizeof *ss) : NULL;
    float *vs = mask && v ? malloc(n * dv * sizeof *vs) : NULL;
    if (!o || (mask && !ss) || (mask && v && !vs)) {
        free(o), free(ss), free(vs);
        return kvq_fail(err, KVQ_ENOMEM, "attention parity: no memory for %zu keys", n);
    }
    double scale = 1.0 / sqrt((double)dim), kl = 0.0, agree = 0.0, diff2 = 0.0, norm2 = 0.0;
    size_t used = 0, nb;
    query_sums qs[QUERY_BLOCK];
    for (size_t i0 = 0; i0 < nq; i0 += nb) {
        nb = mask ? 1 : nq - i0 < QUERY_BLOCK ? nq - i0 : QUERY_BLOCK; /* masked: keys of its own */
        const float *vv = v;
        size_t k = n;
        for (size_t b = 0; b < nb; b++) {
            size_t i = i0 + b;
            qs[b] = (query_sums){.s = exact + i * n, .t = est + i * n, .o = o + b * 2 * dv};
            qs[b].o_hat = qs[b].o + dv;
            if (known) qs[b].p = known->p + i * n, qs[b].lse_s = known->lse[i];
            if (known && v) qs[b].o = known->o + i * dv;
            if (fill) qs[b].p_out = fill->p + i * n;
            if (kl_each) kl_each[i] = top1_each[i] = NAN;
        }
        if (mask) {
            k = gather(qs[0].s, qs[0].t, v, dv, mask + i0 * n, n, ss, ss + n, vs);
            qs[0].s = ss, qs[0].t = ss + n, vv = vs;
        }
        if (k == 0) continue; /* no key this query may attend to */
        used += nb;
        for (size_t c = 0; v && c < nb * 2 * dv; c++) o[c] = 0.0;
        block_queries(qs, nb, k, scale, vv, dv);
        for (size_t b = 0; b < nb; b++) {
            double kl_i = qs[b].kl, top1_i = kvq_top1_agree(qs[b].t, qs[b].s, k);
            kl += kl_i;
            agree += top1_i;
            if (kl_each) kl_each[i0 + b] = kl_i, top1_each[i0 + b] = top1_i;
            for (size_t c = 0; v && c < dv; c++) {
                double d = qs[b].o_hat[c] - qs[b].o[c];
                diff2 += d * d;
                norm2 += qs[b].o[c] * qs[b].o[c];
            }
            if (fill) fill->lse[i0 + b] = qs[b].lse_s;
            if (fill && v) memcpy(fill->o + (i0 + b) * dv, qs[b].o, dv * sizeof *o);
        }
    }
    free(o);
    free(ss);
    free(vs);
    if (used == 0)
        return kvq_fail(err, KVQ_EINVAL, "attention parity: no query has a key it may attend to");
    *out = (kvq_attention){.nq = used,
                           .n = n,
                           .kl = kl / (double)used,
                           .top1 = agree / (double)used,
                           .out_rel_err = v && norm2 > 0.0 ? sqrt(diff2 / norm2) : NAN};
    return KVQ_OK;
}

int kvq_attention_parity_each(const float *exact, const float *est, const uint8_t *mask, size_t nq,
                              size_t n, size_t dim, const float *v, size_t dv, kvq_attention *out,
                              double *kl_each, double *top1_each, kvq_error *err)
{
    return compare(NULL, NULL, exact, est, mask, nq, n, dim, v, dv, out, kl_each, top1_each, err);
}

int kvq_attention_exact_compute(const float *exact, size_t nq, size_t n, size_t dim, const float *v,
                                size_t dv, kvq_attention_exact *ex, kvq_error *err)
{
    *ex = (kvq_attention_exact){.exact = exact, .v = v, .nq = nq, .n = n, .dim = dim, .dv = dv};
    ex->lse = malloc((nq + 1) * sizeof *ex->lse);
    ex->p = malloc((nq * n + 1) * sizeof *ex->p);
    ex->o = v ? malloc((nq * dv + 1) * sizeof *ex->o) : NULL;
    if (!ex->lse || !ex->p || (v && !ex->o)) {
        kvq_attention_exact_free(ex);
        return kvq_fail(err, KVQ_ENOMEM, "attention parity: no memory for %zu x %zu weights", nq,
                        n);
    }
    kvq_attention same;
    int rc = compare(NULL, ex, exact, exact, NULL, nq, n, dim, v, dv, &same, NULL, NULL, err);
    if (rc) kvq_attention_exact_free(ex);
    return rc;
}

void kvq_attention_exact_free(kvq_attention_exact *ex)
{
    free(ex->lse);
    free(ex->p);
    free(ex->o);
    *ex = (kvq_attention_exact){0};
}

int kvq_attention_parity_with(const kvq_attention_exact *ex, const float *est, kvq_attention *out,
                              double *kl_each, double *top1_each, kvq_error *err)
{
    return compare(ex, NULL, ex->exact, est, NULL, ex->nq, ex->n, ex->dim, ex->v, ex->dv, out,
                   kl_each, top1_each, err);
}
