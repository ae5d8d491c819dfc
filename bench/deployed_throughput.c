/* Encode and decode throughput of the deployed formats on one thread:
 * `deployed_throughput [ROWS] [DIM] [all]` (default 65,536 x 4,096 f32 rows, 1 GiB) prints, for
 * q8_0, q4_0, q4_k, mxfp4 and fp8 (with `all`: every deployed format), GB/s of f32 rows encoded and
 * decoded (best of 3 passes, alternating with memcpy of the same rows), and memcpy's bandwidth over
 * the same bytes in the same run: codec  encode_GB/s  decode_GB/s  encode/memcpy  decode/memcpy */
#include "kvq/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoul(argv[1], NULL, 10) : 65536;
    size_t dim = argc > 2 ? strtoul(argv[2], NULL, 10) : 4096;
    size_t count = rows * dim, bytes = count * sizeof(float);
    float *x = malloc(bytes), *y = malloc(bytes);
    uint8_t *codes = malloc(count * 2); /* every format here is at most 8.5 bits a coordinate */
    if (!x || !y || !codes) {
        fprintf(stderr, "deployed_throughput: out of memory for %zu x %zu rows\n", rows, dim);
        return 2;
    }
    kvq_rng rng;
    kvq_rng_seed(&rng, 42, 54);
    for (size_t i = 0; i < count; i++) x[i] = (float)kvq_rng_gaussian(&rng);
    static const char *const five[] = {"q8_0", "q4_0", "q4_k", "mxfp4", "fp8", NULL};
    static const char *const every[] = {"q8_0",
                                        "q4_0",
                                        "q4_1",
                                        "q5_0",
                                        "q5_1",
                                        "iq4_nl",
                                        "q2_k",
                                        "q3_k",
                                        "q4_k",
                                        "q5_k",
                                        "q6_k",
                                        "mxfp4",
                                        "mxfp8",
                                        "nvfp4",
                                        "fp8",
                                        "fp8:format=e5m2",
                                        "fp8:scale=tensor",
                                        "nf4",
                                        NULL};
    const char *const *specs = argc > 3 && strcmp(argv[3], "all") == 0 ? every : five;
    size_t nspecs = 0;
    while (specs[nspecs]) nspecs++;
    double gb = (double)bytes / 1e9, mem = 0, enc[32], dec[32];
    for (size_t s = 0; s < nspecs; s++) {
        kvq_codec codec;
        kvq_error err;
        if (kvq_codec_open(&codec, specs[s], dim, &rng, &err) ||
            kvq_codec_fit(&codec, x, rows, &rng, &err)) {
            fprintf(stderr, "%s: %s\n", specs[s], err.msg);
            return 2;
        }
        enc[s] = dec[s] = 1e300;
        for (int r = 0; r < 3; r++) {
            double t0 = now();
            memcpy(y, x, bytes);
            double t = now() - t0;
            mem = gb / t > mem ? gb / t : mem;
            t0 = now();
            if (kvq_codec_encode(&codec, x, rows, codes, &err)) return 2;
            t = now() - t0;
            enc[s] = t < enc[s] ? t : enc[s];
            t0 = now();
            if (kvq_codec_reconstruct(&codec, codes, rows, y, &err)) return 2;
            t = now() - t0;
            dec[s] = t < dec[s] ? t : dec[s];
        }
        kvq_codec_close(&codec);
    }
    /* the ratios against the best memcpy of the whole run */
    printf("%zu x %zu f32 rows (%.2f GB), one thread, best of 3\n", rows, dim, gb);
    printf("%-8s %12s %12s %14s %14s\n", "codec", "encode_GB/s", "decode_GB/s", "encode/memcpy",
           "decode/memcpy");
    for (size_t s = 0; s < nspecs; s++)
        printf("%-8s %12.2f %12.2f %14.3f %14.3f\n", specs[s], gb / enc[s], gb / dec[s],
               gb / enc[s] / mem, gb / dec[s] / mem);
    printf("memcpy   %12.2f GB/s\n", mem);
    free(x);
    free(y);
    free(codes);
    return 0;
}
