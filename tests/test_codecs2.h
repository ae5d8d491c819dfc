/* What the learned and block codec tests (tests/test_codecs2_*.c) share: fitting a codec variant on
 * given rows, encoding and decoding them, and reading tests/golden/codecs2.json. */
#ifndef KVQ_TEST_CODECS2_H
#define KVQ_TEST_CODECS2_H

#include "kvq/backend.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <stdlib.h>
#include <string.h>

/* A codec fitted on rows (which it owns), with the rows encoded into codes and decoded into
 * back. */
typedef struct c2_run {
    kvq_codec codec;
    size_t n, dim;
    float *rows, *back;
    uint8_t *codes;
} c2_run;

static inline void c2_open(c2_run *r, const char *spec, float *rows, size_t n, size_t dim,
                           uint64_t seed)
{
    kvq_error err;
    kvq_rng rng;
    gsl_set_error_handler_off();
    kvq_rng_seed(&rng, seed, 9);
    r->n = n;
    r->dim = dim;
    r->rows = rows;
    cr_assert_eq(kvq_codec_open(&r->codec, spec, dim, &rng, &err), KVQ_OK, "%s: %s", spec, err.msg);
    cr_assert_eq(kvq_codec_fit(&r->codec, rows, n, &rng, &err), KVQ_OK, "%s: %s", spec, err.msg);
    r->codes = malloc(n * r->codec.code_bytes);
    r->back = malloc(n * dim * sizeof *r->back);
    cr_assert(r->codes && r->back);
    cr_assert_eq(kvq_codec_encode(&r->codec, rows, n, r->codes, &err), KVQ_OK, "%s: %s", spec,
                 err.msg);
    cr_assert_eq(kvq_codec_reconstruct(&r->codec, r->codes, n, r->back, &err), KVQ_OK, "%s: %s",
                 spec, err.msg);
}

/* sum |x - x^|^2 / sum |x|^2 over the run's rows. */
static inline double c2_rel_mse(const c2_run *r)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < r->n * r->dim; i++) {
        double d = (double)r->rows[i] - r->back[i];
        num += d * d;
        den += (double)r->rows[i] * r->rows[i];
    }
    return num / den;
}

static inline void c2_close(c2_run *r)
{
    kvq_codec_close(&r->codec);
    free(r->rows);
    free(r->back);
    free(r->codes);
}

/* The relative MSE of spec fitted on, and applied to, n x dim N(0,1) rows. */
static inline double c2_gaussian_rel_mse(const char *spec, size_t n, size_t dim, uint64_t seed)
{
    c2_run r;
    c2_open(&r, spec, kvq_test_gaussian_rows(n, dim, seed), n, dim, seed);
    double value = c2_rel_mse(&r);
    c2_close(&r);
    return value;
}

/* Opening spec for dim fails with status want, and the message names needle. */
static inline void c2_refused(const char *spec, size_t dim, int want, const char *needle)
{
    kvq_codec codec;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    kvq_error_clear(&err);
    int rc = kvq_codec_open(&codec, spec, dim, &rng, &err);
    cr_assert_eq(rc, want, "%s: status %d (%s), expected %d", spec, rc, err.msg, want);
    cr_assert(strstr(err.msg, needle), "%s: message '%s' does not name '%s'", spec, err.msg,
              needle);
}

/* The element key of golden array name whose member field equals value. */
static inline double c2_golden_at(const cJSON *golden, const char *name, const char *field,
                                  double value, const char *key)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(golden, name))
    {
        if (kvq_test_num(item, field) == value) return kvq_test_num(item, key);
    }
    cr_assert_fail("golden %s has no entry with %s = %g", name, field, value);
    return 0.0;
}

#endif
