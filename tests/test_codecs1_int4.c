/* int4 (backends/int4.c): the documented code of one group, the relative MSE against a numpy
 * simulation of ggml's Q4_0 (tests/golden/gen_codecs1.py), a short last group, saturation, and
 * the group parameter's checks. */
#include "codecs1_util.h"

#include <string.h>

Test(int4, known_answer)
{
    const float row[4] = {-8.0f, 4.0f, 1.0f, 0.4f};
    float back[4];
    kvq_codec codec;
    codecs1_open(&codec, "int4:group=4", 4);
    cr_assert_eq(codec.code_bytes, 4);
    uint8_t *code = codecs1_round_trip(&codec, row, 1, back);
    const uint8_t want[4] = {0x00, 0x3c, 0x90, 0x8c};
    cr_assert_eq(memcmp(code, want, 4), 0, "%02x %02x %02x %02x", code[0], code[1], code[2],
                 code[3]);
    const float decoded[4] = {-8.0f, 4.0f, 1.0f, 0.0f};
    for (int j = 0; j < 4; j++) cr_assert_eq(back[j], decoded[j]);
    free(code);
    kvq_codec_close(&codec);
}

static void check_rel_mse(const char *spec, const char *key)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    double want = kvq_test_num(cJSON_GetObjectItem(g, "int4_rel_mse"), key);
    const size_t n = 1 << 14, dim = 128;
    float *x = kvq_test_gaussian_rows(n, dim, 13);
    double got = codecs1_spec_rel_mse(spec, x, n, dim);
    cr_assert_lt(fabs(got / want - 1.0), 0.02, "%s rel MSE %g, numpy Q4_0 %g", spec, got, want);
    free(x);
    cJSON_Delete(g);
}

Test(int4, rel_mse_matches_q4_0)
{
    check_rel_mse("int4", "group32");
    check_rel_mse("int4:group=128", "group128");
}

/* dim 37 with group 16: groups of 16, 16 and 5; the last has 3 bytes, its sixth nibble zero. */
Test(int4, short_last_group)
{
    float *x = kvq_test_gaussian_rows(1, 37, 14), back[37];
    kvq_codec codec;
    codecs1_open(&codec, "int4:group=16", 37);
    cr_assert_eq(codec.code_bytes, 2 * (2 + 8) + 2 + 3);
    uint8_t *code = codecs1_round_trip(&codec, x, 1, back);
    cr_assert_eq(code[codec.code_bytes - 1] >> 4, 0);
    cr_assert_lt(codecs1_rel_mse(x, back, 37), 0.05);
    free(code);
    free(x);
    kvq_codec_close(&codec);
}

Test(int4, huge_values_saturate_the_scale)
{
    const float row[2] = {1e7f, -3.0f};
    float back[2];
    kvq_codec codec;
    codecs1_open(&codec, "int4:group=2", 2);
    uint8_t *code = codecs1_round_trip(&codec, row, 1, back);
    cr_assert_eq(code[0] | code[1] << 8, 0xfbff); /* -65504: 1e7 / -8 clipped */
    cr_assert_eq(back[0], 8.0f * 65504.0f);
    cr_assert(isfinite(back[1]));
    free(code);
    kvq_codec_close(&codec);
}

Test(int4, group_checked)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "int4:group=7", 16, NULL, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "group=7") && strstr(err.msg, "even"), "%s", err.msg);
    cr_assert_eq(kvq_codec_open(&codec, "int4:group=8192", 16, NULL, &err), KVQ_EINVAL);
}
