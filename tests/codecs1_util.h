/* Helpers shared by the codecs-I tests (tests/test_codecs1_*.c). */
#ifndef KVQ_TESTS_CODECS1_UTIL_H
#define KVQ_TESTS_CODECS1_UTIL_H

#include "kvq/backend.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void codecs1_open(kvq_codec *codec, const char *spec, size_t dim)
{
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 17, 17);
    gsl_set_error_handler_off();
    cr_assert_eq(kvq_codec_open(codec, spec, dim, &rng, &err), KVQ_OK, "%s: %s", spec, err.msg);
}

/* Encodes the n rows and decodes them into back; returns the codes (caller frees). */
static inline uint8_t *codecs1_round_trip(const kvq_codec *codec, const float *rows, size_t n,
                                          float *back)
{
    kvq_error err;
    uint8_t *codes = malloc(n * codec->code_bytes);
    cr_assert_not_null(codes);
    cr_assert_eq(kvq_codec_encode(codec, rows, n, codes, &err), KVQ_OK, "%s", err.msg);
    if (back)
        cr_assert_eq(kvq_codec_reconstruct(codec, codes, n, back, &err), KVQ_OK, "%s", err.msg);
    return codes;
}

/* sum |x - y|^2 / sum |x|^2. */
static inline double codecs1_rel_mse(const float *x, const float *y, size_t count)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < count; i++) {
        num += ((double)x[i] - y[i]) * ((double)x[i] - y[i]);
        den += (double)x[i] * x[i];
    }
    return num / den;
}

/* The relative MSE of codec `spec` (dim coordinates) on n rows: encode, reconstruct, compare. */
static inline double codecs1_spec_rel_mse(const char *spec, const float *rows, size_t n, size_t dim)
{
    kvq_codec codec;
    codecs1_open(&codec, spec, dim);
    float *back = malloc(n * dim * sizeof *back);
    free(codecs1_round_trip(&codec, rows, n, back));
    double mse = codecs1_rel_mse(rows, back, n * dim);
    free(back);
    kvq_codec_close(&codec);
    return mse;
}

static inline double codecs1_dot(const float *a, const float *b, size_t n)
{
    double s = 0.0;
    for (size_t j = 0; j < n; j++) s += (double)a[j] * b[j];
    return s;
}

/* A second estimate of <q, x> from the same code, known to be biased, to show that the test
 * below can tell: it gets the codec, the query, the code and the codec's own score. */
typedef double (*codecs1_other_estimate)(const kvq_codec *codec, const float *q,
                                         const uint8_t *code, float score);

/* <q, reconstruct(code)> in double. */
static inline double codecs1_reconstructed_dot(const kvq_codec *codec, const float *q,
                                               const uint8_t *code, float score)
{
    (void)score;
    kvq_error err;
    float *x = malloc(codec->dim * sizeof *x);
    cr_assert_eq(kvq_codec_reconstruct(codec, code, 1, x, &err), KVQ_OK);
    double s = codecs1_dot(q, x, codec->dim);
    free(x);
    return s;
}

typedef struct codecs1_bias {
    double mean, se;             /* of score - <q, x> */
    double other_mean, other_se; /* of the other estimate - <q, x> */
} codecs1_bias;

/* The mean error of a codec's inner-product estimate over instances x pairs query-row pairs.
 * Unbiasedness is a property over the random rotation/projection, so each instance is a fresh
 * codec (seed=1..instances, spec "<spec>,seed=k"), scoring `pairs` rows; the standard error comes
 * from the spread of the instance means, which holds whatever the within-instance correlation.
 * Rows x ~ N(0, I); queries q = 0.6 x + 0.8 z, z ~ N(0, I), so that <q, x> averages 0.6 dim and a
 * multiplicative bias shows (with independent queries every estimate would average 0). */
static inline codecs1_bias codecs1_mean_error(const char *spec, size_t dim, size_t instances,
                                              size_t pairs, codecs1_other_estimate other)
{
    double sum = 0.0, sum2 = 0.0, osum = 0.0, osum2 = 0.0;
    float *q = malloc(pairs * dim * sizeof *q);
    for (size_t k = 1; k <= instances; k++) {
        float *x = kvq_test_gaussian_rows(pairs, dim, 2 * k);
        float *z = kvq_test_gaussian_rows(pairs, dim, 2 * k + 1);
        for (size_t i = 0; i < pairs * dim; i++) q[i] = 0.6f * x[i] + 0.8f * z[i];
        char full[128];
        snprintf(full, sizeof full, "%s%cseed=%zu", spec, strchr(spec, ':') ? ',' : ':', k);
        kvq_codec codec;
        kvq_error err;
        codecs1_open(&codec, full, dim);
        uint8_t *codes = codecs1_round_trip(&codec, x, pairs, NULL);
        double mean = 0.0, omean = 0.0;
        for (size_t i = 0; i < pairs; i++) {
            const float *qi = q + i * dim;
            const uint8_t *code = codes + i * codec.code_bytes;
            float score;
            cr_assert_eq(kvq_codec_score(&codec, qi, code, 1, &score, &err), KVQ_OK);
            double exact = codecs1_dot(qi, x + i * dim, dim);
            mean += (score - exact) / (double)pairs;
            omean += (other(&codec, qi, code, score) - exact) / (double)pairs;
        }
        sum += mean;
        sum2 += mean * mean;
        osum += omean;
        osum2 += omean * omean;
        free(codes);
        free(x);
        free(z);
        kvq_codec_close(&codec);
    }
    free(q);
    double m = (double)instances;
    codecs1_bias b;
    b.mean = sum / m;
    b.se = sqrt((sum2 / m - b.mean * b.mean) / (m - 1.0));
    b.other_mean = osum / m;
    b.other_se = sqrt((osum2 / m - b.other_mean * b.other_mean) / (m - 1.0));
    return b;
}

/* The test of an unbiased estimator that can fail: over 10^5 pairs (1000 instances x 100 rows,
 * dim 128) the score's mean error is within 3 standard errors of 0, and the deliberately biased
 * `other` estimate (named by other_name) is not. */
static inline void codecs1_check_unbiased(const char *spec, codecs1_other_estimate other,
                                          const char *other_name)
{
    codecs1_bias b = codecs1_mean_error(spec, 128, 1000, 100, other);
    cr_log_info("%s: mean error %.4g (se %.3g); %s %.4g (se %.3g)", spec, b.mean, b.se, other_name,
                b.other_mean, b.other_se);
    cr_assert_lt(fabs(b.mean), 3.0 * b.se, "%s: mean error %g, standard error %g", spec, b.mean,
                 b.se);
    cr_assert_gt(fabs(b.other_mean), 3.0 * b.other_se, "%s: %s: mean error %g, se %g", spec,
                 other_name, b.other_mean, b.other_se);
}

#endif
