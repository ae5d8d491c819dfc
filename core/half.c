/* IEEE binary16 and bfloat16 <-> binary32, round to nearest even (include/kvq/half.h).
 * Known answers (tests/test_half.c): f16(1/3) = 0x3555, bf16(1/3) = 0x3eab, f16(65520) = 0x7c00
 * (ties to even overflows), f16(2^-24) = 0x0001, f16(2^-25) = 0x0000. */
#include "kvq/half.h"

#include <string.h>

uint16_t kvq_f32_to_bf16(float f)
{
    uint32_t u = kvq_float_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

float kvq_bf16_to_f32(uint16_t h)
{
    return kvq_float_of_bits((uint32_t)h << 16);
}

uint16_t kvq_f32_to_f16(float f)
{
    uint32_t u = kvq_float_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a >= 0x7f800000u) /* infinity, or NaN kept quiet */
        return (uint16_t)(sign | 0x7c00u | (a > 0x7f800000u ? 0x0200u : 0u));
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* >= 65520 rounds to infinity */
    if (a < 0x38800000u) {                                   /* below 2^-14: f16 subnormal */
        if (a < 0x33000000u) return sign;                    /* below 2^-25: rounds to zero */
        uint32_t mant = (a & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126u - (a >> 23); /* value / 2^-24 = mant >> shift, shift in 14..24 */
        uint32_t q = mant >> shift;
        uint32_t rem = mant & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1u);
        if (rem > half || (rem == half && (q & 1u))) q++;
        return (uint16_t)(sign | q);
    }
    a += 0xfffu + ((a >> 13) & 1u); /* round to nearest even at bit 13 */
    a -= 0x38000000u;               /* exponent bias 127 -> 15 */
    return (uint16_t)(sign | (a >> 13));
}

float kvq_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu;
    uint32_t m = h & 0x3ffu;
    if (e == 31u) return kvq_float_of_bits(sign | 0x7f800000u | (m << 13));
    if (e != 0u) return kvq_float_of_bits(sign | ((e + 112u) << 23) | (m << 13));
    if (m == 0u) return kvq_float_of_bits(sign);
    e = 113u; /* subnormal: normalise the mantissa */
    while (!(m & 0x400u)) {
        m <<= 1;
        e--;
    }
    return kvq_float_of_bits(sign | (e << 23) | ((m & 0x3ffu) << 13));
}
