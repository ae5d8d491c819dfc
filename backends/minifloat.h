/* Small floating-point element and scale formats of the deployed codecs (mxfp4, mxfp8, nvfp4,
 * fp8), as the OCP Microscaling Formats (MX) v1.0 and OCP 8-bit Floating Point (OFP8) v1.0
 * specifications define them:
 *
 *   format  sign exponent mantissa bias  largest  smallest subnormal  specials
 *   E2M1     1      2        1       1      6         0.5              none
 *   E4M3     1      4        3       7    448         2^-9             S.1111.111 is NaN
 *   E5M2     1      5        2      15  57344         2^-16            IEEE infinities and NaNs
 *   E8M0     0      8        0     127  2^127         (2^-127)         0xff is NaN
 *
 * kvq_minifloat_encode rounds a float to the nearest value of the format, ties to even (the
 * conversion of the specifications' "roundTiesToEven" with saturation: magnitudes at or above the
 * largest finite value, infinities included, give the largest finite value, never an infinity or
 * NaN). The sign is kept, also on zero: -0.1 in E2M1 is -0, code 0x8. The encoding of a normal
 * value is the exponent field (unbiased exponent + bias) followed by the mantissa bits; a
 * subnormal has exponent field 0 and the value mantissa * 2^(1 - bias - mbits). Rounding is exact:
 * the magnitude is scaled by a power of two so that its quantum becomes 1 and rounded with rintf
 * (the default rounding mode, to nearest even, is assumed), and a mantissa that rounds up to the
 * next binade carries into the exponent field by plain addition.
 *
 * kvq_minifloat_decode gives the value of any code (NaN and infinity patterns decode as if they
 * were normal numbers, so decoding is always finite; the encoder never writes them).
 *
 * E8M0 is a power of two, 2^(code - 127); kvq_e8m0_of_exponent clamps an exponent to the finite
 * range [-127, 127].
 *
 * Known answers (tests/test_deployed_minifloat.c): E2M1 of 0.75 is 1.0 (code 0x2, the tie goes to
 * the even mantissa), of 2.5 is 2.0 (0x4), of -5 is -4 (0xe), of 7 is 6 (0x7, saturated); E4M3 of
 * 1000 is 448 (0x7e), of 2^-10 is 0 and of 3 * 2^-10 is 2^-8 (0x02); E5M2 of 1e6 is 57344
 * (0x7b). */
#ifndef KVQ_BACKENDS_MINIFLOAT_H
#define KVQ_BACKENDS_MINIFLOAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct kvq_minifloat {
    const char *name; /* "e2m1", "e4m3", "e5m2" */
    unsigned ebits, mbits;
    int bias;
    uint8_t max_code; /* the largest finite magnitude's code, sign bit clear */
} kvq_minifloat;

extern const kvq_minifloat kvq_e2m1, kvq_e4m3, kvq_e5m2;

/* x rounded to the nearest value of f, ties to even, saturating; the code's sign bit is bit
 * ebits + mbits. x must not be NaN. */
uint8_t kvq_minifloat_encode(const kvq_minifloat *f, float x);

/* The value of code in format f. */
float kvq_minifloat_decode(const kvq_minifloat *f, uint8_t code);

/* The largest finite value of f. */
float kvq_minifloat_max(const kvq_minifloat *f);

/* floor(log2(a)) of a finite a > 0, exactly (subnormal floats included). */
int kvq_float_exponent(float a);

/* The E8M0 code of 2^e, e clamped to [-127, 127]. */
uint8_t kvq_e8m0_of_exponent(int e);

/* 2^(code - 127). */
float kvq_e8m0_decode(uint8_t code);

/* codes[j] = the code of x[j] / scale (one float division, then kvq_minifloat_encode); all 0 when
 * scale is 0. */
void kvq_minifloat_encode_scaled(const kvq_minifloat *f, const float *x, size_t n, float scale,
                                 uint8_t *codes);

/* x[j] = the value of codes[j] times scale (one float multiplication). */
void kvq_minifloat_decode_scaled(const kvq_minifloat *f, const uint8_t *codes, size_t n,
                                 float scale, float *x);

/* The OCP MX shared scale of a block whose largest magnitude is amax, for elements whose largest
 * power of two is 2^emax (2 for E2M1, 8 for E4M3): the E8M0 code of 2^(floor(log2(amax)) - emax),
 * the exponent clamped to [-127, 127]; 0 (2^-127) for amax = 0. */
uint8_t kvq_mx_scale(float amax, int emax);

#endif
