/* The contract every registered codec must keep (include/kvq/backend.h), one parameterised test
 * per rule, run over kvq_backends at dimension 128 (256 for a codec built on blocks of 256):
 * required slots, names, code size, round trip within the declared tolerance, score consistent with
 * reconstruct, determinism, batch independence, every ladder variant usable, bad input refused. */
#include "kvq/backend.h"
#include "testutil.h"

#include <criterion/alloc.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STANDARD_DIM 128
#define BLOCK_DIM 256
#define ROWS 2048
#define QUERIES 32

/* The dimension the rules run at: 128, or 256 for a codec whose blocks do not divide 128 (ggml's
 * k-quants, super-blocks of 256), which refuses 128 at create. */
static size_t dim_of(const kvq_backend *b)
{
    kvq_codec codec;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    int rc = kvq_codec_open(&codec, b->name, STANDARD_DIM, &rng, &err);
    if (rc == KVQ_OK) kvq_codec_close(&codec);
    return rc == KVQ_EINVAL ? BLOCK_DIM : STANDARD_DIM;
}

static size_t registered_count(void)
{
    size_t n = 0;
    while (kvq_backends[n]) n++;
    return n;
}

static void free_params(struct criterion_test_params *p)
{
    cr_free(p->params);
}

/* Parameters are indices into kvq_backends, in memory Criterion shares with the test processes
 * (pointers would not survive its re-exec). */
static struct criterion_test_params all_backends(void)
{
    size_t n = registered_count();
    size_t *index = cr_malloc(n * sizeof *index);
    for (size_t i = 0; i < n; i++) index[i] = i;
    return cr_make_param_array(size_t, index, n, free_params);
}

/* Declares that contract/<test> runs once per registered backend. */
#define FOR_EVERY_BACKEND(test)                                                                    \
    ParameterizedTestParameters(contract, test)                                                    \
    {                                                                                              \
        return all_backends();                                                                     \
    }

FOR_EVERY_BACKEND(slots)

/* A fitted codec on the standard rows, with those rows encoded. */
typedef struct fixture {
    kvq_codec codec;
    float *rows;
    uint8_t *codes;
} fixture;

static void fixture_open(fixture *fx, const kvq_backend *b, const char *spec, size_t dim,
                         uint64_t seed)
{
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, seed, 9);
    fx->rows = kvq_test_gaussian_rows(ROWS, dim, 1234);
    cr_assert_eq(kvq_codec_open(&fx->codec, spec ? spec : b->name, dim, &rng, &err), KVQ_OK,
                 "%s: %s", b->name, err.msg);
    cr_assert_eq(kvq_codec_fit(&fx->codec, fx->rows, ROWS, &rng, &err), KVQ_OK, "%s: %s", b->name,
                 err.msg);
    fx->codes = malloc(ROWS * fx->codec.code_bytes);
    cr_assert_not_null(fx->codes);
    cr_assert_eq(kvq_codec_encode(&fx->codec, fx->rows, ROWS, fx->codes, &err), KVQ_OK, "%s: %s",
                 b->name, err.msg);
}

static void fixture_close(fixture *fx)
{
    kvq_codec_close(&fx->codec);
    free(fx->rows);
    free(fx->codes);
}

static int is_name(const char *s)
{
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}

ParameterizedTest(size_t *bp, contract, slots)
{
    const kvq_backend *b = kvq_backends[*bp];
    cr_assert(is_name(b->name), "name '%s'", b->name);
    cr_assert(b->summary && *b->summary, "%s: summary", b->name);
    cr_assert_not_null(b->params, "%s: params", b->name);
    cr_assert_not_null(b->variants, "%s: variants", b->name);
    cr_assert(b->create && b->encode && b->score && b->bytes_per_row && b->destroy,
              "%s: a required slot is NULL", b->name);
    cr_assert_eq(b->reconstruct == NULL, b->grade == KVQ_GRADE_SIGNATURE,
                 "%s: reconstruct must be present exactly when the grade decodes", b->name);
    cr_assert(b->tolerance >= 0.0 && b->tolerance < 1.0, "%s: tolerance %g", b->name, b->tolerance);
    for (const kvq_param_doc *d = b->params; d->key; d++)
        cr_assert(is_name(d->key) && d->fallback && d->help, "%s: parameter doc", b->name);
}

Test(contract, names_unique_and_registry_alphabetical)
{
    size_t n = registered_count();
    cr_assert_gt(n, 0);
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(strcmp(kvq_backends[i - 1]->name, kvq_backends[i]->name), 0,
                     "'%s' before '%s'", kvq_backends[i - 1]->name, kvq_backends[i]->name);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(kvq_backend_find(kvq_backends[i]->name), kvq_backends[i]);
    cr_assert_null(kvq_backend_find("no_such_codec"));
}

FOR_EVERY_BACKEND(round_trip_within_tolerance)

ParameterizedTest(size_t *bp, contract, round_trip_within_tolerance)
{
    const kvq_backend *b = kvq_backends[*bp];
    const size_t DIM = dim_of(b);
    fixture fx;
    kvq_error err;
    fixture_open(&fx, b, NULL, DIM, 1);
    double num = 0.0, den = 0.0;
    if (b->grade != KVQ_GRADE_SIGNATURE) {
        float *back = malloc(ROWS * DIM * sizeof *back);
        cr_assert_eq(kvq_codec_reconstruct(&fx.codec, fx.codes, ROWS, back, &err), KVQ_OK, "%s",
                     err.msg);
        for (size_t i = 0; i < ROWS * DIM; i++) {
            cr_assert(isfinite(back[i]), "%s: non-finite reconstruction", b->name);
            num += (double)(fx.rows[i] - back[i]) * (fx.rows[i] - back[i]);
            den += (double)fx.rows[i] * fx.rows[i];
        }
        free(back);
    } else {
        float *queries = kvq_test_gaussian_rows(QUERIES, DIM, 99);
        float *est = malloc(ROWS * sizeof *est);
        for (size_t q = 0; q < QUERIES; q++) {
            cr_assert_eq(kvq_codec_score(&fx.codec, queries + q * DIM, fx.codes, ROWS, est, &err),
                         KVQ_OK);
            for (size_t i = 0; i < ROWS; i++) {
                double s = 0.0;
                for (size_t j = 0; j < DIM; j++)
                    s += (double)queries[q * DIM + j] * fx.rows[i * DIM + j];
                num += (s - est[i]) * (s - est[i]);
                den += s * s;
            }
        }
        free(queries);
        free(est);
    }
    cr_assert_leq(num / den, b->tolerance, "%s: relative MSE %g above its declared tolerance %g",
                  b->name, num / den, b->tolerance);
    fixture_close(&fx);
}

FOR_EVERY_BACKEND(score_agrees_with_reconstruct)

ParameterizedTest(size_t *bp, contract, score_agrees_with_reconstruct)
{
    const kvq_backend *b = kvq_backends[*bp];
    const size_t DIM = dim_of(b);
    if (b->grade != KVQ_GRADE_RECONSTRUCTION) cr_skip_test("%s does not promise it", b->name);
    fixture fx;
    kvq_error err;
    fixture_open(&fx, b, NULL, DIM, 2);
    float *back = malloc(ROWS * DIM * sizeof *back);
    float *queries = kvq_test_gaussian_rows(QUERIES, DIM, 98);
    float *est = malloc(ROWS * sizeof *est);
    cr_assert_eq(kvq_codec_reconstruct(&fx.codec, fx.codes, ROWS, back, &err), KVQ_OK);
    for (size_t q = 0; q < QUERIES; q++) {
        const float *qv = queries + q * DIM;
        cr_assert_eq(kvq_codec_score(&fx.codec, qv, fx.codes, ROWS, est, &err), KVQ_OK);
        for (size_t i = 0; i < ROWS; i++) {
            double dot = 0.0, qq = 0.0, xx = 0.0;
            for (size_t j = 0; j < DIM; j++) {
                dot += (double)qv[j] * back[i * DIM + j];
                qq += (double)qv[j] * qv[j];
                xx += (double)back[i * DIM + j] * back[i * DIM + j];
            }
            double tol = 1e-5 * sqrt(qq * xx) + 1e-6;
            cr_assert_leq(fabs(dot - est[i]), tol, "%s: score %g vs <q, reconstruct> %g", b->name,
                          (double)est[i], dot);
        }
    }
    free(back);
    free(queries);
    free(est);
    fixture_close(&fx);
}

FOR_EVERY_BACKEND(deterministic_and_batch_independent)

ParameterizedTest(size_t *bp, contract, deterministic_and_batch_independent)
{
    const kvq_backend *b = kvq_backends[*bp];
    const size_t DIM = dim_of(b);
    fixture a, c;
    kvq_error err;
    fixture_open(&a, b, NULL, DIM, 3);
    fixture_open(&c, b, NULL, DIM, 3);
    size_t bytes = a.codec.code_bytes;
    cr_assert_eq(bytes, c.codec.code_bytes);
    cr_assert_eq(memcmp(a.codes, c.codes, ROWS * bytes), 0, "%s: same seed, different codes",
                 b->name);
    uint8_t *one = malloc(bytes);
    for (size_t i = 0; i < ROWS; i += 97) {
        cr_assert_eq(kvq_codec_encode(&a.codec, a.rows + i * DIM, 1, one, &err), KVQ_OK);
        cr_assert_eq(memcmp(one, a.codes + i * bytes, bytes), 0,
                     "%s: row %zu encodes differently alone than in a batch", b->name, i);
    }
    free(one);
    fixture_close(&a);
    fixture_close(&c);
}

FOR_EVERY_BACKEND(score_many_equals_score)

/* Scoring many queries at once gives, bit for bit, what scoring them one at a time gives: every
 * backend, through kvq_codec_score_many (the backend's score_many when it has one), on a row count
 * that is not a multiple of a block. */
ParameterizedTest(size_t *bp, contract, score_many_equals_score)
{
    const kvq_backend *b = kvq_backends[*bp];
    const size_t DIM = dim_of(b), N = ROWS - 3;
    fixture fx;
    kvq_error err;
    fixture_open(&fx, b, NULL, DIM, 4);
    float *queries = kvq_test_gaussian_rows(QUERIES, DIM, 77);
    float *many = malloc(QUERIES * N * sizeof *many), *one = malloc(N * sizeof *one);
    cr_assert_eq(kvq_codec_score_many(&fx.codec, queries, QUERIES, fx.codes, N, many, &err), KVQ_OK,
                 "%s: %s", b->name, err.msg);
    for (size_t q = 0; q < QUERIES; q++) {
        cr_assert_eq(kvq_codec_score(&fx.codec, queries + q * DIM, fx.codes, N, one, &err), KVQ_OK);
        cr_assert_eq(memcmp(one, many + q * N, N * sizeof *one), 0,
                     "%s: query %zu scores differently among many than alone", b->name, q);
    }
    free(queries);
    free(many);
    free(one);
    fixture_close(&fx);
}

FOR_EVERY_BACKEND(every_ladder_variant_works)

static int open_variant(const char *spec, void *ctx)
{
    const kvq_backend *b = ctx;
    fixture fx;
    fixture_open(&fx, b, spec, dim_of(b), 4);
    cr_assert_str_eq(fx.codec.backend->name, b->name, "ladder entry '%s'", spec);
    fixture_close(&fx);
    return 0;
}

ParameterizedTest(size_t *bp, contract, every_ladder_variant_works)
{
    const kvq_backend *b = kvq_backends[*bp];
    cr_assert_eq(kvq_backend_each_variant(b, open_variant, (void *)b), 0);
}

FOR_EVERY_BACKEND(bad_input_refused)

ParameterizedTest(size_t *bp, contract, bad_input_refused)
{
    const kvq_backend *b = kvq_backends[*bp];
    const size_t DIM = dim_of(b);
    fixture fx;
    kvq_error err;
    fixture_open(&fx, b, NULL, DIM, 5);
    fx.rows[7] = NAN;
    cr_assert_eq(kvq_codec_encode(&fx.codec, fx.rows, ROWS, fx.codes, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "row 0, column 7"), "%s", err.msg);
    fixture_close(&fx);

    kvq_codec codec;
    char spec[128];
    snprintf(spec, sizeof spec, "%s:no_such_key=1", b->name);
    cr_assert_eq(kvq_codec_open(&codec, spec, DIM, NULL, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "no_such_key"), "%s", err.msg);
}

FOR_EVERY_BACKEND(odd_dimension)

/* A dimension that is neither a power of two nor a multiple of common group sizes: the codec
 * either works (finite output, better than the zero vector) or refuses at create with a message. */
ParameterizedTest(size_t *bp, contract, odd_dimension)
{
    const kvq_backend *b = kvq_backends[*bp];
    const size_t dim = 100;
    kvq_codec codec;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 6, 6);
    kvq_error_clear(&err);
    int rc = kvq_codec_open(&codec, b->name, dim, &rng, &err);
    if (rc) {
        cr_assert(rc == KVQ_EINVAL || rc == KVQ_ERANGE || rc == KVQ_EUNSUPPORTED);
        cr_assert(strlen(err.msg) > 0);
        return;
    }
    float *rows = kvq_test_gaussian_rows(ROWS, dim, 77);
    uint8_t *codes = malloc(ROWS * codec.code_bytes);
    cr_assert_eq(kvq_codec_fit(&codec, rows, ROWS, &rng, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_codec_encode(&codec, rows, ROWS, codes, &err), KVQ_OK, "%s", err.msg);
    float *est = malloc(ROWS * sizeof *est);
    cr_assert_eq(kvq_codec_score(&codec, rows, codes, ROWS, est, &err), KVQ_OK);
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < ROWS; i++) {
        double s = 0.0;
        for (size_t j = 0; j < dim; j++) s += (double)rows[j] * rows[i * dim + j];
        cr_assert(isfinite(est[i]));
        num += (s - est[i]) * (s - est[i]);
        den += s * s;
    }
    cr_assert_lt(num / den, 1.0, "%s at dim 100: score error %g", b->name, num / den);
    free(est);
    free(rows);
    free(codes);
    kvq_codec_close(&codec);
}
