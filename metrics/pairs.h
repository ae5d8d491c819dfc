/* Sorting (key, value) pairs of doubles, the step that ranks share (Spearman, Kendall). Internal
 * to metrics/. */
#ifndef KVQ_METRICS_PAIRS_H
#define KVQ_METRICS_PAIRS_H

#include <stddef.h>

/* Sorts n pairs stored flat in p (p[2i] = key, p[2i + 1] = value) in ascending lexicographic order
 * (key, then value): one total order, so every sum taken over it is the same whatever algorithm
 * ran (a radix sort from 4096 pairs, with 16n bytes of scratch it allocates; qsort below that or
 * without memory). Keys and values must not be NaN; -0 and +0 are equal. */
void kvq_sort_pairs(double *p, size_t n);

/* The end of the run of equal keys that starts at pair i: the first j > i whose key differs from
 * pair i's, or n. */
size_t kvq_pairs_run_end(const double *p, size_t n, size_t i);

/* 1 when all n values are finite and at least two differ: the condition for a correlation to be
 * defined. */
int kvq_values_vary(const double *x, size_t n);

#endif
