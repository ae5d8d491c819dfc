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

#include <stddef.h>

#define KVQ_DOTF_LANES 16

/* Marks a hot loop to be compiled twice, for the x86-64 baseline (SSE2) and for x86-64-v3 (AVX2),
 * the copy chosen once at load time by the CPU it runs on (GCC function multiversioning,
 * target_clones, through an ifunc). The default build stays runnable on any x86-64, without
 * -march=native. Results are the same bit for bit on both copies: each lane does the same float
 * operations in the same order, and ISO C mode (-std=c11) keeps GCC from contracting a * b + c
 * into an FMA. Elsewhere (other compilers or architectures) it expands to nothing. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define KVQ_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define KVQ_VECTOR_CLONES
#endif

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
