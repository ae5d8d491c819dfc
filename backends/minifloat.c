/* Small floating-point formats (backends/minifloat.h). */
#include "minifloat.h"

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

float kvq_minifloat_decode(const kvq_minifloat *f, uint8_t code)
{
    unsigned exponent = (code >> f->mbits) & ((1u << f->ebits) - 1u);
    unsigned mantissa = code & ((1u << f->mbits) - 1u);
    float v = exponent == 0 ? ldexpf((float)mantissa, 1 - f->bias - (int)f->mbits)
                            : ldexpf((float)(mantissa + (1u << f->mbits)),
                                     (int)exponent - f->bias - (int)f->mbits);
    return code >> (f->ebits + f->mbits) & 1u ? -v : v;
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
    return ldexpf(1.0f, (int)code - 127);
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
    for (size_t j = 0; j < n; j++) x[j] = kvq_minifloat_decode(f, codes[j]) * scale;
}

uint8_t kvq_mx_scale(float amax, int emax)
{
    return amax > 0.0f ? kvq_e8m0_of_exponent(kvq_float_exponent(amax) - emax) : 0;
}
