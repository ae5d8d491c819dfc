/* Attention parity: does a codec keep what attention computes from its scores? MSE parity is not
 * attention parity: small score errors on the largest logits move the softmax a lot, large ones on
 * the tail do not. Definitions in README, "Metrics".
 */
#ifndef KVQ_ATTENTION_H
#define KVQ_ATTENTION_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

typedef struct kvq_attention {
    size_t nq, n;
    double kl;   /* mean over queries of KL(p_i || p^_i) in nats, p_i = softmax(S_i / sqrt(d)),
                    p^_i = softmax(S^_i / sqrt(d)) */
    double top1; /* fraction of queries with argmax S^_i == argmax S_i (first among ties) */
    double out_rel_err; /* ||P^ V - P V||_F / ||P V||_F over all queries; NaN without V or when
                           P V is 0 */
} kvq_attention;

/* Compares exact scores S (nq x n, row-major: query i against key j) with a codec's estimates S^
 * (same shape) for keys of dimension dim (the softmax temperature is sqrt(dim)). v: the n x dv
 * values (row-major), or NULL. Softmax and KL are computed in double from log-sum-exp, so an
 * estimate that underflows a probability to 0 still gives a finite KL. nq == 0, n == 0, dim == 0,
 * or a non-finite score or value -> KVQ_EINVAL naming query and key; KVQ_ENOMEM. */
int kvq_attention_parity(const float *exact, const float *est, size_t nq, size_t n, size_t dim,
                         const float *v, size_t dv, kvq_attention *out, kvq_error *err);

/* The same with a mask (nq x n bytes, row-major; NULL: every key): query i attends only to the
 * keys j with mask[i * n + j] != 0 (causal attention). A query with no such key is left out; nq
 * in the result counts the queries used. KVQ_EINVAL when none is left. */
int kvq_attention_parity_masked(const float *exact, const float *est, const uint8_t *mask,
                                size_t nq, size_t n, size_t dim, const float *v, size_t dv,
                                kvq_attention *out, kvq_error *err);

/* The same, also writing each query's KL and top-1 agreement (0 or 1) into kl_each[i] and
 * top1_each[i] (nq each; NaN for a query left out by the mask), for intervals over queries. Both
 * or neither may be NULL. */
int kvq_attention_parity_each(const float *exact, const float *est, const uint8_t *mask, size_t nq,
                              size_t n, size_t dim, const float *v, size_t dv, kvq_attention *out,
                              double *kl_each, double *top1_each, kvq_error *err);

/* The exact side of unmasked attention parity, which depends on S, dim and V only: each query's
 * log-sum-exp of S_i / sqrt(dim), its probabilities p_ij and its output o_i = sum_j p_ij v_j, as
 * kvq_attention_parity_each computes them. Computed once, it serves the comparison of every
 * codec's estimates with the same S and V: kvq_attention_parity_with gives the numbers
 * kvq_attention_parity_each gives (no mask), bit for bit, with half the exponentials and weighted
 * sums. exact and v are borrowed: they must outlive it. */
typedef struct kvq_attention_exact {
    const float *exact, *v;
    size_t nq, n, dim, dv;
    double *lse; /* nq */
    double *p;   /* nq x n */
    double *o;   /* nq x dv; NULL without v */
} kvq_attention_exact;

/* The errors of kvq_attention_parity_each for the exact scores and values. */
int kvq_attention_exact_compute(const float *exact, size_t nq, size_t n, size_t dim, const float *v,
                                size_t dv, kvq_attention_exact *ex, kvq_error *err);
void kvq_attention_exact_free(kvq_attention_exact *ex);

int kvq_attention_parity_with(const kvq_attention_exact *ex, const float *est, kvq_attention *out,
                              double *kl_each, double *top1_each, kvq_error *err);

#endif
