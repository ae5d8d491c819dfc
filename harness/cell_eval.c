/* Evaluation of one cell (harness/cell_eval.h): fit the codec on the population's rows (a weight
 * tensor is compressed knowing itself), encode them, score every query against every code, then
 * the metric groups: score agreement (harness/cell_scores.c), reconstruction for codecs that
 * decode, cost, throughput, and chain collapse (harness/cell_chain.c). README, "Metrics", defines
 * every number. Each phase's CPU time is recorded in the cell (kvq_cell.phase_s). */
#include "harness/cell_eval.h"
#include "harness/cell_chain.h"
#include "harness/cell_scores.h"
#include "kvq/backend.h"
#include "kvq/bootstrap.h"
#include "kvq/identity.h"
#include "kvq/metrics.h"
#include "kvq/model.h"
#include "kvq/population_key.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROW_REPS 1000 /* bootstrap resamples of the rows: rel_mse and cosine */
#define IDENTITY_PROBES 1024

static void add_metric(kvq_cell *cell, const char *name, double value)
{
    kvq_cell_add(cell, name, value, NAN, NAN);
}

static double seconds_since(const struct timespec *t0, clockid_t clock)
{
    struct timespec t1;
    clock_gettime(clock, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static double cpu_seconds_since(const struct timespec *t0)
{
    return seconds_since(t0, CLOCK_THREAD_CPUTIME_ID);
}

/* Names the probes that have a near-duplicate row (population row indices, "probe~nearest"). */
static void note_near_duplicates(kvq_cell *cell, const kvq_identity_result *id)
{
    if (!id->near_duplicates) return;
    char text[KVQ_ERROR_MSG_MAX];
    size_t shown = sizeof id->near_first / sizeof id->near_first[0];
    if (shown > id->near_duplicates) shown = id->near_duplicates;
    int used =
        snprintf(text, sizeof text,
                 "identity: %zu of %zu probe rows have a near-duplicate row:", id->near_duplicates,
                 id->probes);
    for (size_t k = 0; k < shown && used > 0 && (size_t)used < sizeof text; k++)
        used += snprintf(text + used, sizeof text - (size_t)used, " %zu~%zu", id->near_first[k],
                         id->near_other[k]);
    if (id->near_duplicates > shown && used > 0 && (size_t)used < sizeof text)
        snprintf(text + used, sizeof text - (size_t)used, " (+%zu more)",
                 id->near_duplicates - shown);
    kvq_cell_note(cell, "%s", text);
}

/* Identity (index regime) on IDENTITY_PROBES rows drawn from the population's own stream: every
 * codec of a population is probed on the same rows. */
static int identity(kvq_cell *cell, const kvq_population *pop, const float *rows, uint64_t run_seed,
                    kvq_error *err)
{
    size_t *probes = malloc(IDENTITY_PROBES * sizeof *probes);
    if (!probes) return kvq_fail(err, KVQ_ENOMEM, "out of memory for the identity probes");
    kvq_rng rng;
    kvq_population_stream(&rng, run_seed, "identity", pop);
    size_t m = kvq_identity_probes(&rng, pop->n, IDENTITY_PROBES, probes);
    kvq_identity_result id;
    int rc = kvq_identity(pop->rows, rows, pop->n, pop->dim, probes, m, &id, err);
    free(probes);
    if (rc) return rc;
    add_metric(cell, "identity", id.identity);
    add_metric(cell, "identity_ceiling", id.ceiling);
    add_metric(cell, "identity_near_duplicates", (double)id.near_duplicates);
    note_near_duplicates(cell, &id);
    return KVQ_OK;
}

/* rel_mse (its value as computed over all coordinates) and the mean cosine over rows (as
 * kvq_mean_cosine sums it), with percentile bootstrap intervals over the rows (ROW_REPS
 * resamples, drawn from boot after the query metrics'). */
static int row_intervals(kvq_cell *cell, const kvq_population *pop, const float *rows,
                         double rel_mse, kvq_rng *boot, kvq_error *err)
{
    size_t n = pop->n, dim = pop->dim;
    struct {
        double *err2, *norm2, *cosine; /* |x_i - x^_i|^2, |x_i|^2, cos(x_i, x^_i) */
    } r = {malloc(n * sizeof(double)), malloc(n * sizeof(double)), malloc(n * sizeof(double))};
    kvq_interval a = {.lo = NAN, .hi = NAN}, b = {.lo = NAN, .hi = NAN};
    int rc = r.err2 && r.norm2 && r.cosine
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu rows", n);
    for (size_t i = 0; !rc && i < n; i++) {
        const float *x = pop->rows + i * dim, *y = rows + i * dim;
        double s = 0.0;
        for (size_t j = 0; j < dim; j++) s += (double)x[j] * (double)x[j];
        r.err2[i] = kvq_squared_distance(x, y, dim), r.norm2[i] = s;
        r.cosine[i] = kvq_row_cosine(x, y, dim);
    }
    double cosine = 0.0;
    for (size_t i = 0; !rc && i < n; i++) cosine += r.cosine[i];
    cosine /= (double)n;
    if (!rc) rc = kvq_bootstrap_ratio(r.err2, r.norm2, n, ROW_REPS, 0.95, boot, &a, err);
    if (!rc) rc = kvq_bootstrap_mean(r.cosine, n, ROW_REPS, 0.95, boot, &b, err);
    if (!rc) {
        kvq_cell_add(cell, "rel_mse", rel_mse, a.lo, a.hi);
        kvq_cell_add(cell, "cosine", cosine, b.lo, b.hi);
    }
    free(r.err2);
    free(r.norm2);
    free(r.cosine);
    return rc;
}

/* Decodes every row: relative MSE and mean cosine per row (with intervals over rows), the
 * residual summary over all coordinates, and identity. */
static int reconstruction_fidelity(kvq_cell *cell, const kvq_codec *codec,
                                   const kvq_population *pop, const uint8_t *codes,
                                   uint64_t run_seed, kvq_rng *boot, kvq_error *err)
{
    size_t count = pop->n * pop->dim;
    float *rows = malloc(count * sizeof *rows);
    if (!rows) return kvq_fail(err, KVQ_ENOMEM, "out of memory decoding %zu rows", pop->n);
    kvq_residuals r;
    int rc = kvq_codec_reconstruct(codec, codes, pop->n, rows, err);
    if (!rc) rc = kvq_residuals_compute(pop->rows, rows, count, &r, err);
    if (!rc) rc = row_intervals(cell, pop, rows, r.rel_mse, boot, err);
    if (!rc) {
        add_metric(cell, "mae", r.mae);
        add_metric(cell, "rmse", r.rmse);
        add_metric(cell, "bias", r.bias);
        add_metric(cell, "max_abs", r.max_abs);
        add_metric(cell, "p99_abs", r.p99_abs);
        rc = identity(cell, pop, rows, run_seed, err);
    }
    free(rows);
    return rc;
}

/* Code size and what it saves against f32 and bf16, the shared bytes amortised over the n rows the
 * codec was fitted on and encodes. */
static void cost(kvq_cell *cell, const kvq_codec *codec, const kvq_population *pop)
{
    double code = (double)codec->code_bytes, shared = (double)kvq_codec_shared_bytes(codec);
    double coords = (double)pop->n * (double)pop->dim, stored = code * (double)pop->n + shared;
    add_metric(cell, "bytes_per_row", code);
    add_metric(cell, "shared_bytes", shared);
    add_metric(cell, "bits_per_coord", 8.0 * code / (double)pop->dim);
    add_metric(cell, "bits_per_coord_total", 8.0 * stored / coords);
    add_metric(cell, "ratio_vs_f32", 4.0 * coords / stored);
    add_metric(cell, "ratio_vs_bf16", 2.0 * coords / stored);
}

/* Marks the cell degenerate (metric degenerate 1, the reason in its note) when the codec's shared
 * bytes reach the size of the rows it was fitted on (kvq_codec_degenerate). */
static void degenerate(kvq_cell *cell, const kvq_codec *codec, const kvq_population *pop)
{
    int is = kvq_codec_degenerate(codec, pop->n);
    add_metric(cell, "degenerate", is);
    if (is)
        kvq_cell_note(cell,
                      "degenerate: shared bytes %zu reach the %zu bytes of the %zu rows in bf16 "
                      "(room for %zu rows in f32)",
                      kvq_codec_shared_bytes(codec), pop->n * pop->dim * 2, pop->n,
                      kvq_codec_shared_bytes(codec) / (pop->dim * 4));
}

/* Adds the CPU time this thread spent since *t0 to the cell's phase, restarts *t0 there and returns
 * the seconds added. */
static double lap(kvq_cell *cell, int phase, struct timespec *t0)
{
    double s = cpu_seconds_since(t0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, t0);
    cell->phase_s[phase] += s;
    return s;
}

/* Encodes and scores every query against every row into est (nq x n), the encode and score passes
 * timed as their phases from *t0 (the end of the previous one). */
static int encode_and_score(kvq_cell *cell, kvq_codec *codec, const kvq_population *pop,
                            uint8_t *codes, float *est, struct timespec *t0, kvq_error *err)
{
    int rc = kvq_codec_encode(codec, pop->rows, pop->n, codes, err);
    double encode_s = lap(cell, KVQ_PHASE_ENCODE, t0);
    if (rc) return rc;
    rc = kvq_codec_score_many(codec, pop->queries, pop->nq, codes, pop->n, est, err);
    double score_s = lap(cell, KVQ_PHASE_SCORE, t0);
    cell->encode_rows_per_s = encode_s > 0 ? (double)pop->n / encode_s : NAN;
    cell->score_rows_per_s = score_s > 0 ? (double)(pop->n * pop->nq) / score_s : NAN;
    return rc;
}

/* A stream for one part of the cell, from the run seed and the cell's identity only: the variant
 * and the population's key (never the folder its file lies in). */
static void part_stream(kvq_rng *rng, uint64_t run_seed, const char *part, const kvq_cell *cell,
                        const kvq_population *pop)
{
    char key[KVQ_POPULATION_KEY_MAX], label[KVQ_POPULATION_KEY_MAX + KVQ_SPEC_MAX + 32];
    kvq_population_key(pop, key, sizeof key);
    snprintf(label, sizeof label, "%s|%s|%s", part, cell->variant, key);
    kvq_rng_derive(rng, run_seed, label);
}

/* Appends a part of the cell that was left out, and why, to its note. */
static void note(kvq_cell *cell, const char *what, const char *why)
{
    char text[KVQ_ERROR_MSG_MAX];
    snprintf(text, sizeof text, "%s skipped: %s", what, why);
    kvq_cell_note(cell, "%s", text);
}

/* The downstream criterion of a model population's cell (include/kvq/model.h); a codec or kind it
 * does not apply to leaves a note. */
static int criterion(kvq_cell *cell, const kvq_codec *codec, const kvq_population *pop,
                     uint64_t run_seed, kvq_error *err)
{
    kvq_rng rng;
    part_stream(&rng, run_seed, "criterion", cell, pop);
    kvq_model m;
    kvq_criterion c;
    kvq_error why;
    int rc = kvq_model_open(&m, pop->source, err);
    if (rc) return rc;
    rc = kvq_model_criterion(&m, pop, cell->variant, codec, kvq_rng_u32(&rng), &rng, &c, &why);
    kvq_model_close(&m);
    if (rc == KVQ_EUNSUPPORTED || rc == KVQ_EINVAL || rc == KVQ_ERANGE) {
        note(cell, "criterion", why.msg);
        return KVQ_OK;
    }
    if (rc) return kvq_fail(err, rc, "criterion: %s", why.msg);
    const kvq_interval *v[] = {&c.next_kl, &c.next_kl_p99, &c.next_top1, &c.delta_nll};
    const char *names[] = {"next_kl", "next_kl_p99", "next_top1", "delta_nll"};
    for (size_t i = 0; i < 4; i++) kvq_cell_add(cell, names[i], v[i]->estimate, v[i]->lo, v[i]->hi);
    return KVQ_OK;
}

/* A codec that cannot be created for this population's dimension, or cannot learn from its rows,
 * does not apply to it: the cell is skipped, not failed. */
static int inapplicable(int rc)
{
    return rc == KVQ_EINVAL || rc == KVQ_ERANGE || rc == KVQ_EUNSUPPORTED;
}

/* The name of a part's stream for fit r of the cell: the part itself for the first fit (so that
 * one fit gives the numbers it always gave), "part/r" for the others. */
static const char *replicate_part(char *buf, size_t size, const char *part, size_t r)
{
    if (r == 0) return part;
    snprintf(buf, size, "%s/%zu", part, r);
    return buf;
}

/* Fit r of the codec (r = 0 the first, the cell's own): opened and fitted from the cell's streams
 * for fit r (each fit's rotations, projections and k-means starts independent of every other
 * fit's), its rows encoded, every query scored, and its score-agreement, reconstruction and cost
 * metrics written to into (the cell itself for fit 0). The CPU time of each phase goes to cell.
 * On success the codec and its codes stay for the caller to use, free and close; on failure
 * nothing does, and into->skipped says whether the codec does not apply. */
static int measure(kvq_cell *cell, kvq_cell *into, const kvq_reference *ref, uint64_t run_seed,
                   size_t r, kvq_codec *codec, uint8_t **codes, struct timespec *t0, kvq_error *err)
{
    const kvq_population *pop = ref->pop;
    char part[32];
    kvq_rng rng, boot;
    part_stream(&rng, run_seed, replicate_part(part, sizeof part, "cell", r), cell, pop);
    part_stream(&boot, run_seed, replicate_part(part, sizeof part, "bootstrap", r), cell, pop);
    int rc = kvq_codec_open(codec, cell->variant, pop->dim, &rng, err);
    if (rc) {
        into->skipped = inapplicable(rc);
        return rc;
    }
    *codes = malloc(pop->n * codec->code_bytes);
    float *est = malloc(pop->nq * pop->n * sizeof *est);
    if (!*codes || !est)
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu codes of %zu bytes", pop->n,
                      codec->code_bytes);
    if (!rc && (rc = kvq_codec_fit(codec, pop->rows, pop->n, &rng, err)))
        into->skipped = inapplicable(rc);
    lap(cell, KVQ_PHASE_FIT, t0);
    if (!rc) rc = encode_and_score(into, codec, pop, *codes, est, t0, err);
    if (into != cell)
        for (int p = KVQ_PHASE_ENCODE; p <= KVQ_PHASE_SCORE; p++)
            cell->phase_s[p] += into->phase_s[p];
    if (!rc) rc = kvq_cell_score_metrics(into, ref, est, &boot, err);
    free(est); /* nq x n scores: not held while the rows are decoded */
    if (!rc && kvq_codec_can_reconstruct(codec))
        rc = reconstruction_fidelity(into, codec, pop, *codes, run_seed, &boot, err);
    if (!rc) cost(into, codec, pop);
    if (rc) {
        free(*codes);
        *codes = NULL;
        kvq_codec_close(codec);
    }
    return rc;
}

/* With replicates R > 1, fits 2..R of the codec (measure): their subject scores are kept in the
 * cell, and each metric the first fit has (but its throughputs) gets the 2.5% and 97.5% quantiles
 * (type 7) of its R fits' values as its across-replicate interval. */
static int replicate(kvq_cell *cell, const kvq_reference *ref, uint64_t run_seed, size_t R,
                     struct timespec *t0, kvq_error *err)
{
    cell->nreplicates = 1;
    if (R <= 1) return KVQ_OK;
    size_t ns = cell->nsubjects, nm = cell->nmetrics;
    double *values = malloc(nm * R * sizeof *values);
    cell->replicate_score = malloc((R - 1) * ns * sizeof *cell->replicate_score + 1);
    if (!values || !cell->replicate_score) {
        free(values);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu fits", R);
    }
    for (size_t m = 0; m < nm; m++) values[m * R] = cell->metrics[m].value;
    int rc = KVQ_OK;
    for (size_t r = 1; r < R && !rc; r++) {
        kvq_cell scratch = {0};
        kvq_codec codec;
        uint8_t *codes;
        rc = measure(cell, &scratch, ref, run_seed, r, &codec, &codes, t0, err);
        lap(cell, KVQ_PHASE_METRICS, t0);
        if (rc)
            kvq_error_wrap(err, "fit %zu of %zu", r + 1, R);
        else
            free(codes), kvq_codec_close(&codec);
        for (size_t s = 0; !rc && s < ns; s++)
            cell->replicate_score[(r - 1) * ns + s] = scratch.subject_score[s];
        for (size_t m = 0; !rc && m < nm; m++)
            values[m * R + r] = kvq_cell_metric(&scratch, cell->metrics[m].name);
        kvq_cell_free(&scratch);
    }
    for (size_t m = 0; !rc && m < nm; m++) {
        kvq_metric_value *v = &cell->metrics[m];
        if (strcmp(v->name, "encode_rows_per_s") && strcmp(v->name, "score_rows_per_s"))
            kvq_percentile_bounds(values + m * R, R, 0.95, &v->rep_low, &v->rep_high);
    }
    if (!rc) cell->nreplicates = R;
    free(values);
    return rc;
}

static int evaluate(kvq_cell *cell, const kvq_reference *ref, uint64_t run_seed, size_t replicates,
                    kvq_error *err)
{
    const kvq_population *pop = ref->pop;
    struct timespec t0; /* the end of the last phase timed */
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    kvq_rng chain;
    part_stream(&chain, run_seed, "chain", cell, pop);

    /* the failure path, testable: KVQ_FAULT_CELL=VARIANT fails every cell of that variant */
    const char *fault = getenv("KVQ_FAULT_CELL");
    if (fault && strcmp(fault, cell->variant) == 0)
        return kvq_fail(err, KVQ_EINTERNAL, "failure injected by KVQ_FAULT_CELL");
    kvq_codec codec;
    uint8_t *codes;
    int rc = measure(cell, cell, ref, run_seed, 0, &codec, &codes, &t0, err);
    lap(cell, KVQ_PHASE_METRICS, &t0);
    if (rc) return rc;
    add_metric(cell, "encode_rows_per_s", cell->encode_rows_per_s);
    add_metric(cell, "score_rows_per_s", cell->score_rows_per_s);
    rc = replicate(cell, ref, run_seed, replicates, &t0, err);
    if (!rc) rc = kvq_cell_chain(cell, &codec, ref, &chain, err);
    lap(cell, KVQ_PHASE_CHAIN, &t0);
    if (!rc && pop->from_model) rc = criterion(cell, &codec, pop, run_seed, err);
    lap(cell, KVQ_PHASE_CRITERION, &t0);
    if (!rc) degenerate(cell, &codec, pop);
    free(codes);
    kvq_codec_close(&codec);
    return rc;
}

int kvq_cell_run(kvq_cell *cell, const kvq_reference *ref, uint64_t run_seed, size_t replicates)
{
    struct timespec wall0, cpu0;
    clock_gettime(CLOCK_MONOTONIC, &wall0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    kvq_error err;
    kvq_error_clear(&err);
    cell->nmetrics = 0;
    cell->chain_len = 0;
    cell->note[0] = '\0';
    cell->skipped = 0;
    for (size_t p = 0; p < KVQ_PHASES; p++) cell->phase_s[p] = 0.0;
    cell->status = evaluate(cell, ref, run_seed, replicates, &err);
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
