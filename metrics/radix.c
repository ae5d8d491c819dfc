/* The radix sort of metrics/radix.h. */
#include "metrics/radix.h"

#include <string.h>

#define DIGIT_BITS 8
#define DIGITS (32 / DIGIT_BITS)
#define BUCKETS (1u << DIGIT_BITS)

void kvq_sort_by_key(uint64_t *a, uint64_t *tmp, size_t n)
{
    uint32_t count[DIGITS][BUCKETS] = {{0}};
    for (size_t i = 0; i < n; i++)
        for (unsigned k = 0; k < DIGITS; k++)
            count[k][(a[i] >> (32 + k * DIGIT_BITS)) & (BUCKETS - 1)]++;
    uint64_t *src = a, *dst = tmp;
    for (unsigned k = 0; k < DIGITS; k++) {
        uint32_t *h = count[k], sum = 0;
        int constant = 0;
        for (unsigned b = 0; b < BUCKETS; b++) {
            uint32_t t = h[b];
            constant |= t == n;
            h[b] = sum;
            sum += t;
        }
        if (constant) continue;
        for (size_t i = 0; i < n; i++)
            dst[h[(src[i] >> (32 + k * DIGIT_BITS)) & (BUCKETS - 1)]++] = src[i];
        uint64_t *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
}
