/* KVQ_VECTOR_CLONES marks a hot loop to be compiled twice, for the x86-64 baseline (SSE2) and for
 * x86-64-v3 (AVX2), the copy chosen once at load time by the CPU it runs on (GCC function
 * multiversioning, target_clones, through an ifunc). The default build stays runnable on any
 * x86-64, without -march=native. Results are the same bit for bit on both copies when each lane
 * does the same float operations in the same order, and ISO C mode (-std=c11) keeps GCC from
 * contracting a * b + c into an FMA. Elsewhere (other compilers or architectures) it expands to
 * nothing. */
#ifndef KVQ_VECTOR_CLONES_H
#define KVQ_VECTOR_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define KVQ_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define KVQ_VECTOR_CLONES
#endif

#endif
