/* 16-bit float conversions shared by codecs (f16, bf16) and loaders (safetensors F16/BF16, npy
 * <f2). f32 -> 16 bit rounds to nearest, ties to even; NaN stays NaN (quiet), infinities stay
 * infinite, f16 overflow (|x| >= 65520) becomes infinity, f16 subnormals are produced and read
 * exactly. */
#ifndef KVQ_HALF_H
#define KVQ_HALF_H

#include <stdint.h>
#include <string.h>

/* The bits of a float, and the float of 32 bits (IEEE binary32), without aliasing. */
static inline uint32_t kvq_float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float kvq_float_of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

uint16_t kvq_f32_to_bf16(float f);
float kvq_bf16_to_f32(uint16_t h);
uint16_t kvq_f32_to_f16(float f);
float kvq_f16_to_f32(uint16_t h);

#endif
