/* Criterion validity: which proxy predicts what a model loses. For every population with a
 * downstream criterion (a model population, include/kvq/model.h), across its codec variants:
 * Spearman's rho between each proxy metric and each criterion (next_kl, delta_nll), with a 95%
 * percentile bootstrap interval that resamples the variants. Written to validity.csv:
 *     run,population,role,proxy,criterion,rho,ci_low,ci_high,n_variants
 * rho is NaN with fewer than 3 variants holding both numbers. */
#ifndef KVQ_VALIDITY_H
#define KVQ_VALIDITY_H

#include "harness/run.h"

typedef struct kvq_validity_row {
    size_t population;
    const char *proxy, *criterion; /* static names */
    double rho, ci_low, ci_high;
    size_t n_variants;
} kvq_validity_row;

typedef struct kvq_validity {
    kvq_validity_row *items;
    size_t count;
} kvq_validity;

/* The proxies and criteria compared, NULL-terminated. */
extern const char *const kvq_validity_proxies[];
extern const char *const kvq_validity_criteria[];

/* 1 for a proxy where higher is better (pearson, spearman, kendall_tau_b, recall@k, cosine,
 * attn_top1): its figure shows 1 - value, so that agreement near 1 spreads on a log axis. */
int kvq_validity_higher_better(const char *proxy);

/* Computes the rows of every population of run with a criterion; streams from the run's seed. */
int kvq_validity_compute(const kvq_run *run, kvq_validity *out, kvq_error *err);
void kvq_validity_free(kvq_validity *v);

#endif
