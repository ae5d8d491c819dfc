/* A stable LSD radix sort of 64-bit words by their high 32 bits: the sort behind the rank
 * correlations (metrics/rank_scores.c) and rabitq's order of coordinates. Internal to the
 * library. */
#ifndef KVQ_METRICS_RADIX_H
#define KVQ_METRICS_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* Sorts the n words a by their high 32 bits, stably (words with equal keys keep their order), in
 * four passes of 8-bit digits, a digit that is the same in every word skipped; tmp: n words of
 * scratch. O(n + 1024). */
void kvq_sort_by_key(uint64_t *a, uint64_t *tmp, size_t n);

#endif
