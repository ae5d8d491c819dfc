/* Small floating-point formats (backends/minifloat.h). */
#include "minifloat.h"
#include "kvq/half.h"

#include <math.h>

const kvq_minifloat kvq_e2m1 = {"e2m1", 2, 1, 1, 0x7};
const kvq_minifloat kvq_e4m3 = {"e4m3", 4, 3, 7, 0x7e};
const kvq_minifloat kvq_e5m2 = {"e5m2", 5, 2, 15, 0x7b};

int kvq_float_exponent(float a)
{
    int e;
    (void)frexpf(a, &e); /* a = m 2^e, m in [0.5, 1) */
    return e - 1;
}

/* The value of a code, built from its fields without libm so that decoding loops vectorise: a
 * normal value's exponent rebiased into a float's exponent field and its mantissa bits moved to
 * the top of a float's; a subnormal's mantissa times its quantum 2^(1 - bias - mbits), a normal
 * float in every format here, so the product is exact; then the sign bit. Every value is exactly
 * representable in float, so this is the value ldexpf of the same fields gives. */
static inline float minifloat_value(unsigned ebits, unsigned mbits, int bias, unsigned code)
{
    unsigned exponent = (code >> mbits) & ((1u << ebits) - 1u);
    unsigned mantissa = code & ((1u << mbits) - 1u);
    uint32_t sign = (uint32_t)(code >> (ebits + mbits) & 1u) << 31;
    uint32_t normal = (uint32_t)((int)exponent + 127 - bias) << 23 | mantissa << (23 - mbits);
    float quantum = kvq_float_of_bits((uint32_t)(1 - bias - (int)mbits + 127) << 23);
    float magnitude = exponent ? kvq_float_of_bits(normal) : (float)mantissa * quantum;
    return kvq_float_of_bits(kvq_float_bits(magnitude) | sign);
}

float kvq_minifloat_decode(const kvq_minifloat *f, uint8_t code)
{
    return minifloat_value(f->ebits, f->mbits, f->bias, code);
}

float kvq_minifloat_max(const kvq_minifloat *f)
{
    return kvq_minifloat_decode(f, f->max_code);
}

uint8_t kvq_minifloat_encode(const kvq_minifloat *f, float x)
{
    uint8_t sign = signbit(x) ? (uint8_t)(1u << (f->ebits + f->mbits)) : 0;
    float a = fabsf(x);
    if (!(a < kvq_minifloat_max(f))) return sign | f->max_code;
    int emin = 1 - f->bias; /* the exponent of the smallest normal, and the subnormals' scale */
    int e = a > 0.0f ? kvq_float_exponent(a) : emin;
    e = e < emin ? emin : e;
    /* the quantum of a's binade is 2^(e - mbits): scaled to 1, rintf rounds to nearest even */
    unsigned m = (unsigned)rintf(ldexpf(a, (int)f->mbits - e));
    unsigned code = ((unsigned)(e - emin) << f->mbits) + m;
    return sign | (uint8_t)(code > f->max_code ? f->max_code : code);
}

uint8_t kvq_e8m0_of_exponent(int e)
{
    e = e < -127 ? -127 : e > 127 ? 127 : e;
    return (uint8_t)(e + 127);
}

float kvq_e8m0_decode(uint8_t code)
{
    /* 2^(code - 127) is the float with exponent field code; code 0 is the subnormal 2^-127 */
    return kvq_float_of_bits(code ? (uint32_t)code << 23 : 0x00400000u);
}

void kvq_minifloat_encode_scaled(const kvq_minifloat *f, const float *x, size_t n, float scale,
                                 uint8_t *codes)
{
    for (size_t j = 0; j < n; j++)
        codes[j] = scale != 0.0f ? kvq_minifloat_encode(f, x[j] / scale) : 0;
}

void kvq_minifloat_decode_scaled(const kvq_minifloat *f, const uint8_t *codes, size_t n,
                                 float scale, float *x)
{
    unsigned ebits = f->ebits, mbits = f->mbits;
    int bias = f->bias;
    for (size_t j = 0; j < n; j++) x[j] = minifloat_value(ebits, mbits, bias, codes[j]) * scale;
}

uint8_t kvq_mx_scale(float amax, int emax)
{
    return amax > 0.0f ? kvq_e8m0_of_exponent(kvq_float_exponent(amax) - emax) : 0;
}
