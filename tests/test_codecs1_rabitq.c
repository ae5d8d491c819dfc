/* rabitq (backends/rabitq.c): the score is unbiased where the reconstruction's inner product is
 * not; the stored correction is the cosine of the best grid point, checked at 1 bit against its
 * closed form and at more bits against a brute-force search over the whole grid. */
#include "backends/wht.h"
#include "codecs1_util.h"

#include <string.h>

/* 10^5 pairs: 1000 rotations x 100 rows. The reconstruction, |x| <g^, o'> g^, has inner products
 * shrunk by <g^, o'>^2 and must fail the same test. */
static void check_unbiased(const char *spec)
{
    codecs1_check_unbiased(spec, codecs1_reconstructed_dot, "reconstruction");
}

Test(rabitq, mean_error_within_three_standard_errors)
{
    check_unbiased("rabitq");
}

Test(rabitq, mean_error_within_three_standard_errors_extended)
{
    check_unbiased("rabitq:bits=4");
}

/* o' = R x / |x| with the codec's rotation, rebuilt from the documented rule (backends/wht.h). */
static void rotated_unit(const float *x, size_t dim, uint64_t seed, double *o)
{
    kvq_rotation r;
    kvq_error err;
    cr_assert_eq(kvq_rotation_init(&r, dim, seed, "test", &err), KVQ_OK);
    float y[16];
    memcpy(y, x, dim * sizeof *y);
    kvq_rotation_apply(&r, y);
    double norm = sqrt(codecs1_dot(x, x, dim));
    for (size_t j = 0; j < dim; j++) o[j] = y[j] / norm;
    kvq_rotation_free(&r);
}

static float stored_correction(const char *spec, const float *x, size_t dim, uint8_t **code)
{
    kvq_codec codec;
    codecs1_open(&codec, spec, dim);
    *code = codecs1_round_trip(&codec, x, 1, NULL);
    float c;
    memcpy(&c, *code + 4, sizeof c);
    kvq_codec_close(&codec);
    return c;
}

Test(rabitq, one_bit_correction_is_mean_absolute_coordinate)
{
    const size_t dim = 12;
    float *x = kvq_test_gaussian_rows(1, dim, 3);
    double o[16], want = 0.0;
    rotated_unit(x, dim, 21, o);
    for (size_t j = 0; j < dim; j++) want += fabs(o[j]) / sqrt((double)dim);
    uint8_t *code;
    cr_assert_float_eq(stored_correction("rabitq:seed=21", x, dim, &code), want, 1e-6);
    for (size_t j = 0; j < dim; j++) /* code bit j is the sign of o'_j */
        cr_assert_eq((code[8 + j / 8] >> (j % 8)) & 1, o[j] >= 0.0, "bit %zu", j);
    free(code);
    free(x);
}

/* The best cosine between |o'| and a grid point with magnitudes k + 1/2, k < 2^(bits-1), by
 * trying every point (the signs of the best point follow o', so magnitudes suffice). */
static double best_cosine(const double *o, size_t dim, unsigned bits)
{
    unsigned levels = 1u << (bits - 1);
    size_t total = 1;
    for (size_t j = 0; j < dim; j++) total *= levels;
    double best = 0.0;
    for (size_t code = 0; code < total; code++) {
        double dot = 0.0, sq = 0.0;
        size_t rest = code;
        for (size_t j = 0; j < dim; j++, rest /= levels) {
            double g = (double)(rest % levels) + 0.5;
            dot += g * fabs(o[j]);
            sq += g * g;
        }
        best = fmax(best, dot / sqrt(sq));
    }
    return best;
}

Test(rabitq, extended_code_is_the_best_grid_point)
{
    const struct {
        size_t dim;
        unsigned bits;
    } cases[] = {{4, 2}, {5, 3}, {6, 4}, {3, 8}};
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        for (uint64_t seed = 1; seed <= 5; seed++) {
            size_t dim = cases[t].dim;
            float *x = kvq_test_gaussian_rows(1, dim, 100 + seed);
            double o[16];
            rotated_unit(x, dim, seed, o);
            char spec[64];
            snprintf(spec, sizeof spec, "rabitq:bits=%u,seed=%llu", cases[t].bits,
                     (unsigned long long)seed);
            uint8_t *code;
            double got = stored_correction(spec, x, dim, &code);
            double want = best_cosine(o, dim, cases[t].bits);
            cr_assert_float_eq(got, want, 1e-6, "%s dim %zu: correction %.9f, best %.9f", spec, dim,
                               got, want);
            free(code);
            free(x);
        }
    }
}

Test(rabitq, zero_row_scores_zero)
{
    kvq_codec codec;
    kvq_error err;
    codecs1_open(&codec, "rabitq:bits=2", 8);
    float zero[8] = {0}, q[8] = {1, 2, 3, 4, 5, 6, 7, 8}, s, back[8];
    uint8_t *code = codecs1_round_trip(&codec, zero, 1, back);
    cr_assert_eq(kvq_codec_score(&codec, q, code, 1, &s, &err), KVQ_OK);
    cr_assert_eq(s, 0.0f);
    for (int j = 0; j < 8; j++) cr_assert_eq(back[j], 0.0f);
    free(code);
    kvq_codec_close(&codec);
}

Test(rabitq, width_checked)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "rabitq:bits=9", 16, NULL, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "bits=9") && strstr(err.msg, "8-bit code"), "%s", err.msg);
}
