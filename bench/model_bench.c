/* Prefill throughput of the model runtime on one thread: `model_bench DIR [REPEATS]` runs the
 * forward pass over DIR/tokens.npy REPEATS times (default 3) and prints
 *     kvqeval_prefill_tokens_per_s <best pass>
 *     matmul_gflops <the pass's matrix-product FLOPs (2 x out x in per token and weight, and the
 *                    attention's Q K^T and P V over the causal square) / its time>
 *     sgemm_peak_gflops <the best of 3 single-thread 1024^3 sgemm>
 *     share_of_sgemm_peak <matmul_gflops / sgemm_peak_gflops>
 * bench/model_vs_numpy.py runs it against the numpy forward on the same weights. */
#include "kvq/model.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void openblas_set_num_threads(int);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double sgemm_peak(void)
{
    const int n = 1024;
    float *a = malloc((size_t)n * n * sizeof *a), *c = malloc((size_t)n * n * sizeof *c);
    for (size_t i = 0; i < (size_t)n * n; i++) a[i] = (float)(i % 7) * 0.25f;
    double best = 0;
    for (int r = 0; r < 3; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a, n, a, n, 0.0f, c, n);
        double g = 2.0 * n * n * (double)n / (now() - t0) / 1e9;
        best = g > best ? g : best;
    }
    free(a);
    free(c);
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: model_bench DIR [REPEATS]\n");
        return 2;
    }
    openblas_set_num_threads(1);
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    char path[4096];
    snprintf(path, sizeof path, "%s/tokens.npy", argv[1]);
    kvq_model m;
    kvq_error err;
    int32_t *tokens;
    size_t nseq, len;
    if (kvq_model_open(&m, argv[1], &err) ||
        kvq_model_tokens_load(path, &tokens, &nseq, &len, &err)) {
        fprintf(stderr, "model_bench: %s\n", err.msg);
        return 2;
    }
    float *logp = malloc(nseq * len * m.cfg.vocab * sizeof *logp);
    double best = 1e300;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        if (kvq_model_forward(&m, tokens, nseq, len, NULL, logp, &err)) {
            fprintf(stderr, "model_bench: %s\n", err.msg);
            return 2;
        }
        double t = now() - t0;
        best = t < best ? t : best;
    }
    double flops = 0, ntok = (double)(nseq * len);
    for (int w = 0; w < KVQ_MW_COUNT; w++) {
        size_t out, in;
        kvq_model_weight_shape(&m.cfg, (kvq_model_weight)w, &out, &in);
        flops +=
            2.0 * (double)out * (double)in * ntok * (w == KVQ_MW_HEAD ? 1 : (double)m.cfg.layers);
    }
    /* Q K^T and P V: every (sequence, head) computes len x len x head_dim twice */
    flops += 4.0 * (double)nseq * (double)m.cfg.heads * (double)len * (double)len *
             (double)m.cfg.head_dim * (double)m.cfg.layers;
    double peak = sgemm_peak();
    printf("kvqeval_prefill_tokens_per_s %.1f\n", ntok / best);
    printf("matmul_gflops %.2f\n", flops / best / 1e9);
    printf("sgemm_peak_gflops %.2f\n", peak);
    printf("share_of_sgemm_peak %.3f\n", flops / best / 1e9 / peak);
    free(logp);
    free(tokens);
    kvq_model_close(&m);
    return 0;
}
