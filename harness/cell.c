/* Evaluation of one cell (harness/cell.h).
 *
 * Subjects are (query, row) pairs: S = Q X^T exactly (CBLAS sgemm) against S^ from the codec's
 * score(). Per query, Pearson and Spearman over the n rows and recall@10; each averaged over the
 * queries. Reconstruction-grade and hybrid codecs also decode every row for the relative MSE. The
 * codec is fitted on the rows it then encodes (a weight tensor is compressed knowing itself). */
#include "cell.h"
#include "kvq/backend.h"
#include "kvq/metrics.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECALL_K 10

static void add_metric(kvq_cell *cell, const char *name, double value)
{
    if (cell->nmetrics == KVQ_CELL_METRICS_MAX) return;
    cell->metrics[cell->nmetrics++] = (kvq_metric_value){name, value, NAN, NAN};
}

double kvq_cell_metric(const kvq_cell *cell, const char *name)
{
    for (size_t i = 0; i < cell->nmetrics; i++)
        if (strcmp(cell->metrics[i].name, name) == 0) return cell->metrics[i].value;
    return NAN;
}

static double seconds_since(const struct timespec *t0, clockid_t clock)
{
    struct timespec t1;
    clock_gettime(clock, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* The exact scores S = Q X^T (nq x n): computed in double with CBLAS dgemm and rounded once to
 * float, so that a codec which computes the same inner products exactly (passthrough) reproduces
 * them bit for bit whatever the summation order, and scores 1 on every agreement metric. */
static float *exact_scores(const kvq_population *pop, kvq_error *err)
{
    size_t n = pop->n, nq = pop->nq, dim = pop->dim;
    double *x = malloc(n * dim * sizeof *x), *q = malloc(nq * dim * sizeof *q);
    double *s = malloc(nq * n * sizeof *s);
    float *out = malloc(nq * n * sizeof *out);
    if (!x || !q || !s || !out) {
        kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu x %zu exact scores", nq, n);
        free(out);
        out = NULL;
        goto done;
    }
    for (size_t i = 0; i < n * dim; i++) x[i] = pop->rows[i];
    for (size_t i = 0; i < nq * dim; i++) q[i] = pop->queries[i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)n, (int)dim, 1.0, q,
                (int)dim, x, (int)dim, 0.0, s, (int)n);
    for (size_t i = 0; i < nq * n; i++) out[i] = (float)s[i];
done:
    free(x);
    free(q);
    free(s);
    return out;
}

/* Agreement of estimated with exact scores, averaged over the queries. */
static int score_fidelity(kvq_cell *cell, const kvq_codec *codec, const kvq_population *pop,
                          const uint8_t *codes, kvq_error *err)
{
    size_t n = pop->n, nq = pop->nq;
    float *exact = exact_scores(pop, err);
    float *est = malloc(n * sizeof *est);
    double *x = malloc(4 * n * sizeof *x); /* exact, estimate, Spearman scratch (2n) */
    size_t *top = malloc(2 * RECALL_K * sizeof *top);
    int rc = KVQ_OK;
    if (!exact || !est || !x || !top) {
        rc = exact ? kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu scores", n) : KVQ_ENOMEM;
        goto out;
    }
    double sum_pearson = 0.0, sum_spearman = 0.0, sum_recall = 0.0;
    for (size_t q = 0; q < nq; q++) {
        rc = kvq_codec_score(codec, pop->queries + q * pop->dim, codes, n, est, err);
        if (rc) goto out;
        const float *s = exact + q * n;
        for (size_t i = 0; i < n; i++) x[i] = s[i], x[n + i] = est[i];
        sum_pearson += kvq_pearson(x, x + n, n);
        sum_spearman += kvq_spearman(x, x + n, n, x + 2 * n);
        sum_recall += kvq_recall_at_k(est, s, n, n < RECALL_K ? n : RECALL_K, top);
    }
    add_metric(cell, "pearson", sum_pearson / (double)nq);
    add_metric(cell, "spearman", sum_spearman / (double)nq);
    add_metric(cell, "recall@10", sum_recall / (double)nq);
out:
    free(exact);
    free(est);
    free(x);
    free(top);
    return rc;
}

static int reconstruction_fidelity(kvq_cell *cell, const kvq_codec *codec,
                                   const kvq_population *pop, const uint8_t *codes, kvq_error *err)
{
    float *rows = malloc(pop->n * pop->dim * sizeof *rows);
    if (!rows) return kvq_fail(err, KVQ_ENOMEM, "out of memory decoding %zu rows", pop->n);
    int rc = kvq_codec_reconstruct(codec, codes, pop->n, rows, err);
    if (!rc) add_metric(cell, "rel_mse", kvq_rel_mse(pop->rows, rows, pop->n * pop->dim));
    free(rows);
    return rc;
}

static int evaluate(kvq_cell *cell, const kvq_population *pop, uint64_t run_seed, kvq_error *err)
{
    char label[2 * KVQ_SPEC_MAX + 8];
    snprintf(label, sizeof label, "cell|%s|%s", cell->variant, pop->name);
    kvq_rng rng;
    kvq_rng_derive(&rng, run_seed, label);

    kvq_codec codec;
    int rc = kvq_codec_open(&codec, cell->variant, pop->dim, &rng, err);
    if (rc) return rc;
    uint8_t *codes = malloc(pop->n * codec.code_bytes);
    if (!codes) {
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu codes of %zu bytes", pop->n,
                      codec.code_bytes);
        goto out;
    }
    rc = kvq_codec_fit(&codec, pop->rows, pop->n, &rng, err);
    if (!rc) rc = kvq_codec_encode(&codec, pop->rows, pop->n, codes, err);
    if (!rc) rc = score_fidelity(cell, &codec, pop, codes, err);
    if (!rc && kvq_codec_can_reconstruct(&codec))
        rc = reconstruction_fidelity(cell, &codec, pop, codes, err);
    if (rc) goto out;
    add_metric(cell, "bytes_per_row", (double)codec.code_bytes);
    add_metric(cell, "shared_bytes", (double)kvq_codec_shared_bytes(&codec));
    add_metric(cell, "bits_per_coord", 8.0 * (double)codec.code_bytes / (double)pop->dim);
out:
    free(codes);
    kvq_codec_close(&codec);
    return rc;
}

int kvq_cell_run(kvq_cell *cell, const kvq_population *pop, uint64_t run_seed)
{
    struct timespec wall0, cpu0;
    clock_gettime(CLOCK_MONOTONIC, &wall0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    kvq_error err;
    kvq_error_clear(&err);
    cell->nmetrics = 0;
    cell->status = evaluate(cell, pop, run_seed, &err);
    snprintf(cell->error, sizeof cell->error, "%s", cell->status ? err.msg : "");
    if (cell->status) cell->nmetrics = 0;
    cell->wall_s = seconds_since(&wall0, CLOCK_MONOTONIC);
    cell->cpu_s = seconds_since(&cpu0, CLOCK_THREAD_CPUTIME_ID);
    return cell->status;
}
