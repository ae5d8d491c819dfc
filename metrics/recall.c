/* recall@k (include/kvq/metrics.h): partial selection of the k best candidates on each side, then
 * the size of the intersection. Selection is a bounded min-heap of (score, index) pairs, O(n log
 * k), never a full sort. Ties: a lower index ranks above a higher one with the same score. Known
 * answer (tests/test_metrics.c): est = (4, 3, 2, 1), exact = (1, 2, 3, 4), k = 2 -> 0. */
#include "kvq/metrics.h"

#include <math.h>
#include <stdlib.h>

/* a ranks above b: higher score, or equal score and lower index. */
static int ranks_above(const float *s, size_t a, size_t b)
{
    return s[a] > s[b] || (s[a] == s[b] && a < b);
}

/* Heap of k indices whose root is the weakest of the current best k. */
static void sift_down(size_t *heap, size_t k, size_t i, const float *s)
{
    for (;;) {
        size_t weakest = i, l = 2 * i + 1, r = l + 1;
        if (l < k && ranks_above(s, heap[weakest], heap[l])) weakest = l;
        if (r < k && ranks_above(s, heap[weakest], heap[r])) weakest = r;
        if (weakest == i) return;
        size_t t = heap[i];
        heap[i] = heap[weakest];
        heap[weakest] = t;
        i = weakest;
    }
}

/* Fills top (k entries) with the indices of the k best scores, in heap order. */
static void top_k(const float *s, size_t n, size_t k, size_t *top)
{
    for (size_t i = 0; i < k; i++) top[i] = i;
    for (size_t i = k / 2; i-- > 0;) sift_down(top, k, i, s);
    for (size_t i = k; i < n; i++) {
        if (ranks_above(s, i, top[0])) {
            top[0] = i;
            sift_down(top, k, 0, s);
        }
    }
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

double kvq_recall_at_k(const float *est, const float *exact, size_t n, size_t k, size_t *work)
{
    if (k == 0 || k > n) return NAN;
    size_t *a = work, *b = work + k;
    top_k(est, n, k, a);
    top_k(exact, n, k, b);
    qsort(a, k, sizeof *a, cmp_size);
    qsort(b, k, sizeof *b, cmp_size);
    size_t hits = 0;
    for (size_t i = 0, j = 0; i < k && j < k;) {
        if (a[i] == b[j])
            hits++, i++, j++;
        else if (a[i] < b[j])
            i++;
        else
            j++;
    }
    return (double)hits / (double)k;
}
