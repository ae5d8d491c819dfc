/* The kvqeval side of bench/codecs2_vs_faiss.py: fits one codec variant on rows read from a raw
 * little-endian f32 file (n x dim, row-major), encodes them, and prints one JSON object with the
 * relative MSE of the reconstruction, the code size and the encode throughput (the best of
 * `repeats` timed passes over all rows, in process CPU time so that other load on the machine
 * does not count; OpenBLAS held to one thread, as the harness holds it).
 * Usage: codecs2_encode SPEC ROWS.f32 N DIM [REPEATS] */
#include "kvq/backend.h"

#include <cblas.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *read_rows(const char *path, size_t n, size_t dim)
{
    FILE *f = fopen(path, "rb");
    float *rows = malloc(n * dim * sizeof *rows);
    if (!f || !rows || fread(rows, sizeof *rows, n * dim, f) != n * dim) {
        fprintf(stderr, "codecs2_encode: cannot read %zu x %zu f32 values from %s\n", n, dim, path);
        free(rows);
        rows = NULL;
    }
    if (f) fclose(f);
    return rows;
}

static double rel_mse(const float *a, const float *b, size_t count)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < count; i++) {
        num += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        den += (double)a[i] * a[i];
    }
    return num / den;
}

/* Fits, times the encodes, decodes; 0 on success. */
static int measure(kvq_codec *codec, const float *rows, size_t n, int repeats, uint8_t *codes,
                   float *back, double *fit_s, double *encode_s, kvq_error *err)
{
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    double t0 = seconds();
    int rc = kvq_codec_fit(codec, rows, n, &rng, err);
    *fit_s = seconds() - t0;
    *encode_s = 1e300;
    for (int r = 0; r < repeats && !rc; r++) {
        t0 = seconds();
        rc = kvq_codec_encode(codec, rows, n, codes, err);
        double t = seconds() - t0;
        if (t < *encode_s) *encode_s = t;
    }
    return rc ? rc : kvq_codec_reconstruct(codec, codes, n, back, err);
}

static int run(const char *spec, const float *rows, size_t n, size_t dim, int repeats)
{
    kvq_codec codec;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    int rc = kvq_codec_open(&codec, spec, dim, &rng, &err);
    if (rc) {
        fprintf(stderr, "codecs2_encode: %s\n", err.msg);
        return 1;
    }
    uint8_t *codes = malloc(n * codec.code_bytes);
    float *back = malloc(n * dim * sizeof *back);
    double fit_s = 0.0, encode_s = 1.0;
    rc = codes && back ? measure(&codec, rows, n, repeats, codes, back, &fit_s, &encode_s, &err)
                       : kvq_fail(&err, KVQ_ENOMEM, "out of memory for %zu codes", n);
    if (rc)
        fprintf(stderr, "codecs2_encode: %s: %s\n", spec, err.msg);
    else
        printf("{\"spec\": \"%s\", \"rel_mse\": %.6g, \"bytes_per_row\": %zu, "
               "\"shared_bytes\": %zu, \"fit_s\": %.4g, \"encode_rows_per_s\": %.6g}\n",
               spec, rel_mse(rows, back, n * dim), codec.code_bytes, kvq_codec_shared_bytes(&codec),
               fit_s, (double)n / encode_s);
    free(codes);
    free(back);
    kvq_codec_close(&codec);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: codecs2_encode SPEC ROWS.f32 N DIM [REPEATS]\n");
        return 2;
    }
    gsl_set_error_handler_off();
    openblas_set_num_threads(1);
    size_t n = strtoul(argv[3], NULL, 10), dim = strtoul(argv[4], NULL, 10);
    int repeats = argc == 6 ? atoi(argv[5]) : 3;
    float *rows = read_rows(argv[2], n, dim);
    if (!rows || n == 0 || dim == 0 || repeats < 1) return 2;
    int rc = run(argv[1], rows, n, dim, repeats);
    free(rows);
    return rc;
}
