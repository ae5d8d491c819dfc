/* The metric engine at scale, timed on data written by bench/metrics_bench.py (raw little-endian
 * arrays), which times scipy/numpy on the same data and prints the ratios. Prints one line per run:
 *     <metric> <result> <wall seconds> <CPU seconds, all threads>
 * Usage:
 *     metrics_bench spearman X.f64 Y.f64 N
 *     metrics_bench kendall X.f64 Y.f64 N      (tau-b)
 *     metrics_bench icc X.f64 N K               (result: ICC2; every form is computed)
 *     metrics_bench recall Q.f32 X.f32 XHAT.f32 NQ N DIM K
 *                                               (mean recall@K of XHAT's top K against X's)
 * Timings exclude reading the files. */
#include "kvq/metrics.h"
#include "kvq/reliability.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A timer reading wall-clock and CPU time (all threads) together. */
typedef struct timer {
    double wall, cpu;
} timer;

static timer timer_start(void)
{
    return (timer){clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID)};
}

/* Prints "<metric> <result> <wall s> <cpu s>". */
static void report(const char *metric, double result, timer t)
{
    printf("%s %.15g %.4f %.4f\n", metric, result, clock_s(CLOCK_MONOTONIC) - t.wall,
           clock_s(CLOCK_PROCESS_CPUTIME_ID) - t.cpu);
}

/* Reads count elements of size bytes from path; exits with a message on failure (a program, not
 * library code). */
static void *load(const char *path, size_t count, size_t size)
{
    void *p = malloc(count * size);
    FILE *f = fopen(path, "rb");
    if (!p || !f || fread(p, size, count, f) != count) {
        fprintf(stderr, "metrics_bench: cannot read %zu x %zu bytes from %s\n", count, size, path);
        exit(2);
    }
    fclose(f);
    return p;
}

static size_t arg_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || !*s) {
        fprintf(stderr, "metrics_bench: '%s' is not a size\n", s);
        exit(2);
    }
    return (size_t)v;
}

/* Spearman or Kendall tau-b of two columns read from files. */
static int bench_rank(char **argv, int kendall)
{
    size_t n = arg_size(argv[4]);
    double *x = load(argv[2], n, sizeof *x), *y = load(argv[3], n, sizeof *y);
    double *work = malloc((3 * n + 1) * sizeof *work);
    timer t = timer_start();
    double r = kendall ? kvq_kendall_tau_b(x, y, n, work) : kvq_spearman(x, y, n, work);
    report(argv[1], r, t);
    free(x), free(y), free(work);
    return 0;
}

static int bench_icc(char **argv)
{
    size_t n = arg_size(argv[3]), k = arg_size(argv[4]);
    double *x = load(argv[2], n * k, sizeof *x);
    kvq_icc icc;
    kvq_error err;
    timer t = timer_start();
    int rc = kvq_icc_compute(x, n, k, 0.95, &icc, &err);
    if (rc)
        fprintf(stderr, "metrics_bench: %s\n", err.msg);
    else
        report("icc", icc.form[KVQ_ICC2].icc, t);
    free(x);
    return rc ? 1 : 0;
}

static int bench_recall(char **argv)
{
    size_t nq = arg_size(argv[5]), n = arg_size(argv[6]), dim = arg_size(argv[7]);
    size_t k = arg_size(argv[8]);
    float *q = load(argv[2], nq * dim, sizeof *q), *x = load(argv[3], n * dim, sizeof *x);
    float *xhat = load(argv[4], n * dim, sizeof *xhat);
    size_t *exact = malloc(nq * k * sizeof *exact), *est = malloc(nq * k * sizeof *est);
    kvq_error err;
    timer t = timer_start();
    int rc = kvq_top_k_inner(q, nq, x, n, dim, k, exact, &err);
    if (!rc) rc = kvq_top_k_inner(q, nq, xhat, n, dim, k, est, &err);
    double sum = 0.0;
    for (size_t i = 0; !rc && i < nq; i++) sum += kvq_top_k_overlap(est + i * k, exact + i * k, k);
    if (rc)
        fprintf(stderr, "metrics_bench: %s\n", err.msg);
    else
        report("recall", sum / (double)nq, t);
    free(q), free(x), free(xhat), free(exact), free(est);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc == 5 && !strcmp(argv[1], "spearman")) return bench_rank(argv, 0);
    if (argc == 5 && !strcmp(argv[1], "kendall")) return bench_rank(argv, 1);
    if (argc == 5 && !strcmp(argv[1], "icc")) return bench_icc(argv);
    if (argc == 9 && !strcmp(argv[1], "recall")) return bench_recall(argv);
    fputs("usage: metrics_bench spearman|kendall X Y N | icc X N K | recall Q X XHAT NQ N DIM K\n",
          stderr);
    return 2;
}
