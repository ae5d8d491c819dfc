/* Branch-free IEEE half conversions for the inner loops of f16, int4 and polarquant: loops built
 * on them vectorise (no lookup table, no F16C instructions, which the baseline x86-64 lacks), and
 * they inline where a call to core/half.c (the scalar reference, which also handles infinities
 * and NaN) would cost more than the work around it.
 *
 * kvq_half_from_float(f), f finite: round to nearest, ties to even, saturating at +-65504 instead
 * of overflowing to infinity. Normal results round by integer arithmetic on the bit pattern;
 * subnormal ones by adding 0.5f, whose unit in the last place is 2^-24, the f16 subnormal step, so
 * that the FPU's own round-to-nearest-even does the rounding (the default rounding mode is
 * assumed). Both are computed and one is selected by a mask.
 * kvq_half_to_float(h), h finite: the bits shifted into place and multiplied by 2^112, which
 * rebiases the exponent exactly, subnormals included.
 * They agree with core/half.c on every finite input below saturation (tests/test_codecs1_f16.c
 * sweeps them). */
#ifndef KVQ_BACKENDS_HALFVEC_H
#define KVQ_BACKENDS_HALFVEC_H

#include "kvq/half.h"
#include <stdint.h>

#define KVQ_HALF_MAX_BITS 0x477fe000u   /* 65504.0f, the largest finite half */
#define KVQ_HALF_MIN_NORMAL 0x38800000u /* 2^-14 */
#define KVQ_HALF_REBIAS 0x38000000u     /* (127 - 15) << 23 */

static inline uint16_t kvq_half_from_float(float f)
{
    uint32_t u = kvq_float_bits(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t a = u & 0x7fffffffu;
    a = a > KVQ_HALF_MAX_BITS ? KVQ_HALF_MAX_BITS : a;
    uint32_t normal = (a + 0xfffu + ((a >> 13) & 1u) - KVQ_HALF_REBIAS) >> 13;
    uint32_t subnormal = kvq_float_bits(kvq_float_of_bits(a) + 0.5f) - kvq_float_bits(0.5f);
    uint32_t is_subnormal = 0u - (uint32_t)(a < KVQ_HALF_MIN_NORMAL);
    return (uint16_t)(sign | (subnormal & is_subnormal) | (normal & ~is_subnormal));
}

static inline float kvq_half_to_float(uint32_t h)
{
    float magnitude = kvq_float_of_bits((h & 0x7fffu) << 13) * 0x1p112f;
    return kvq_float_of_bits(kvq_float_bits(magnitude) | (h & 0x8000u) << 16);
}

#endif
