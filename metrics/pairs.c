/* Sorting (key, value) pairs (metrics/pairs.h).
 *
 * Ranks of 10^7 values are the metric engine's hot spot. Measured on the reference machine (idle,
 * release build): the C library's qsort (glibc: a merge sort through a comparison call) takes
 * 2.7 s for 10^7 random pairs and GSL's gsl_sort_index (a heap sort through an index) 8.9 s; with
 * qsort, Spearman and Kendall on 10^7 pairs ran at 0.73x and 0.53x the speed of scipy
 * (bench/metrics_bench.py). Neither library offers a radix sort, so one is written here: a stable
 * least-significant-digit radix sort on the 64 bits of an order-preserving integer image of each
 * double (11 bits a pass, passes whose digit is the same for every pair skipped). Lexicographic
 * order (key, then value) is a stable sort by value followed by a stable sort by key; the first is
 * skipped when the values are already in ascending order, as they are for every caller (indices,
 * ranks). Below RADIX_MIN pairs, or when the scratch cannot be allocated, qsort does the same job:
 * both give the one lexicographic order, so the result never depends on which ran. */
#include "pairs.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 11
#define RADIX_BUCKETS (1u << RADIX_BITS)
#define RADIX_PASSES ((64 + RADIX_BITS - 1) / RADIX_BITS)
#define RADIX_MIN 4096

static int compare_pairs(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* An unsigned integer whose order is the order of the double d (d not NaN; -0 and +0 equal). */
static uint64_t order_bits(double d)
{
    uint64_t u;
    d += 0.0; /* -0 becomes +0 */
    memcpy(&u, &d, sizeof u);
    return u >> 63 ? ~u : u | UINT64_C(1) << 63;
}

/* Stable sort of the n pairs in *src by component c (0 key, 1 value); *src and *tmp may swap,
 * *src pointing at the sorted pairs on return. */
static void radix_by(double **src, double **tmp, size_t n, int c)
{
    size_t(*count)[RADIX_BUCKETS] = calloc(RADIX_PASSES, sizeof *count);
    if (!count) { /* cannot happen in practice (176 KiB); keep the order correct anyway */
        qsort(*src, n, 2 * sizeof **src, compare_pairs);
        return;
    }
    const double *p = *src;
    for (size_t i = 0; i < n; i++) {
        uint64_t u = order_bits(p[2 * i + c]);
        for (unsigned k = 0; k < RADIX_PASSES; k++)
            count[k][(u >> (k * RADIX_BITS)) & (RADIX_BUCKETS - 1)]++;
    }
    for (unsigned k = 0; k < RADIX_PASSES; k++) {
        size_t *h = count[k], sum = 0;
        int constant = 0;
        for (size_t b = 0; b < RADIX_BUCKETS; b++) {
            if (h[b] == n) constant = 1;
            size_t t = h[b];
            h[b] = sum;
            sum += t;
        }
        if (constant) continue;
        const double *s = *src;
        double *d = *tmp;
        for (size_t i = 0; i < n; i++) {
            uint64_t u = order_bits(s[2 * i + c]);
            double *out = d + 2 * h[(u >> (k * RADIX_BITS)) & (RADIX_BUCKETS - 1)]++;
            out[0] = s[2 * i], out[1] = s[2 * i + 1];
        }
        double *swap = *src;
        *src = *tmp;
        *tmp = swap;
    }
    free(count);
}

void kvq_sort_pairs(double *p, size_t n)
{
    double *tmp = n >= RADIX_MIN ? malloc(2 * n * sizeof *tmp) : NULL;
    if (!tmp) {
        qsort(p, n, 2 * sizeof *p, compare_pairs);
        return;
    }
    double *src = p, *scratch = tmp;
    size_t i = 1;
    while (i < n && p[2 * i + 1] >= p[2 * i - 1]) i++;
    if (i < n) radix_by(&src, &scratch, n, 1);
    radix_by(&src, &scratch, n, 0);
    if (src != p) memcpy(p, src, 2 * n * sizeof *p);
    free(tmp);
}

size_t kvq_pairs_run_end(const double *p, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && p[2 * j] == p[2 * i]) j++;
    return j;
}

int kvq_values_vary(const double *x, size_t n)
{
    int differs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) return 0;
        differs |= x[i] != x[0];
    }
    return differs;
}
