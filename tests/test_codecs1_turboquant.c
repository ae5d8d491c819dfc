/* turboquant (backends/turboquant.c): per-vector MSE of unit vectors against Max's Lloyd–Max
 * errors, at a power of two, between powers of two and on spikes; the code is the documented
 * one; the seed parameter fixes the rotation. */
#include "backends/bitpack.h"
#include "backends/lloyd.h"
#include "backends/wht.h"
#include "codecs1_util.h"

#include <string.h>

/* Mean of |x - x^|^2 over unit rows x (which rows_unit normalises in place). */
static double per_vector_mse(const char *spec, float *rows, size_t n, size_t dim)
{
    for (size_t i = 0; i < n; i++) {
        float *x = rows + i * dim;
        double norm = sqrt(codecs1_dot(x, x, dim));
        for (size_t j = 0; j < dim; j++) x[j] = (float)(x[j] / norm);
    }
    return codecs1_spec_rel_mse(spec, rows, n, dim); /* unit rows: sum |x|^2 = n */
}

/* For |x| = 1 the rotated coordinates are ~ N(0, 1/d), each quantized with error C_b / d by the
 * scaled codebook, so E |x - x^|^2 = d * C_b / d = C_b, the N(0, 1) value of Max (1960). */
static void check_unit_vectors(size_t dim)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    size_t n;
    double *max1960 = kvq_test_doubles(cJSON_GetObjectItem(g, "lloyd_max1960"), &n);
    for (unsigned bits = 1; bits <= 4; bits++) {
        char spec[64];
        snprintf(spec, sizeof spec, "turboquant:bits=%u", bits);
        float *rows = kvq_test_gaussian_rows(4096, dim, 300 + bits);
        double mse = per_vector_mse(spec, rows, 4096, dim);
        cr_log_info("turboquant dim %zu bits=%u: per-vector MSE %.5f, Max 1960 %.5f", dim, bits,
                    mse, max1960[bits - 1]);
        cr_assert_lt(fabs(mse / max1960[bits - 1] - 1.0), 0.05, "dim %zu bits=%u: %g vs %g", dim,
                     bits, mse, max1960[bits - 1]);
        free(rows);
    }
    free(max1960);
    cJSON_Delete(g);
}

Test(turboquant, unit_vectors_reach_lloyd_max_at_128)
{
    check_unit_vectors(128);
}

Test(turboquant, unit_vectors_reach_lloyd_max_between_powers_of_two)
{
    check_unit_vectors(100);
}

/* Spikes e_j are the worst input for a codec without rotation (one coordinate holds all the
 * energy); the three-pass rotation spreads them, so they too land within 5% of C_b (a single
 * H D pass would map them to +-1/sqrt(d) exactly, far from Gaussian). */
Test(turboquant, spikes_are_spread)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    size_t n;
    double *max1960 = kvq_test_doubles(cJSON_GetObjectItem(g, "lloyd_max1960"), &n);
    const size_t dim = 128;
    float *rows = calloc(dim * dim, sizeof *rows);
    for (unsigned bits = 1; bits <= 4; bits++) {
        double mse = 0.0;
        for (uint64_t seed = 1; seed <= 16; seed++) {
            memset(rows, 0, dim * dim * sizeof *rows);
            for (size_t j = 0; j < dim; j++) rows[j * dim + j] = 1.0f;
            char spec[64];
            snprintf(spec, sizeof spec, "turboquant:bits=%u,seed=%llu", bits,
                     (unsigned long long)seed);
            mse += per_vector_mse(spec, rows, dim, dim) / 16.0;
        }
        cr_log_info("turboquant spikes bits=%u: per-vector MSE %.5f, Max 1960 %.5f", bits, mse,
                    max1960[bits - 1]);
        cr_assert_lt(fabs(mse / max1960[bits - 1] - 1.0), 0.05, "bits=%u: %g vs %g", bits, mse,
                     max1960[bits - 1]);
    }
    free(rows);
    free(max1960);
    cJSON_Delete(g);
}

/* The code of one row, rebuilt from the documented parts: f32 norm, then the codebook index of
 * each coordinate of sqrt(d) R x / |x|, 3 bits each. */
Test(turboquant, code_layout)
{
    const size_t dim = 24;
    float *x = kvq_test_gaussian_rows(1, dim, 5);
    kvq_codec codec;
    codecs1_open(&codec, "turboquant:bits=3,seed=99", dim);
    cr_assert_eq(codec.code_bytes, 4 + 9);
    cr_assert_eq(kvq_codec_shared_bytes(&codec), 8);
    uint8_t *code = codecs1_round_trip(&codec, x, 1, NULL);
    kvq_codec_close(&codec);

    kvq_rotation r;
    kvq_lloyd cb;
    kvq_error err;
    cr_assert_eq(kvq_rotation_init(&r, dim, 99, "test", &err), KVQ_OK);
    cr_assert_eq(kvq_lloyd_gaussian(3, &cb, "test", &err), KVQ_OK);
    float y[24], norm;
    memcpy(y, x, sizeof y);
    kvq_rotation_apply(&r, y);
    memcpy(&norm, code, sizeof norm);
    cr_assert_float_eq(norm, sqrt(codecs1_dot(x, x, dim)), 1e-5);
    uint8_t want[24], got[24];
    for (size_t j = 0; j < dim; j++)
        want[j] = (uint8_t)kvq_lloyd_index(&cb, y[j] * (float)(sqrt((double)dim) / norm));
    kvq_unpack_bits(code + 4, 0, 3, dim, got);
    cr_assert_eq(memcmp(want, got, dim), 0);
    kvq_rotation_free(&r);
    free(code);
    free(x);
}

/* seed=N fixes the rotation whatever the instance's stream; seed=0 follows the stream. */
Test(turboquant, seed_parameter_fixes_the_rotation)
{
    float *x = kvq_test_gaussian_rows(8, 64, 6);
    uint8_t *codes[3];
    const uint64_t streams[3] = {1, 2, 2};
    const char *specs[3] = {"turboquant:seed=7", "turboquant:seed=7", "turboquant"};
    size_t bytes = 0;
    for (int k = 0; k < 3; k++) {
        kvq_codec codec;
        kvq_error err;
        kvq_rng rng;
        kvq_rng_seed(&rng, streams[k], 3);
        cr_assert_eq(kvq_codec_open(&codec, specs[k], 64, &rng, &err), KVQ_OK, "%s", err.msg);
        bytes = codec.code_bytes;
        codes[k] = codecs1_round_trip(&codec, x, 8, NULL);
        kvq_codec_close(&codec);
    }
    cr_assert_eq(memcmp(codes[0], codes[1], 8 * bytes), 0);
    cr_assert_neq(memcmp(codes[0], codes[2], 8 * bytes), 0);
    for (int k = 0; k < 3; k++) free(codes[k]);
    free(x);
}

Test(turboquant, width_checked)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "turboquant:bits=9", 16, NULL, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "bits=9") && strstr(err.msg, "8-bit codebook index"), "%s", err.msg);
    cr_assert_eq(kvq_codec_open(&codec, "turboquant:bits=0", 16, NULL, &err), KVQ_EINVAL);
}
