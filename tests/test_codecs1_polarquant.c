/* polarquant (backends/polarquant.c): a row built from scipy's angle codebooks
 * (tests/golden/gen_codecs1.py) decodes exactly and codes to the chosen indices; the relative MSE
 * matches a numpy simulation of the whole codec; the code sizes are the paper's. */
#include "backends/bitpack.h"
#include "backends/wht.h"
#include "codecs1_util.h"

#include <string.h>

/* dim 16, levels 4 (one top radius), 4 bits at level 1, 2 above: build the rotated row from
 * chosen centroids down the polar tree, rotate it back with the codec's rotation (rebuilt from
 * the documented rule), encode and decode. The encoder must find the same angles, so the row
 * comes back to float precision, and the code holds the chosen indices. */
Test(polarquant, row_on_centroids_decodes_exactly)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    const cJSON *books = cJSON_GetObjectItem(cJSON_GetObjectItem(g, "polarquant"), "codebooks");
    const size_t dim = 16;
    const unsigned bits[4] = {4, 2, 2, 2};
    uint8_t chosen[4][8];
    float v[16] = {2.5f}; /* the top radius, exact in f16 */
    for (int level = 3; level >= 0; level--) {
        size_t n;
        double *c = kvq_test_doubles(cJSON_GetArrayItem(books, level), &n);
        size_t pairs = dim >> (level + 1);
        for (size_t i = pairs; i-- > 0;) {
            chosen[level][i] = (uint8_t)((5 * i + 3 * (size_t)level + 1) % n);
            float r = v[i];
            v[2 * i] = r * (float)cos(c[chosen[level][i]]);
            v[2 * i + 1] = r * (float)sin(c[chosen[level][i]]);
        }
        free(c);
    }
    kvq_rotation rot;
    kvq_error err;
    cr_assert_eq(kvq_rotation_init(&rot, dim, 1234, "test", &err), KVQ_OK);
    kvq_rotation_invert(&rot, v);
    kvq_rotation_free(&rot);

    kvq_codec codec;
    codecs1_open(&codec, "polarquant:seed=1234", dim);
    cr_assert_eq(codec.code_bytes, 2 + 6); /* one f16 radius, 32 + 8 + 4 + 2 angle bits */
    float back[16];
    uint8_t *code = codecs1_round_trip(&codec, v, 1, back);
    for (size_t j = 0; j < dim; j++)
        cr_assert_float_eq(back[j], v[j], 1e-5, "coordinate %zu: %g vs %g", j, back[j], v[j]);
    size_t offset = 0;
    for (int level = 0; level < 4; level++) {
        size_t pairs = dim >> (level + 1);
        uint8_t got[8];
        kvq_unpack_bits(code + 2, offset, bits[level], pairs, got);
        cr_assert_eq(memcmp(got, chosen[level], pairs), 0, "level %d indices", level + 1);
        offset += pairs * bits[level];
    }
    free(code);
    kvq_codec_close(&codec);
    cJSON_Delete(g);
}

Test(polarquant, rel_mse_matches_simulation)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    double want = kvq_test_num(cJSON_GetObjectItem(g, "polarquant"), "rel_mse_dim128");
    const size_t n = 1 << 13, dim = 128;
    float *x = kvq_test_gaussian_rows(n, dim, 15);
    double got = codecs1_spec_rel_mse("polarquant", x, n, dim);
    cr_assert_lt(fabs(got / want - 1.0), 0.03, "rel MSE %g, numpy simulation %g", got, want);
    free(x);
    cJSON_Delete(g);
}

/* 3.875 bits per coordinate at d = 128 (paper, section 4); dim 100 pads to 128; levels are capped
 * at log2 of the padded dimension. */
Test(polarquant, code_sizes)
{
    const struct {
        const char *spec;
        size_t dim, bytes;
    } cases[] = {
        {"polarquant", 128, 16 + 46},
        {"polarquant", 100, 16 + 46},
        {"polarquant", 8, 2 + 3},                            /* levels 3: 16 + 4 + 2 bits */
        {"polarquant:levels=7", 128, 2 + 48},                /* 256 + 2 * 63 = 382 bits */
        {"polarquant:levels=2,bits1=3,bits=1", 64, 32 + 14}, /* 96 + 16 bits */
    };
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        kvq_codec codec;
        codecs1_open(&codec, cases[t].spec, cases[t].dim);
        cr_assert_eq(codec.code_bytes, cases[t].bytes, "%s dim %zu: %zu bytes", cases[t].spec,
                     cases[t].dim, codec.code_bytes);
        kvq_codec_close(&codec);
    }
}

Test(polarquant, refused_parameters)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "polarquant", 1, NULL, &err), KVQ_EUNSUPPORTED);
    cr_assert(strstr(err.msg, "dim >= 2"), "%s", err.msg);
    cr_assert_eq(kvq_codec_open(&codec, "polarquant:bits1=9", 16, NULL, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "bits1=9"), "%s", err.msg);
    cr_assert_eq(kvq_codec_open(&codec, "polarquant:levels=0", 16, NULL, &err), KVQ_EINVAL);
}
