/* The 1-bit QJL sketch (backends/sketch.h). */
#include "sketch.h"

#include "bitpack.h"
#include "dotf.h"
#include "kvq/rng.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int kvq_sketch_init(kvq_sketch *sk, size_t m, size_t dim, uint64_t seed, const char *codec,
                    kvq_error *err)
{
    if (m > KVQ_SKETCH_MAX_FLOATS / dim)
        return kvq_fail(err, KVQ_ERANGE,
                        "%s: a %zu x %zu Gaussian projection exceeds the %zu MiB kept in memory",
                        codec, m, dim, KVQ_SKETCH_MAX_FLOATS * sizeof(float) >> 20);
    float *s = kvq_state_calloc(codec, m * dim * sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    kvq_rng rng;
    kvq_rng_derive(&rng, seed, "kvq-qjl");
    for (size_t i = 0; i < m * dim; i++) s[i] = (float)kvq_rng_gaussian(&rng);
    sk->m = m;
    sk->dim = dim;
    sk->s = s;
    return KVQ_OK;
}

void kvq_sketch_free(kvq_sketch *sk)
{
    if (!sk) return;
    free(sk->s);
    sk->s = NULL;
}

/* Each row of S is dotted with every vector while it is in cache: S (up to 256 MiB) streams
 * from memory once per call, not once per vector. */
KVQ_VECTOR_CLONES
void kvq_sketch_project(const kvq_sketch *sk, const float *v, size_t count, float *out)
{
    for (size_t i = 0; i < sk->m; i++)
        for (size_t r = 0; r < count; r++)
            out[r * sk->m + i] = kvq_dotf(sk->s + i * sk->dim, v + r * sk->dim, sk->dim);
}

void kvq_sketch_signs(const kvq_sketch *sk, const float *v, float *proj, uint8_t *dst,
                      size_t offset)
{
    kvq_sketch_project(sk, v, 1, proj);
    kvq_pack_signs(proj, sk->m, dst, offset);
}

/* Bit k of the 16-bit word that selects lane k's sign. */
static const uint32_t sketch_lane_bit[KVQ_DOTF_LANES] = {
    1u << 0, 1u << 1, 1u << 2,  1u << 3,  1u << 4,  1u << 5,  1u << 6,  1u << 7,
    1u << 8, 1u << 9, 1u << 10, 1u << 11, 1u << 12, 1u << 13, 1u << 14, 1u << 15,
};

#define SKETCH_SIGN_BIT 0x80000000u

/* The 16 stream bits [bit, bit + 16) of src as a word, bit i of the stream in bit i - bit: reads
 * only the bytes that hold them. */
static uint32_t sketch_bits16(const uint8_t *src, size_t bit)
{
    const uint8_t *p = src + bit / 8;
    unsigned shift = (unsigned)(bit % 8);
    uint32_t word = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    if (shift) word = (word | (uint32_t)p[2] << 16) >> shift;
    return word & 0xffffu;
}

/* v with its sign flipped when bit is 0: the float v * -1.0f, exactly, without a multiply. */
static float sketch_flip(float v, uint32_t bit)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    u ^= bit ? 0u : SKETCH_SIGN_BIT;
    memcpy(&v, &u, sizeof v);
    return v;
}

KVQ_VECTOR_CLONES
float kvq_sketch_signed_sum(const float *sq, const uint8_t *src, size_t offset, size_t m)
{
    float acc[KVQ_DOTF_LANES] = {0};
    size_t j = 0;
    for (; j + KVQ_DOTF_LANES <= m; j += KVQ_DOTF_LANES) {
        uint32_t word = sketch_bits16(src, offset + j);
        for (size_t k = 0; k < KVQ_DOTF_LANES; k++)
            acc[k] += sketch_flip(sq[j + k], word & sketch_lane_bit[k]);
    }
    for (size_t k = 0; j < m; j++, k++) {
        size_t bit = offset + j;
        acc[k] += sketch_flip(sq[j], (uint32_t)(src[bit / 8] >> (bit % 8)) & 1u);
    }
    for (size_t width = KVQ_DOTF_LANES / 2; width > 0; width /= 2)
        for (size_t k = 0; k < width; k++) acc[k] += acc[k + width];
    return acc[0];
}

float kvq_sketch_estimate(const kvq_sketch *sk, const float *sq, float norm, const uint8_t *src,
                          size_t offset)
{
    double scale = sqrt(acos(-1.0) / 2.0) / (double)sk->m;
    return (float)(scale * norm) * kvq_sketch_signed_sum(sq, src, offset, sk->m);
}
