/* The small float formats of backends/minifloat.h: the known answers its comment states, and for
 * E2M1, E4M3 and E5M2 exhaustively: every finite code decodes to the value its fields give
 * (derived here from the OFP8 / MX tables of largest and smallest values) and encodes back to
 * itself, every midpoint between neighbours goes to the code with the even mantissa, points just
 * off a midpoint go to the nearer neighbour, and magnitudes from the largest value up (infinity
 * included) saturate. E8M0 and the MX scale exponent at their edges. */
#include "backends/minifloat.h"

#include <criterion/criterion.h>
#include <float.h>
#include <math.h>

static const kvq_minifloat *const formats[] = {&kvq_e2m1, &kvq_e4m3, &kvq_e5m2};

Test(minifloat, known_answers)
{
    cr_assert_eq(kvq_minifloat_encode(&kvq_e2m1, 0.75f), 0x2);
    cr_assert_eq(kvq_minifloat_encode(&kvq_e2m1, 2.5f), 0x4);
    cr_assert_eq(kvq_minifloat_encode(&kvq_e2m1, -5.0f), 0xe);
    cr_assert_eq(kvq_minifloat_encode(&kvq_e2m1, 7.0f), 0x7);
    cr_assert_eq(kvq_minifloat_encode(&kvq_e2m1, -0.1f), 0x8);
    cr_assert_eq(kvq_minifloat_encode(&kvq_e4m3, 1000.0f), 0x7e);
    cr_assert_eq(kvq_minifloat_encode(&kvq_e4m3, 0x1p-10f), 0x00);
    cr_assert_eq(kvq_minifloat_encode(&kvq_e4m3, 0x3p-10f), 0x02);
    cr_assert_eq(kvq_minifloat_encode(&kvq_e5m2, 1e6f), 0x7b);
    cr_assert_eq(kvq_minifloat_max(&kvq_e2m1), 6.0f);
    cr_assert_eq(kvq_minifloat_max(&kvq_e4m3), 448.0f);
    cr_assert_eq(kvq_minifloat_max(&kvq_e5m2), 57344.0f);
    cr_assert_eq(kvq_minifloat_decode(&kvq_e4m3, 0x01), 0x1p-9f);
    cr_assert_eq(kvq_minifloat_decode(&kvq_e5m2, 0x01), 0x1p-16f);
    cr_assert_eq(kvq_minifloat_decode(&kvq_e2m1, 0x01), 0.5f);
}

/* The value of a non-negative code from its fields, written out independently. */
static double field_value(const kvq_minifloat *f, unsigned code)
{
    unsigned e = code >> f->mbits, m = code & ((1u << f->mbits) - 1u);
    double frac = (double)m / (double)(1u << f->mbits);
    return e ? ldexp(1.0 + frac, (int)e - f->bias) : ldexp(frac, 1 - f->bias);
}

Test(minifloat, every_code_round_trips)
{
    for (int k = 0; k < 3; k++) {
        const kvq_minifloat *f = formats[k];
        uint8_t sign = (uint8_t)(1u << (f->ebits + f->mbits));
        for (unsigned c = 0; c <= f->max_code; c++) {
            float v = kvq_minifloat_decode(f, (uint8_t)c);
            cr_assert_eq((double)v, field_value(f, c), "%s %02x", f->name, c);
            cr_assert_eq(kvq_minifloat_encode(f, v), c, "%s %02x", f->name, c);
            cr_assert_eq(kvq_minifloat_decode(f, (uint8_t)(c | sign)), -v);
            cr_assert_eq(kvq_minifloat_encode(f, -v), c | sign, "%s -%02x", f->name, c);
        }
    }
}

/* Every bit pattern, the encoder's NaN and infinity patterns included, decodes to the value of its
 * fields with its sign (negative zero too), alone and scaled by a float multiplication. */
Test(minifloat, every_pattern_decodes_to_its_fields)
{
    for (int k = 0; k < 3; k++) {
        const kvq_minifloat *f = formats[k];
        unsigned sign = 1u << (f->ebits + f->mbits), patterns = 2 * sign;
        uint8_t codes[256];
        float scaled[256];
        for (unsigned c = 0; c < patterns; c++) codes[c] = (uint8_t)c;
        kvq_minifloat_decode_scaled(f, codes, patterns, 0.375f, scaled);
        for (unsigned c = 0; c < patterns; c++) {
            float v = kvq_minifloat_decode(f, (uint8_t)c);
            double want = field_value(f, c & (sign - 1u));
            cr_assert_eq((double)v, c & sign ? -want : want, "%s %02x", f->name, c);
            cr_assert_eq(!!signbit(v), !!(c & sign), "%s %02x: sign", f->name, c);
            float w = (float)(c & sign ? -want : want) * 0.375f;
            cr_assert_eq(scaled[c], w, "%s %02x scaled", f->name, c);
            cr_assert_eq(!!signbit(scaled[c]), !!(c & sign), "%s %02x scaled: sign", f->name, c);
        }
    }
}

Test(minifloat, midpoints_go_to_even_and_large_values_saturate)
{
    for (int k = 0; k < 3; k++) {
        const kvq_minifloat *f = formats[k];
        for (unsigned c = 0; c < f->max_code; c++) {
            float lo = kvq_minifloat_decode(f, (uint8_t)c);
            float hi = kvq_minifloat_decode(f, (uint8_t)(c + 1));
            float mid = (lo + hi) / 2.0f; /* exact: a few bits */
            unsigned even = c % 2 ? c + 1 : c;
            cr_assert_eq(kvq_minifloat_encode(f, mid), even, "%s midpoint of %02x", f->name, c);
            cr_assert_eq(kvq_minifloat_encode(f, nextafterf(mid, 0.0f)), c);
            cr_assert_eq(kvq_minifloat_encode(f, nextafterf(mid, INFINITY)), c + 1);
        }
        float max = kvq_minifloat_max(f);
        const float big[] = {max, nextafterf(max, INFINITY), 2.0f * max, FLT_MAX, INFINITY};
        for (int b = 0; b < 5; b++) {
            cr_assert_eq(kvq_minifloat_encode(f, big[b]), f->max_code, "%s %g", f->name,
                         (double)big[b]);
            cr_assert_eq(kvq_minifloat_encode(f, -big[b]),
                         f->max_code | 1u << (f->ebits + f->mbits));
        }
        cr_assert_eq(kvq_minifloat_encode(f, FLT_TRUE_MIN), 0);
        cr_assert_eq(kvq_minifloat_encode(f, -0.0f), 1u << (f->ebits + f->mbits));
    }
}

Test(minifloat, e8m0_and_mx_scale)
{
    cr_assert_eq(kvq_e8m0_decode(127), 1.0f);
    cr_assert_eq(kvq_e8m0_decode(0), 0x1p-127f);
    cr_assert_eq(kvq_e8m0_decode(254), 0x1p127f);
    for (int c = 0; c < 255; c++) cr_assert_eq(kvq_e8m0_decode((uint8_t)c), ldexpf(1.0f, c - 127));
    cr_assert_eq(kvq_e8m0_of_exponent(-200), 0);
    cr_assert_eq(kvq_e8m0_of_exponent(200), 254);
    cr_assert_eq(kvq_float_exponent(1.0f), 0);
    cr_assert_eq(kvq_float_exponent(nextafterf(2.0f, 0.0f)), 0);
    cr_assert_eq(kvq_float_exponent(FLT_TRUE_MIN), -149);
    cr_assert_eq(kvq_float_exponent(FLT_MAX), 127);
    cr_assert_eq(kvq_mx_scale(6.0f, 2), 127);                /* 2^(2 - 2) */
    cr_assert_eq(kvq_mx_scale(nextafterf(4.0f, 0), 2), 126); /* 2^(1 - 2) */
    cr_assert_eq(kvq_mx_scale(0.0f, 2), 0);
    cr_assert_eq(kvq_mx_scale(FLT_TRUE_MIN, 8), 0); /* 2^-157 clamps to 2^-127 */
    cr_assert_eq(kvq_mx_scale(FLT_MAX, 2), 252);
}
