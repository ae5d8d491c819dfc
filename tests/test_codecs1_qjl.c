/* qjl (backends/qjl.c): the estimate is unbiased over the Gaussian projection, the code layout is
 * the documented one, the sketch size is a checked parameter, and the word-at-a-time score kernel
 * (backends/sketch.h) gives the scalar oracle's sums bit for bit. */
#include "backends/bitpack.h"
#include "backends/dotf.h"
#include "backends/sketch.h"
#include "codecs1_util.h"

#include <string.h>

static double without_sqrt_pi_over_2(const kvq_codec *codec, const float *q, const uint8_t *code,
                                     float score)
{
    (void)codec;
    (void)q;
    (void)code;
    return score * sqrt(2.0 / acos(-1.0));
}

/* 10^5 pairs: 1000 projections x 100 rows. The estimate without its sqrt(pi/2) factor, 20% low,
 * must fail the same test, or the test could not fail. */
Test(qjl, mean_error_within_three_standard_errors)
{
    codecs1_check_unbiased("qjl", without_sqrt_pi_over_2, "estimate without sqrt(pi/2)");
}

Test(qjl, code_layout)
{
    kvq_codec codec;
    codecs1_open(&codec, "qjl:bits=3,seed=5", 40);
    cr_assert_eq(codec.code_bytes, 4 + 15); /* f32 norm + 120 sign bits */
    float row[40];
    for (int j = 0; j < 40; j++) row[j] = (float)(j % 7) - 3.0f;
    uint8_t *code = codecs1_round_trip(&codec, row, 1, NULL);
    float norm;
    memcpy(&norm, code, sizeof norm);
    cr_assert_float_eq(norm, sqrt(codecs1_dot(row, row, 40)), 1e-5);
    free(code);
    kvq_codec_close(&codec);
}

/* The estimate scales with the row: the norm multiplies, the signs do not change. */
Test(qjl, scale_equivariant)
{
    kvq_codec codec;
    kvq_error err;
    codecs1_open(&codec, "qjl:seed=9", 64);
    float *rows = kvq_test_gaussian_rows(2, 64, 8);
    for (int j = 0; j < 64; j++) rows[64 + j] = 4.0f * rows[j];
    uint8_t *codes = codecs1_round_trip(&codec, rows, 2, NULL);
    cr_assert_eq(memcmp(codes + 4, codes + codec.code_bytes + 4, codec.code_bytes - 4), 0);
    float *q = kvq_test_gaussian_rows(1, 64, 10), s[2];
    cr_assert_eq(kvq_codec_score(&codec, q, codes, 2, s, &err), KVQ_OK);
    cr_assert_float_eq(s[1], 4.0f * s[0], 1e-4 * fabsf(s[1]) + 1e-6);
    free(rows);
    free(q);
    free(codes);
    kvq_codec_close(&codec);
}

Test(qjl, sketch_size_checked)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "qjl:bits=0", 16, NULL, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "bits=0"), "%s", err.msg);
    cr_assert_eq(kvq_codec_open(&codec, "qjl:bits=17", 16, NULL, &err), KVQ_EINVAL);
    cr_assert_eq(kvq_codec_open(&codec, "qjl:bits=16,seed=1", 8192, NULL, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "131072 x 8192") && strstr(err.msg, "256 MiB"), "%s", err.msg);
    cr_assert_eq(kvq_codec_open(&codec, "qjl", 16, NULL, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "seed=0 needs a random stream"), "%s", err.msg);
}

/* The score kernel against its scalar oracle: the signs unpacked to +-1.0f and dotted with
 * kvq_dotf. Equal bit for bit at every length (whole 16-lane groups and tails) and bit offset,
 * signed zeros included. */
Test(qjl, signed_sum_matches_unpacked_dot)
{
    const size_t lengths[] = {1, 7, 15, 16, 17, 40, 256, 1000};
    kvq_rng rng;
    kvq_rng_seed(&rng, 11, 11);
    float *sq = kvq_test_gaussian_rows(1, 1000, 12), signs[1000];
    sq[3] = 0.0f;
    sq[4] = -0.0f;
    uint8_t bits[140];
    for (size_t i = 0; i < sizeof bits; i++) bits[i] = (uint8_t)kvq_rng_bounded(&rng, 256);
    for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++)
        for (size_t offset = 0; offset < 19; offset++) {
            size_t m = lengths[l];
            kvq_unpack_signs(bits, offset, m, signs);
            float want = kvq_dotf(sq, signs, m), got = kvq_sketch_signed_sum(sq, bits, offset, m);
            cr_assert_eq(memcmp(&want, &got, sizeof got), 0, "m=%zu offset=%zu: %.9g, not %.9g", m,
                         offset, got, want);
        }
    free(sq);
}
