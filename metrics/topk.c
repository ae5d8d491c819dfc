/* Top-k selection (include/kvq/metrics.h): a bounded min-heap of indices, O(n log k), never a full
 * sort. Order: a higher score ranks above a lower one; among equal scores the lower index ranks
 * first, so results never depend on sort stability. kvq_top_k_inner computes the scores of a
 * block of queries at once with CBLAS sgemm and selects from each row.
 * Known answer (tests/test_metrics_rank.c): s = (1, 3, 3, 2), k = 2 -> indices (1, 2). */
#include "kvq/metrics.h"

#include <cblas.h>
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

void kvq_top_k(const float *s, size_t n, size_t k, size_t *top)
{
    for (size_t i = 0; i < k; i++) top[i] = i;
    for (size_t i = k / 2; i-- > 0;) sift_down(top, k, i, s);
    for (size_t i = k; i < n; i++) {
        if (ranks_above(s, i, top[0])) {
            top[0] = i;
            sift_down(top, k, 0, s);
        }
    }
    /* Pop the weakest to the back until the heap is empty: best first. */
    for (size_t m = k; m > 1; m--) {
        size_t t = top[0];
        top[0] = top[m - 1];
        top[m - 1] = t;
        sift_down(top, m - 1, 0, s);
    }
}

size_t kvq_argmax(const float *s, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (s[i] > s[best]) best = i;
    return best;
}

/* Rows of the score block: at most this many floats (32 MiB) at a time. */
#define SCORE_BLOCK_FLOATS ((size_t)8 << 20)

int kvq_top_k_inner(const float *q, size_t nq, const float *x, size_t n, size_t dim, size_t k,
                    size_t *top, kvq_error *err)
{
    if (k == 0 || k > n)
        return kvq_fail(err, KVQ_EINVAL, "top-k: k = %zu must lie in [1, %zu] (the row count)", k,
                        n);
    if (dim == 0) return kvq_fail(err, KVQ_EINVAL, "top-k: dimension 0");
    size_t block = SCORE_BLOCK_FLOATS / n;
    if (block == 0) block = 1;
    if (block > nq) block = nq;
    float *scores = malloc(block * n * sizeof *scores);
    if (!scores)
        return kvq_fail(err, KVQ_ENOMEM, "top-k: no memory for %zu x %zu scores", block, n);
    for (size_t q0 = 0; q0 < nq; q0 += block) {
        size_t m = nq - q0 < block ? nq - q0 : block;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)dim, 1.0f,
                    q + q0 * dim, (int)dim, x, (int)dim, 0.0f, scores, (int)n);
        for (size_t i = 0; i < m; i++) kvq_top_k(scores + i * n, n, k, top + (q0 + i) * k);
    }
    free(scores);
    return KVQ_OK;
}
