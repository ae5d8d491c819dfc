/* The kvqeval side of bench/codecs1_vs_faiss.py: for each codec variant given, fits it on rows
 * read from a raw little-endian f32 file (n x dim, row-major), then measures
 *   encode: all n rows, rows per second;
 *   score:  each of the q queries (a second raw f32 file, q x dim) against all n codes, rows
 *           scored per second;
 * each the best of REPEATS timed passes (CPU time of the process, one thread: on a shared machine
 * wall clock measures the neighbours' load as much as the codec), and the relative MSE of the
 * reconstruction, sum |x - x^|^2 / sum |x|^2 (NaN for signature-grade codecs). Prints one JSON
 * object per variant and line.
 * Usage: codecs1_throughput ROWS.f32 N QUERIES.f32 Q DIM SPEC... */
#include "kvq/backend.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPEATS 3

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *read_f32(const char *path, size_t count)
{
    FILE *f = fopen(path, "rb");
    float *v = malloc(count * sizeof *v);
    if (!f || !v || fread(v, sizeof *v, count, f) != count) {
        fprintf(stderr, "codecs1_throughput: cannot read %zu f32 values from %s\n", count, path);
        free(v);
        v = NULL;
    }
    if (f) fclose(f);
    return v;
}

static double rel_mse(const kvq_codec *codec, const float *rows, const uint8_t *codes, size_t n)
{
    if (!kvq_codec_can_reconstruct(codec)) return NAN;
    float *back = malloc(n * codec->dim * sizeof *back);
    kvq_error err;
    double num = 0.0, den = 0.0;
    if (back && kvq_codec_reconstruct(codec, codes, n, back, &err) == KVQ_OK) {
        for (size_t i = 0; i < n * codec->dim; i++) {
            num += ((double)rows[i] - back[i]) * ((double)rows[i] - back[i]);
            den += (double)rows[i] * rows[i];
        }
    }
    free(back);
    return den > 0.0 ? num / den : NAN;
}

typedef struct timing {
    double encode_s, score_s;
} timing;

static int time_codec(const kvq_codec *codec, const float *rows, size_t n, const float *queries,
                      size_t q, uint8_t *codes, float *scores, timing *t, kvq_error *err)
{
    t->encode_s = t->score_s = INFINITY;
    for (int r = 0; r < REPEATS; r++) {
        double t0 = seconds();
        int rc = kvq_codec_encode(codec, rows, n, codes, err);
        if (rc) return rc;
        double t1 = seconds();
        for (size_t k = 0; k < q; k++) {
            rc = kvq_codec_score(codec, queries + k * codec->dim, codes, n, scores, err);
            if (rc) return rc;
        }
        double t2 = seconds();
        t->encode_s = fmin(t->encode_s, t1 - t0);
        t->score_s = fmin(t->score_s, t2 - t1);
    }
    return KVQ_OK;
}

static int run_variant(const char *spec, const float *rows, size_t n, const float *queries,
                       size_t q, size_t dim)
{
    kvq_codec codec;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    int rc = kvq_codec_open(&codec, spec, dim, &rng, &err);
    if (!rc) rc = kvq_codec_fit(&codec, rows, n, &rng, &err);
    if (rc) {
        fprintf(stderr, "codecs1_throughput: %s\n", err.msg);
        return 1;
    }
    uint8_t *codes = malloc(n * codec.code_bytes);
    float *scores = malloc(n * sizeof *scores);
    timing t = {INFINITY, INFINITY};
    rc = codes && scores ? time_codec(&codec, rows, n, queries, q, codes, scores, &t, &err)
                         : kvq_fail(&err, KVQ_ENOMEM, "out of memory");
    if (rc)
        fprintf(stderr, "codecs1_throughput: %s: %s\n", spec, err.msg);
    else
        printf("{\"spec\": \"%s\", \"bytes_per_row\": %zu, \"encode_rows_per_s\": %.6g, "
               "\"score_rows_per_s\": %.6g, \"rel_mse\": %.6g}\n",
               spec, codec.code_bytes, (double)n / t.encode_s, (double)(n * q) / t.score_s,
               rel_mse(&codec, rows, codes, n));
    free(codes);
    free(scores);
    kvq_codec_close(&codec);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 7) {
        fprintf(stderr, "usage: codecs1_throughput ROWS.f32 N QUERIES.f32 Q DIM SPEC...\n");
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10), q = strtoul(argv[4], NULL, 10);
    size_t dim = strtoul(argv[5], NULL, 10);
    float *rows = read_f32(argv[1], n * dim), *queries = read_f32(argv[3], q * dim);
    int status = rows && queries ? 0 : 1;
    for (int i = 6; i < argc && !status; i++)
        status = run_variant(argv[i], rows, n, queries, q, dim);
    free(rows);
    free(queries);
    return status;
}
