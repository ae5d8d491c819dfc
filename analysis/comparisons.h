/* Paired comparisons of two codec variants on one population (analysis/comparisons.c): the paired
 * bootstrap over the queries both cells define (include/kvq/bootstrap.h), from a finished run's
 * queries.csv. `kvqeval compare` and the epiphany table's codec-against-codec predictions use it.
 */
#ifndef KVQ_COMPARISONS_H
#define KVQ_COMPARISONS_H

#include "analysis/facts.h"
#include "kvq/bootstrap.h"

#define KVQ_COMPARE_REPS 10000 /* bootstrap resamples of a comparison */
#define KVQ_COMPARE_BAND 0.10  /* "at matched bits": bits_per_coord_total within 10% */

typedef struct kvq_comparison {
    const char *population, *label, *a, *b, *metric;
    double bits_a, bits_b; /* bits_per_coord_total */
    size_t n;              /* queries defined in both cells */
    double mean_a, mean_b; /* over those queries */
    kvq_paired paired;     /* mean of a - scale * b, its 95% interval and two-sided p */
    double p_holm, p_bh;   /* adjusted over the family compared (NaN until adjusted) */
} kvq_comparison;

/* Compares variants a and b on population for metric (a query-averaged one) by the paired
 * bootstrap of a_q - scale * b_q over the queries where both are defined, KVQ_COMPARE_REPS
 * resamples drawn from a stream derived from the metric, population and both variants (the same
 * run gives the same numbers). KVQ_ENOTFOUND-like KVQ_EINVAL when the run has no per-query values
 * of either cell, or no query defined in both; KVQ_ENOMEM. */
int kvq_compare_pair(const kvq_facts *f, const char *population, const char *a, const char *b,
                     const char *metric, double scale, kvq_comparison *out, kvq_error *err);

/* Adjusts the p-values of n comparisons as one family (Holm and Benjamini-Hochberg,
 * include/kvq/multiple.h). */
int kvq_compare_adjust(kvq_comparison *c, size_t n, kvq_error *err);

/* 1 when a and b are at matched bits: |bits_a - bits_b| <= KVQ_COMPARE_BAND * max(bits_a,
 * bits_b), both finite. */
int kvq_compare_matched(double bits_a, double bits_b);

#endif
