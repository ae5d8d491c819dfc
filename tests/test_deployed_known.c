/* The deployed formats (backends/q8_0.c ... nf4.c): the known answer each file's opening comment
 * states, derived by hand from the format's description (bytes and decoded values of a small
 * block), the code sizes of the deployed layouts, dimensions that are not a multiple of the block
 * refused at create with the block size named, the per-tensor scales of fp8 and nvfp4 (refused
 * before fit, shared bytes, saturation beyond the fitted range) and fp8's parameters. */
#include "kvq/backend.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIM 64

static void open_codec(kvq_codec *codec, const char *spec, size_t dim)
{
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    cr_assert_eq(kvq_codec_open(codec, spec, dim, &rng, &err), KVQ_OK, "%s: %s", spec, err.msg);
}

/* Encodes the row of dim (fitting on it first when fit is set) and checks the code against the
 * nbytes bytes of want followed by zeros, and the decoded row against decoded[0..ndecoded)
 * followed by `rest` (the value the remaining coordinates decode to). */
static void check_known(const char *spec, const float *row, size_t dim, int fit,
                        const uint8_t *want, size_t nbytes, size_t code_bytes, const float *decoded,
                        size_t ndecoded, float rest)
{
    kvq_codec codec;
    kvq_error err;
    open_codec(&codec, spec, dim);
    cr_assert_eq(codec.code_bytes, code_bytes, "%s: %zu bytes a row", spec, codec.code_bytes);
    if (fit) cr_assert_eq(kvq_codec_fit(&codec, row, 1, NULL, &err), KVQ_OK, "%s", err.msg);
    uint8_t code[4 + 2 * MAX_DIM];
    float back[MAX_DIM];
    cr_assert_eq(kvq_codec_encode(&codec, row, 1, code, &err), KVQ_OK, "%s: %s", spec, err.msg);
    for (size_t b = 0; b < code_bytes; b++) {
        uint8_t expect = b < nbytes ? want[b] : 0;
        cr_assert_eq(code[b], expect, "%s: byte %zu is %02x, expected %02x", spec, b, code[b],
                     expect);
    }
    cr_assert_eq(kvq_codec_reconstruct(&codec, code, 1, back, &err), KVQ_OK);
    for (size_t j = 0; j < dim; j++) {
        float expect = j < ndecoded ? decoded[j] : rest;
        cr_assert_eq(back[j], expect, "%s: coordinate %zu decodes to %.9g, expected %.9g", spec, j,
                     (double)back[j], (double)expect);
    }
    kvq_codec_close(&codec);
}

Test(deployed_known, q8_0)
{
    float row[32] = {127.0f, -63.5f, 0.5f};
    const uint8_t want[] = {0x00, 0x3c, 0x7f, 0xc0, 0x01};
    const float decoded[] = {127.0f, -64.0f, 1.0f};
    check_known("q8_0", row, 32, 0, want, sizeof want, 34, decoded, 3, 0.0f);
}

Test(deployed_known, q4_0)
{
    float row[32] = {-8.0f, 4.0f, 1.0f, 0.4f};
    uint8_t want[18] = {0x00, 0x3c, 0x80, 0x8c, 0x89};
    memset(want + 5, 0x88, sizeof want - 5);
    const float decoded[] = {-8.0f, 4.0f, 1.0f, 0.0f};
    check_known("q4_0", row, 32, 0, want, sizeof want, 18, decoded, 4, 0.0f);
}

Test(deployed_known, q4_1)
{
    float row[32] = {-1.0f, 14.0f, 6.4f};
    uint8_t want[20] = {0x00, 0x3c, 0x00, 0xbc, 0x10, 0x1f, 0x17};
    memset(want + 7, 0x11, sizeof want - 7);
    const float decoded[] = {-1.0f, 14.0f, 6.0f};
    check_known("q4_1", row, 32, 0, want, sizeof want, 20, decoded, 3, 0.0f);
}

Test(deployed_known, q5_0)
{
    float row[32] = {-16.0f, 8.0f, 1.0f};
    const uint8_t want[] = {0x00, 0x3c, 0xfe, 0xff, 0xff, 0xff, 0x00, 0x08, 0x01};
    const float decoded[] = {-16.0f, 8.0f, 1.0f};
    check_known("q5_0", row, 32, 0, want, sizeof want, 22, decoded, 3, 0.0f);
}

Test(deployed_known, q5_1)
{
    float row[32] = {-1.0f, 30.0f, 2.2f};
    uint8_t want[24] = {0x00, 0x3c, 0x00, 0xbc, 0x02, 0x00, 0x00, 0x00, 0x10, 0x1f, 0x13};
    memset(want + 11, 0x11, sizeof want - 11);
    const float decoded[] = {-1.0f, 30.0f, 2.0f};
    check_known("q5_1", row, 32, 0, want, sizeof want, 24, decoded, 3, 0.0f);
}

/* The trial scales (t - 127) / 1 code (1, 0.5) as (-127, -65): sum w q x = -127 - 0.25 * 65 * 0.5
 * = -135.125 and sum w q^2 = 16129 + 0.25 * 4225 = 17185.25, whose square ratio 1.06247 beats the
 * first codes' 121.625^2 / 13959.25 = 1.05970; d = -135.125 / 17185.25 = -0.0078628 rounds to the
 * half 0xa007 = -(1 + 7/1024) 2^-7. */
Test(deployed_known, iq4_nl)
{
    float row[32] = {1.0f, 0.5f};
    uint8_t want[18] = {0x07, 0xa0, 0x80, 0x83};
    memset(want + 4, 0x88, sizeof want - 4);
    const float d = -(1.0f + 7.0f / 1024.0f) / 128.0f;
    const float decoded[] = {d * -127.0f, d * -65.0f};
    check_known("iq4_nl", row, 32, 0, want, sizeof want, 18, decoded, 2, d * 1.0f);
}

Test(deployed_known, mxfp4)
{
    float row[32] = {7.0f, -0.75f, 2.5f, 0.1f, -0.1f, 5.0f};
    const uint8_t want[] = {0x7f, 0x07, 0x0a, 0x04, 0x00, 0x08, 0x06};
    const float decoded[] = {6.0f, -1.0f, 2.0f, 0.0f, -0.0f, 4.0f};
    check_known("mxfp4", row, 32, 0, want, sizeof want, 17, decoded, 6, 0.0f);
    /* -0.1 decodes to -0 */
    kvq_codec codec;
    kvq_error err;
    uint8_t code[17];
    float back[32];
    open_codec(&codec, "mxfp4", 32);
    cr_assert_eq(kvq_codec_encode(&codec, row, 1, code, &err), KVQ_OK);
    cr_assert_eq(kvq_codec_reconstruct(&codec, code, 1, back, &err), KVQ_OK);
    cr_assert(signbit(back[4]) && !signbit(back[3]));
    kvq_codec_close(&codec);
}

Test(deployed_known, mxfp8)
{
    float row[32] = {448.0f, -3.0f / 1024.0f, 17.0f};
    const uint8_t want[] = {0x7f, 0x7e, 0x82, 0x58};
    const float decoded[] = {448.0f, -1.0f / 256.0f, 16.0f};
    check_known("mxfp8", row, 32, 0, want, sizeof want, 33, decoded, 3, 0.0f);
}

Test(deployed_known, nvfp4)
{
    float row[32] = {2688.0f, 336.0f, -1120.0f};
    row[16] = 3.0f;
    row[17] = 1.0f;
    uint8_t want[18] = {0x7e, 0x07, 0x02, 0x0c};
    want[9] = 0x30;
    want[10] = 0x07;
    want[11] = 0x04;
    float decoded[18] = {2688.0f, 448.0f, -896.0f};
    decoded[16] = 3.0f;
    decoded[17] = 1.0f;
    check_known("nvfp4", row, 32, 1, want, sizeof want, 18, decoded, 18, 0.0f);
}

Test(deployed_known, nf4)
{
    float row[64] = {2.0f, -1.0f, 0.1f};
    uint8_t want[36] = {0x00, 0x00, 0x00, 0x40, 0xf2, 0x87};
    memset(want + 6, 0x77, sizeof want - 6);
    const float decoded[] = {2.0f, -0.5250730514526367f * 2.0f, 0.07958029955625534f * 2.0f};
    check_known("nf4", row, 64, 0, want, sizeof want, 36, decoded, 3, 0.0f);
}

Test(deployed_known, fp8)
{
    const float row[4] = {896.0f, -2.0f, 1.0f, 0.01f};
    const uint8_t e4m3[] = {0x00, 0x00, 0x00, 0x40, 0x7e, 0xb8, 0x30, 0x03};
    const float e4m3_decoded[] = {896.0f, -2.0f, 1.0f, 0.01171875f};
    check_known("fp8", row, 4, 0, e4m3, sizeof e4m3, 8, e4m3_decoded, 4, 0.0f);
    const uint8_t e5m2[] = {0x00, 0x00, 0x80, 0x3c, 0x7b, 0xd8, 0x54, 0x39};
    const float e5m2_decoded[] = {896.0f, -2.0f, 1.0f, 0.625f / 64.0f};
    check_known("fp8:format=e5m2", row, 4, 0, e5m2, sizeof e5m2, 8, e5m2_decoded, 4, 0.0f);
    /* fitted on the row itself, the tensor scale is the row's: the same elements without it */
    check_known("fp8:scale=tensor", row, 4, 1, e4m3 + 4, 4, 4, e4m3_decoded, 4, 0.0f);
}

typedef struct layout {
    const char *spec;
    size_t block, block_bytes, shared;
} layout;

static const layout layouts[] = {
    {"q8_0", 32, 34, 0}, {"q4_0", 32, 18, 0},   {"q4_1", 32, 20, 0},  {"q5_0", 32, 22, 0},
    {"q5_1", 32, 24, 0}, {"iq4_nl", 32, 18, 0}, {"mxfp4", 32, 17, 0}, {"mxfp8", 32, 33, 0},
    {"nvfp4", 16, 9, 4}, {"nf4", 64, 36, 0},
};

/* bytes_per_row is the deployed size: blocks of the documented bytes, nothing added. */
Test(deployed_known, sizes)
{
    const size_t dims[] = {64, 128, 256, 4096};
    for (size_t c = 0; c < sizeof layouts / sizeof *layouts; c++)
        for (size_t t = 0; t < sizeof dims / sizeof *dims; t++) {
            kvq_codec codec;
            open_codec(&codec, layouts[c].spec, dims[t]);
            cr_assert_eq(codec.code_bytes, dims[t] / layouts[c].block * layouts[c].block_bytes,
                         "%s at dim %zu", layouts[c].spec, dims[t]);
            cr_assert_eq(kvq_codec_shared_bytes(&codec), layouts[c].shared, "%s", layouts[c].spec);
            kvq_codec_close(&codec);
        }
    const size_t fp8_dims[] = {1, 3, 100, 128};
    for (size_t t = 0; t < sizeof fp8_dims / sizeof *fp8_dims; t++) {
        size_t d = fp8_dims[t];
        kvq_codec codec;
        open_codec(&codec, "fp8", d);
        cr_assert_eq(codec.code_bytes, 4 + d);
        cr_assert_eq(kvq_codec_shared_bytes(&codec), 0);
        kvq_codec_close(&codec);
        open_codec(&codec, "fp8:format=e5m2,scale=tensor", d);
        cr_assert_eq(codec.code_bytes, d);
        cr_assert_eq(kvq_codec_shared_bytes(&codec), 4);
        kvq_codec_close(&codec);
    }
}

Test(deployed_known, dimension_not_a_multiple_of_the_block_refused)
{
    for (size_t c = 0; c < sizeof layouts / sizeof *layouts; c++) {
        kvq_codec codec;
        kvq_error err;
        size_t dim = layouts[c].block * 3 + 4;
        char want[128];
        snprintf(want, sizeof want, "%s: dim %zu is not a multiple of the block size %zu",
                 layouts[c].spec, dim, layouts[c].block);
        cr_assert_eq(kvq_codec_open(&codec, layouts[c].spec, dim, NULL, &err), KVQ_EINVAL);
        cr_assert_str_eq(err.msg, want);
    }
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "q4_0", 100, NULL, &err), KVQ_EINVAL);
    cr_assert_str_eq(err.msg, "q4_0: dim 100 is not a multiple of the block size 32");
}

Test(deployed_known, tensor_scale_needs_fit)
{
    const char *specs[] = {"nvfp4", "fp8:scale=tensor"};
    for (int k = 0; k < 2; k++) {
        kvq_codec codec;
        kvq_error err;
        float row[32] = {1.0f};
        uint8_t code[64];
        open_codec(&codec, specs[k], 32);
        cr_assert_eq(kvq_codec_encode(&codec, row, 1, code, &err), KVQ_EINVAL);
        cr_assert(strstr(err.msg, "before fit"), "%s", err.msg);
        kvq_codec_close(&codec);
    }
}

/* A row twice the fitted range saturates at the largest value the tensor scale reaches. */
Test(deployed_known, tensor_scale_saturates)
{
    float fitted[32] = {448.0f, 1.0f}, wide[32] = {896.0f, -1000.0f, 1.0f}, back[32];
    uint8_t code[32];
    kvq_codec codec;
    kvq_error err;
    open_codec(&codec, "fp8:scale=tensor", 32);
    cr_assert_eq(kvq_codec_fit(&codec, fitted, 1, NULL, &err), KVQ_OK);
    cr_assert_eq(kvq_codec_encode(&codec, wide, 1, code, &err), KVQ_OK);
    cr_assert_eq(kvq_codec_reconstruct(&codec, code, 1, back, &err), KVQ_OK);
    cr_assert_eq(back[0], 448.0f);
    cr_assert_eq(back[1], -448.0f);
    cr_assert_eq(back[2], 1.0f);
    kvq_codec_close(&codec);

    open_codec(&codec, "nvfp4", 32);
    cr_assert_eq(kvq_codec_fit(&codec, fitted, 1, NULL, &err), KVQ_OK);
    cr_assert_eq(kvq_codec_encode(&codec, wide, 1, code, &err), KVQ_OK);
    cr_assert_eq(code[0], 0x7e); /* the block scale saturated at 448 */
    cr_assert_eq(kvq_codec_reconstruct(&codec, code, 1, back, &err), KVQ_OK);
    cr_assert_eq(back[0], 448.0f);
    cr_assert_eq(back[1], -448.0f);
    kvq_codec_close(&codec);
}

Test(deployed_known, fp8_parameters_checked)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "fp8:format=e3m4", 8, NULL, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "format=e3m4"), "%s", err.msg);
    cr_assert_eq(kvq_codec_open(&codec, "fp8:scale=block", 8, NULL, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "scale=block"), "%s", err.msg);
}

/* Zero blocks decode to zeros (q8_0 ... nf4); iq4_nl's table has no 0, its zero block d = 0. */
Test(deployed_known, zero_rows)
{
    for (size_t c = 0; c < sizeof layouts / sizeof *layouts; c++) {
        kvq_codec codec;
        kvq_error err;
        float row[64] = {0}, back[64];
        uint8_t code[128];
        open_codec(&codec, layouts[c].spec, 64);
        if (layouts[c].shared)
            cr_assert_eq(kvq_codec_fit(&codec, row, 1, NULL, &err), KVQ_OK, "%s", err.msg);
        cr_assert_eq(kvq_codec_encode(&codec, row, 1, code, &err), KVQ_OK);
        cr_assert_eq(kvq_codec_reconstruct(&codec, code, 1, back, &err), KVQ_OK);
        for (int j = 0; j < 64; j++)
            cr_assert_eq(back[j], 0.0f, "%s: %g", layouts[c].spec, (double)back[j]);
        kvq_codec_close(&codec);
    }
}
