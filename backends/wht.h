/* The fast Walsh–Hadamard transform and the randomised rotation built on it, shared by the
 * rotation codecs (turboquant, turboquant_prod, polarquant, rabitq) and the Kakeya block codec.
 *
 * kvq_wht(x, n) replaces x by H_n x / sqrt(n), where H_n is the Sylvester Hadamard matrix
 * (H_1 = [1], H_2n = [[H_n, H_n], [H_n, -H_n]]), for n a power of two. The scaled transform is
 * orthonormal and symmetric, so it is its own inverse. Known answer: (1, 0, 0, 0) -> (1/2)(1, 1,
 * 1, 1); (1, 2, 3, 4) -> (5, -1, -2, 0).
 *
 * The rotation. For dim d let p be the largest power of two <= d, "head" the coordinates [0, p)
 * and "tail" the coordinates [d - p, d) (the same block when d is a power of two; overlapping
 * blocks otherwise). With D1, D2, D3 diagonal matrices of independent random signs,
 *     R x = W_head D3 W_tail D2 W_head D1 x,
 * where W_block applies kvq_wht to that block and leaves the other coordinates alone. R is
 * orthogonal for every d (a product of orthogonal maps), keeps the dimension (no padding: a code
 * of d coordinates stays d coordinates), costs O(d log d), and every output coordinate depends on
 * every input coordinate: after the tail pass the tail depends on all inputs, and the last head
 * pass mixes the rest with the overlap. Three passes rather than the single H D of QuIP#-style
 * codecs because one pass maps a spike (an outlier channel) to a flat +-1/sqrt(d) pattern,
 * whose coordinates are far from the Gaussian a Lloyd–Max codebook expects; three make them
 * close to Gaussian (tests/test_codecs1_wht.c checks the kurtosis of a rotated spike).
 *
 * The signs are regenerated from a 64-bit seed (pcg32 stream kvq_rng_derive(seed,
 * "kvq-rotation"), bit 31 of successive outputs, D1 first), so a rotation costs KVQ_SEED_BYTES
 * (backends/seed.h) of shared storage, and one seed gives one rotation on every machine.
 */
#ifndef KVQ_BACKENDS_WHT_H
#define KVQ_BACKENDS_WHT_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

/* In place: x <- H_n x / sqrt(n). n must be a power of two (n = 1 leaves x alone). */
void kvq_wht(float *x, size_t n);

/* The largest power of two <= n (n >= 1). */
size_t kvq_pow2_floor(size_t n);

/* The smallest power of two >= n (n >= 1). */
size_t kvq_pow2_ceil(size_t n);

typedef struct kvq_rotation {
    size_t dim;   /* d */
    size_t block; /* p, the largest power of two <= d */
    uint64_t seed;
    float *signs; /* 3 * d values +-1: D1, D2, D3 */
} kvq_rotation;

/* Builds the rotation of dimension dim >= 1 from seed. KVQ_ENOMEM naming codec on failure (then
 * r holds nothing to free). */
int kvq_rotation_init(kvq_rotation *r, size_t dim, uint64_t seed, const char *codec,
                      kvq_error *err);

/* Frees what kvq_rotation_init allocated; r may be zeroed or NULL. */
void kvq_rotation_free(kvq_rotation *r);

/* In place: x <- R x (x holds r->dim floats). Reads r only, so threads may share it. */
void kvq_rotation_apply(const kvq_rotation *r, float *x);

/* In place: x <- R^T x, the inverse of kvq_rotation_apply. */
void kvq_rotation_invert(const kvq_rotation *r, float *x);

#endif
