/* recall@k and top-1 agreement (include/kvq/metrics.h), on top of kvq_top_k's selection.
 * Known answer (tests/test_metrics_basic.c): est = (4, 3, 2, 1), exact = (1, 2, 3, 4), k = 2 -> 0.
 */
#include "kvq/metrics.h"

#include <math.h>
#include <stdlib.h>

static int compare_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

double kvq_top_k_overlap(size_t *a, size_t *b, size_t k)
{
    if (k == 0) return NAN;
    qsort(a, k, sizeof *a, compare_index);
    qsort(b, k, sizeof *b, compare_index);
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

double kvq_recall_at_k(const float *est, const float *exact, size_t n, size_t k, size_t *work)
{
    if (k == 0 || k > n) return NAN;
    kvq_top_k(est, n, k, work);
    kvq_top_k(exact, n, k, work + k);
    return kvq_top_k_overlap(work, work + k, k);
}

double kvq_top1_agree(const float *est, const float *exact, size_t n)
{
    if (n == 0) return NAN;
    return kvq_argmax(est, n) == kvq_argmax(exact, n) ? 1.0 : 0.0;
}
