/* The 1-bit quantized Johnson–Lindenstrauss sketch (QJL: Zandieh, Daliri, Han, "QJL: 1-Bit
 * Quantized JL Transform for KV Cache Quantization with Zero Overhead", arXiv 2406.03482), shared
 * by the qjl and turboquant_prod codecs.
 *
 * S is an m x d matrix of i.i.d. N(0, 1) entries. A vector r is stored as its norm and the m signs
 * of S r; with a query q in full precision,
 *     <q, r>^ = sqrt(pi/2) / m * |r| * <S q, sign(S r)>
 * is unbiased over the draw of S: for each row s of S, E[sign(<s, r>) <s, q>] = sqrt(2/pi) <r,
 * q> / |r| (the Gaussian (s.r, s.q) pair; QJL Lemma 3.2). sign(0) is taken as +1.
 *
 * S is regenerated from a 64-bit seed (pcg32 stream kvq_rng_derive(seed, "kvq-qjl"), GSL's
 * Gaussian ziggurat, row-major), so it costs KVQ_SEED_BYTES of shared storage.
 */
#ifndef KVQ_BACKENDS_SKETCH_H
#define KVQ_BACKENDS_SKETCH_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

typedef struct kvq_sketch {
    size_t m, dim;
    float *s; /* m x dim, row-major */
} kvq_sketch;

/* The largest S kept in memory: 2^26 floats (256 MiB). */
#define KVQ_SKETCH_MAX_FLOATS ((size_t)1 << 26)

/* Draws S (m x dim) from seed. KVQ_ERANGE naming codec, m and dim when S would exceed
 * KVQ_SKETCH_MAX_FLOATS; KVQ_ENOMEM on failure to allocate (then nothing to free). */
int kvq_sketch_init(kvq_sketch *sk, size_t m, size_t dim, uint64_t seed, const char *codec,
                    kvq_error *err);

void kvq_sketch_free(kvq_sketch *sk);

/* out + r m <- S v_r (m floats) for the count vectors v_r = v + r dim. */
void kvq_sketch_project(const kvq_sketch *sk, const float *v, size_t count, float *out);

/* Writes the m sign bits of S v (1 for >= 0) at bit offset of dst (bitpack.h layout; dst zeroed
 * by the caller); proj is scratch for m floats. */
void kvq_sketch_signs(const kvq_sketch *sk, const float *v, float *proj, uint8_t *dst,
                      size_t offset);

/* The estimate of <q, r> from sq = S q, |r| and the sign bits of S r at bit offset of src. */
float kvq_sketch_estimate(const kvq_sketch *sk, const float *sq, float norm, const uint8_t *src,
                          size_t offset);

/* <sq, signs>, signs the m values +-1 of the sign bits at bit offset of src (bitpack.h layout):
 * the same float sum as kvq_dotf(sq, signs, m) with the signs unpacked by kvq_unpack_signs, bit for
 * bit (sq[j] * -1.0f is -sq[j] exactly, and the lanes add in kvq_dotf's order), without unpacking
 * them: each term is sq[j] with its sign bit flipped where the sign bit of the code is 0. Reads
 * only the bytes that hold the m bits. */
float kvq_sketch_signed_sum(const float *sq, const uint8_t *src, size_t offset, size_t m);

#endif
