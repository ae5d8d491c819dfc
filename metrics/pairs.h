/* Sorting (key, value) pairs of doubles, the step that ranks share (Spearman, Kendall). Internal
 * to metrics/. */
#ifndef KVQ_METRICS_PAIRS_H
#define KVQ_METRICS_PAIRS_H

#include <stddef.h>

/* Sorts n pairs stored flat in p (p[2i] = key, p[2i + 1] = value) in ascending lexicographic order
 * (key, then value), with the C library's qsort. The value breaks ties so that the order, and every
 * sum taken over it, is the same whatever the sort's stability. Values must not be NaN. */
void kvq_sort_pairs(double *p, size_t n);

/* The end of the run of equal keys that starts at pair i: the first j > i whose key differs from
 * pair i's, or n. */
size_t kvq_pairs_run_end(const double *p, size_t n, size_t i);

/* 1 when all n values are finite and at least two differ: the condition for a correlation to be
 * defined. */
int kvq_values_vary(const double *x, size_t n);

#endif
