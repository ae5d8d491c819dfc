/* Evaluation of one cell (harness/cell.h).
 *
 * Subjects are (query, row) pairs: the codec's scores S^ from score() against the exact S of the
 * population's reference. Per query: Pearson and Spearman over the n rows, recall@10, each
 * averaged over the queries. Reconstruction-grade and hybrid codecs also decode every row for the
 * relative MSE. The codec is fitted on the rows it then encodes (a weight tensor is compressed
 * knowing itself). */
#include "cell.h"
#include "kvq/backend.h"
#include "kvq/identity.h"
#include "kvq/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECALL_K 10
#define IDENTITY_PROBES 1024

void kvq_cell_add(kvq_cell *cell, const char *name, double value, double ci_low, double ci_high)
{
    if (cell->nmetrics == KVQ_CELL_METRICS_MAX) return;
    kvq_metric_value *m = &cell->metrics[cell->nmetrics++];
    snprintf(m->name, sizeof m->name, "%s", name);
    m->value = value;
    m->ci_low = ci_low;
    m->ci_high = ci_high;
}

static void add_metric(kvq_cell *cell, const char *name, double value)
{
    kvq_cell_add(cell, name, value, NAN, NAN);
}

double kvq_cell_metric(const kvq_cell *cell, const char *name)
{
    for (size_t i = 0; i < cell->nmetrics; i++)
        if (strcmp(cell->metrics[i].name, name) == 0) return cell->metrics[i].value;
    return NAN;
}

void kvq_cell_free(kvq_cell *cell)
{
    free(cell->subject_score);
    free(cell->subject_top);
    cell->subject_score = NULL;
    cell->subject_top = NULL;
    cell->nsubjects = 0;
}

static double seconds_since(const struct timespec *t0, clockid_t clock)
{
    struct timespec t1;
    clock_gettime(clock, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* The codec's view of the subjects that ask query q, from its scores est of that query. */
static void record_subjects(kvq_cell *cell, const kvq_reference *ref, size_t q, const float *est)
{
    size_t n = ref->pop->n;
    for (size_t s = q; s < ref->nsubjects; s += ref->pop->nq) {
        size_t r = ref->subject_row[s];
        cell->subject_score[s] = est[r];
        cell->subject_top[s] = (uint8_t)kvq_in_top_k(est, n, r, ref->top_k);
    }
}

/* Agreement of estimated with exact scores, averaged over the queries. */
static int score_fidelity(kvq_cell *cell, const kvq_codec *codec, const kvq_reference *ref,
                          const uint8_t *codes, kvq_error *err)
{
    const kvq_population *pop = ref->pop;
    size_t n = pop->n, nq = pop->nq;
    float *est = malloc(n * sizeof *est);
    double *x = malloc(4 * n * sizeof *x); /* exact, estimate, Spearman scratch (2n) */
    size_t *top = malloc(2 * RECALL_K * sizeof *top);
    cell->subject_score = malloc(ref->nsubjects * sizeof *cell->subject_score);
    cell->subject_top = malloc(ref->nsubjects * sizeof *cell->subject_top);
    cell->nsubjects = ref->nsubjects;
    int rc = KVQ_OK;
    if (!est || !x || !top || !cell->subject_score || !cell->subject_top) {
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu scores", n);
        goto out;
    }
    double sum_pearson = 0.0, sum_spearman = 0.0, sum_recall = 0.0;
    for (size_t q = 0; q < nq; q++) {
        rc = kvq_codec_score(codec, pop->queries + q * pop->dim, codes, n, est, err);
        if (rc) goto out;
        const float *s = ref->exact + q * n;
        for (size_t i = 0; i < n; i++) x[i] = s[i], x[n + i] = est[i];
        sum_pearson += kvq_pearson(x, x + n, n);
        sum_spearman += kvq_spearman(x, x + n, n, x + 2 * n);
        sum_recall += kvq_recall_at_k(est, s, n, n < RECALL_K ? n : RECALL_K, top);
        record_subjects(cell, ref, q, est);
    }
    add_metric(cell, "pearson", sum_pearson / (double)nq);
    add_metric(cell, "spearman", sum_spearman / (double)nq);
    add_metric(cell, "recall@10", sum_recall / (double)nq);
out:
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
    double identity;
    if (!rc) rc = kvq_identity(pop->rows, rows, pop->n, pop->dim, IDENTITY_PROBES, &identity, err);
    if (!rc) add_metric(cell, "identity", identity);
    free(rows);
    return rc;
}

static int evaluate(kvq_cell *cell, const kvq_reference *ref, uint64_t run_seed, kvq_error *err)
{
    const kvq_population *pop = ref->pop;
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
    if (!rc) rc = score_fidelity(cell, &codec, ref, codes, err);
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

int kvq_cell_run(kvq_cell *cell, const kvq_reference *ref, uint64_t run_seed)
{
    struct timespec wall0, cpu0;
    clock_gettime(CLOCK_MONOTONIC, &wall0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    kvq_error err;
    kvq_error_clear(&err);
    cell->nmetrics = 0;
    cell->status = evaluate(cell, ref, run_seed, &err);
    snprintf(cell->error, sizeof cell->error, "%s", cell->status ? err.msg : "");
    if (cell->status) {
        cell->nmetrics = 0;
        kvq_cell_free(cell);
    }
    cell->done = 1;
    cell->wall_s = seconds_since(&wall0, CLOCK_MONOTONIC);
    cell->cpu_s = seconds_since(&cpu0, CLOCK_THREAD_CPUTIME_ID);
    return cell->status;
}
