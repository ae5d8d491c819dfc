/* Known answers of the foundation codecs (the values their header comments state), and their
 * relative MSE on N(0,1) rows against the theory integrated by tests/golden/gen_foundation.py. */
#include "kvq/backend.h"
#include "kvq/half.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double rel_mse_of(const char *spec, size_t n, size_t dim)
{
    kvq_codec codec;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    cr_assert_eq(kvq_codec_open(&codec, spec, dim, &rng, &err), KVQ_OK, "%s", err.msg);
    float *rows = kvq_test_gaussian_rows(n, dim, 2024);
    float *back = malloc(n * dim * sizeof *back);
    uint8_t *codes = malloc(n * codec.code_bytes);
    cr_assert_eq(kvq_codec_encode(&codec, rows, n, codes, &err), KVQ_OK);
    cr_assert_eq(kvq_codec_reconstruct(&codec, codes, n, back, &err), KVQ_OK);
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n * dim; i++) {
        num += (double)(rows[i] - back[i]) * (rows[i] - back[i]);
        den += (double)rows[i] * rows[i];
    }
    free(rows);
    free(back);
    free(codes);
    kvq_codec_close(&codec);
    return num / den;
}

Test(known, passthrough_is_exact)
{
    cr_assert_eq(rel_mse_of("passthrough", 512, 128), 0.0);
}

/* 2^16 rows x 128: Monte Carlo error of the relative MSE well under 1%. */
Test(known, bf16_rel_mse_matches_theory)
{
    cJSON *g = kvq_test_golden("foundation.json");
    double want = kvq_test_num(cJSON_GetObjectItem(g, "theory"), "bf16_rel_mse");
    double got = rel_mse_of("bf16", 1 << 16, 128);
    cr_assert_lt(fabs(got / want - 1.0), 0.01, "bf16 rel MSE %g, theory %g", got, want);
    cJSON_Delete(g);
}

Test(known, int8_rel_mse_matches_theory)
{
    cJSON *g = kvq_test_golden("foundation.json");
    double want = kvq_test_num(cJSON_GetObjectItem(g, "theory"), "int8_rel_mse");
    double got = rel_mse_of("int8", 1 << 16, 128);
    cr_assert_lt(fabs(got / want - 1.0), 0.01, "int8 rel MSE %g, theory %g", got, want);
    cJSON_Delete(g);
}

static void encode_one(const char *spec, const float *row, size_t dim, uint8_t *code, size_t *bytes)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, spec, dim, NULL, &err), KVQ_OK, "%s", err.msg);
    *bytes = codec.code_bytes;
    cr_assert_eq(kvq_codec_encode(&codec, row, 1, code, &err), KVQ_OK, "%s", err.msg);
    kvq_codec_close(&codec);
}

Test(known, int8_code_layout)
{
    const float row[4] = {1.0f, -0.5f, 0.25f, 0.0f};
    uint8_t code[8];
    size_t bytes;
    encode_one("int8", row, 4, code, &bytes);
    cr_assert_eq(bytes, 8);
    float scale;
    memcpy(&scale, code, sizeof scale);
    cr_assert_eq(scale, 1.0f / 127.0f);
    cr_assert_eq((int8_t)code[4], 127);
    cr_assert_eq((int8_t)code[5], -64);
    cr_assert_eq((int8_t)code[6], 32);
    cr_assert_eq((int8_t)code[7], 0);
}

Test(known, bf16_code_layout)
{
    const float row[2] = {1.0f / 3.0f, -2.0f};
    uint8_t code[4];
    size_t bytes;
    encode_one("bf16", row, 2, code, &bytes);
    cr_assert_eq(bytes, 4);
    cr_assert_eq(code[0] | code[1] << 8, 0x3eab);
    cr_assert_eq(code[2] | code[3] << 8, 0xc000);
}

Test(known, zero_row_stays_zero)
{
    const float row[4] = {0};
    uint8_t code[8];
    size_t bytes;
    encode_one("int8", row, 4, code, &bytes);
    for (size_t i = 0; i < bytes; i++) cr_assert_eq(code[i], 0);
}
