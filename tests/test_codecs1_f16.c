/* f16 (backends/f16.c): its branch-free conversions against the scalar reference in core/half.c
 * (itself checked against numpy.float16 by test_half.c), every finite half decoded exactly, and
 * the relative MSE on N(0,1) rows against the integral in tests/golden/gen_codecs1.py. */
#include "codecs1_util.h"
#include "kvq/half.h"

#include <string.h>

#define BATCH 4096

static float float_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Encodes values with the codec and compares each code with kvq_f32_to_f16. */
static void check_against_reference(const kvq_codec *codec, const float *v, size_t n)
{
    kvq_error err;
    uint8_t code[2 * BATCH];
    cr_assert_eq(kvq_codec_encode(codec, v, 1, code, &err), KVQ_OK);
    for (size_t i = 0; i < n; i++) {
        uint16_t got = (uint16_t)(code[2 * i] | code[2 * i + 1] << 8);
        cr_assert_eq(got, kvq_f32_to_f16(v[i]), "f32 %a: 0x%04x, reference 0x%04x", (double)v[i],
                     got, kvq_f32_to_f16(v[i]));
    }
}

Test(f16, known_answers)
{
    const float v[8] = {1.0f / 3.0f, -2.0f, 1e6f, -65519.0f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f, 0.0f};
    const uint16_t want[8] = {0x3555, 0xc000, 0x7bff, 0xfbff, 0x0001, 0x0000, 0x0001, 0x0000};
    kvq_codec codec;
    codecs1_open(&codec, "f16", 8);
    uint8_t *code = codecs1_round_trip(&codec, v, 1, NULL);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(code[2 * i] | code[2 * i + 1] << 8, want[i], "value %d", i);
    free(code);
    kvq_codec_close(&codec);
}

/* Below the saturation point: a stride through all f32 patterns, and around every rounding
 * boundary of the halves (the midpoint to the next half and its two f32 neighbours), both signs. */
Test(f16, encode_matches_reference)
{
    kvq_codec codec;
    codecs1_open(&codec, "f16", BATCH);
    float v[BATCH];
    size_t n = 0;
    for (uint32_t u = 0; u < 0x477fe000u; u += 997u) {
        v[n++] = float_of(u);
        v[n++] = -float_of(u);
        if (n == BATCH) {
            check_against_reference(&codec, v, n);
            n = 0;
        }
    }
    for (uint32_t h = 0; h < 0x7bffu; h++) {
        double mid =
            0.5 * ((double)kvq_f16_to_f32((uint16_t)h) + kvq_f16_to_f32((uint16_t)(h + 1)));
        float m = (float)mid;
        const float around[3] = {nextafterf(m, 0.0f), m, nextafterf(m, INFINITY)};
        for (int k = 0; k < 3; k++) {
            v[n++] = around[k];
            v[n++] = -around[k];
        }
        if (n + 6 > BATCH) {
            check_against_reference(&codec, v, n);
            n = 0;
        }
    }
    memset(v + n, 0, (BATCH - n) * sizeof *v);
    check_against_reference(&codec, v, n);
    kvq_codec_close(&codec);
}

/* Every finite half, both signs: encoding its value gives it back, decoding gives the value. */
Test(f16, every_finite_half_round_trips)
{
    const size_t n = 2 * 0x7c00;
    kvq_codec codec;
    codecs1_open(&codec, "f16", n);
    float *v = malloc(n * sizeof *v), *back = malloc(n * sizeof *back);
    for (size_t h = 0; h < 0x7c00; h++) {
        v[2 * h] = kvq_f16_to_f32((uint16_t)h);
        v[2 * h + 1] = kvq_f16_to_f32((uint16_t)(h | 0x8000));
    }
    uint8_t *code = codecs1_round_trip(&codec, v, 1, back);
    for (size_t i = 0; i < n; i++) {
        uint16_t want = (uint16_t)((i / 2) | (i % 2 ? 0x8000 : 0));
        cr_assert_eq(code[2 * i] | code[2 * i + 1] << 8, want, "half 0x%04x", want);
        cr_assert_eq(memcmp(&back[i], &v[i], sizeof *v), 0, "half 0x%04x decodes to %a", want,
                     (double)back[i]);
    }
    free(v);
    free(back);
    free(code);
    kvq_codec_close(&codec);
}

Test(f16, rel_mse_matches_theory)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    double want = kvq_test_num(g, "f16_rel_mse");
    const size_t n = 1 << 15, dim = 128;
    float *x = kvq_test_gaussian_rows(n, dim, 12);
    double got = codecs1_spec_rel_mse("f16", x, n, dim);
    cr_assert_lt(fabs(got / want - 1.0), 0.01, "f16 rel MSE %g, theory %g", got, want);
    free(x);
    cJSON_Delete(g);
}
