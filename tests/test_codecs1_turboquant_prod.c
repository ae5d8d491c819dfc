/* turboquant_prod (backends/turboquant_prod.c): the score is unbiased where the first stage alone
 * is not, and the reconstruction (the first stage) has the (b-1)-bit Lloyd–Max error. */
#include "codecs1_util.h"

#include <string.h>

/* 10^5 pairs: 1000 rotations and projections x 100 rows, at the default 3 bits and at 2. The
 * first stage's own inner product <q, x^_mse>, shrunk by the quantizer (E <x^, x> = |x|^2 (1 -
 * C_b)), must fail the same test. */
static void check_unbiased(const char *spec)
{
    codecs1_check_unbiased(spec, codecs1_reconstructed_dot, "first stage alone");
}

Test(turboquant_prod, mean_error_within_three_standard_errors)
{
    check_unbiased("turboquant_prod");
}

Test(turboquant_prod, mean_error_within_three_standard_errors_at_2_bits)
{
    check_unbiased("turboquant_prod:bits=2");
}

/* Unit vectors: the reconstruction is the (b-1)-bit TurboQuant-mse stage, error C_{b-1}. */
Test(turboquant_prod, reconstruction_is_the_first_stage)
{
    cJSON *g = kvq_test_golden("codecs1.json");
    size_t n;
    double *max1960 = kvq_test_doubles(cJSON_GetObjectItem(g, "lloyd_max1960"), &n);
    const size_t rows = 4096, dim = 128;
    float *x = kvq_test_gaussian_rows(rows, dim, 77);
    float *back = malloc(rows * dim * sizeof *back);
    for (unsigned bits = 2; bits <= 4; bits++) {
        char spec[64];
        snprintf(spec, sizeof spec, "turboquant_prod:bits=%u", bits);
        kvq_codec codec;
        codecs1_open(&codec, spec, dim);
        cr_assert_eq(codec.code_bytes, 8 + (bits * dim + 7) / 8);
        free(codecs1_round_trip(&codec, x, rows, back));
        double mse = codecs1_rel_mse(x, back, rows * dim);
        cr_assert_lt(fabs(mse / max1960[bits - 2] - 1.0), 0.05, "bits=%u: %g vs C_%u = %g", bits,
                     mse, bits - 1, max1960[bits - 2]);
        kvq_codec_close(&codec);
    }
    free(x);
    free(back);
    free(max1960);
    cJSON_Delete(g);
}

Test(turboquant_prod, width_checked)
{
    kvq_codec codec;
    kvq_error err;
    cr_assert_eq(kvq_codec_open(&codec, "turboquant_prod:bits=1", 16, NULL, &err), KVQ_EINVAL);
    cr_assert_eq(kvq_codec_open(&codec, "turboquant_prod:bits=10", 16, NULL, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "bits=10"), "%s", err.msg);
}
