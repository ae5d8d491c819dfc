/* The float inner product the scoring loops of the codecs-I family share (f16, int4, lloydmax,
 * turboquant, turboquant_prod, qjl, polarquant, rabitq): a row is decoded into a float buffer,
 * then dotted with the query here.
 *
 * KVQ_DOTF_LANES partial sums, lane k taking the products k, k + LANES, ..., reduced in a fixed
 * order at the end: a loop the compiler vectorises without -ffast-math (each lane is an ordinary
 * float sum, so no reassociation is needed), whose result is the same bit for bit on every x86-64,
 * with or without wider vector units. It is a float sum, less exact than kvq_dot (util.h, double
 * accumulation): use kvq_dot where the exact inner product matters, this where speed does. */
#ifndef KVQ_BACKENDS_DOTF_H
#define KVQ_BACKENDS_DOTF_H

#include "kvq/vector_clones.h"
#include <stddef.h>

#define KVQ_DOTF_LANES 16

static inline float kvq_dotf(const float *a, const float *b, size_t n)
{
    float acc[KVQ_DOTF_LANES] = {0};
    size_t j = 0;
    for (; j + KVQ_DOTF_LANES <= n; j += KVQ_DOTF_LANES)
        for (size_t k = 0; k < KVQ_DOTF_LANES; k++) acc[k] += a[j + k] * b[j + k];
    for (size_t k = 0; j < n; j++, k++) acc[k] += a[j] * b[j];
    for (size_t width = KVQ_DOTF_LANES / 2; width > 0; width /= 2)
        for (size_t k = 0; k < width; k++) acc[k] += acc[k + width];
    return acc[0];
}

#endif
