/* lloydmax (backends/lloydmax.c): the documented code of a small row, and the relative MSE of
 * N(0,1) rows against the per-coordinate Lloyd–Max error computed by scipy. */
#include "codecs1_util.h"

#include <string.h>

Test(lloydmax, known_answer)
{
    const float row[4] = {1, -1, 1, -1};
    float back[4];
    kvq_codec codec;
    codecs1_open(&codec, "lloydmax:bits=1", 4);
    cr_assert_eq(codec.code_bytes, 5);
    uint8_t *code = codecs1_round_trip(&codec, row, 1, back);
    float rms;
    memcpy(&rms, code, sizeof rms);
    cr_assert_eq(rms, 1.0f);
    cr_assert_eq(code[4], 0x05);
    for (int j = 0; j < 4; j++) cr_assert_float_eq(back[j], row[j] * sqrt(2.0 / acos(-1.0)), 1e-6);
    free(code);
    kvq_codec_close(&codec);
}

/* 2^14 rows of dim 128: within 3% of C_b (a finite row's RMS is itself an estimate, which moves
 * the error by about 1%). */
Test(lloydmax, gaussian_rows_reach_lloyd_max)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    const cJSON *book = cJSON_GetObjectItem(g, "lloyd_gaussian");
    const size_t n = 1 << 14, dim = 128;
    float *x = kvq_test_gaussian_rows(n, dim, 31);
    float *back = malloc(n * dim * sizeof *back);
    for (unsigned bits = 1; bits <= 8; bits++) {
        char spec[64];
        snprintf(spec, sizeof spec, "lloydmax:bits=%u", bits);
        kvq_codec codec;
        codecs1_open(&codec, spec, dim);
        cr_assert_eq(codec.code_bytes, 4 + bits * dim / 8);
        free(codecs1_round_trip(&codec, x, n, back));
        double want = kvq_test_num(cJSON_GetArrayItem(book, (int)bits - 1), "mse");
        double got = codecs1_rel_mse(x, back, n * dim);
        cr_assert_lt(fabs(got / want - 1.0), 0.03, "bits=%u: %g vs %g", bits, got, want);
        kvq_codec_close(&codec);
    }
    free(x);
    free(back);
    cJSON_Delete(g);
}

Test(lloydmax, width_checked)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "lloydmax:bits=9", 16, NULL, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "lloydmax") && strstr(err.msg, "bits=9"), "%s", err.msg);
}
