/* Agreement of a codec's scores with the exact ones, for one cell (harness/cell_scores.h).
 *
 * est holds the codec's scores S^ of every query against every row (nq x n), ref the exact S.
 * Per query: Pearson, Spearman, Kendall tau-b over the n rows, recall@1/10/100; each averaged
 * over the queries with a 95% percentile bootstrap interval over queries (1000 resamples from the
 * cell's stream). A query whose exact or codec scores are constant has no correlation: the three
 * correlations average over the other queries only (counted in n_queries_defined), their
 * bootstrap resamples those queries, and with none defined they are NaN. Over all pairs: bias and
 * RMSE of the scores. Attention parity of softmax(S/sqrt d) against softmax(S^/sqrt d), with the
 * population's rows as the values; attn_kl and attn_top1 with bootstrap intervals over queries
 * drawn after the per-query metrics' from the same stream. The cell keeps every query's value of
 * these (cell->query_values), for paired comparisons and queries.csv. And the codec's view of the
 * psychometric subjects. */
#include "harness/cell_scores.h"
#include "kvq/attention.h"
#include "kvq/bootstrap.h"
#include "kvq/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOTSTRAP_REPS 1000
#define LEVEL 0.95

static const size_t recall_ks[] = {1, 10, 100};
_Static_assert(KVQ_REFERENCE_BEST == 100, "recall@100 reads the reference's best rows");
/* the order of kvq_query_metric_names: the per-query metrics, then attention's two */
enum { PEARSON, SPEARMAN, KENDALL, RECALL1, RECALL10, RECALL100, PER_QUERY };
enum { ATTN_KL = PER_QUERY, ATTN_TOP1 };

/* The codec's view of the subjects that ask query q, from its scores est of that query and their
 * top_k-th best value kth (NaN: not known, selected here); work: n doubles of scratch. */
static void record_subjects(kvq_cell *cell, const kvq_reference *ref, size_t q, const float *est,
                            float kth, double *work)
{
    size_t nq = ref->pop->nq, m = ref->nsubjects / nq;
    for (size_t s = q; s < ref->nsubjects; s += nq)
        cell->subject_score[s] = est[ref->subject_row[s]];
    if (isnan(kth))
        kvq_rows_in_top_k(est, ref->pop->n, ref->top_k, ref->subject_row + q, m, nq, work,
                          cell->subject_top + q);
    else
        kvq_rows_above(est, ref->pop->n, ref->top_k, kth, ref->subject_row + q, m, nq,
                       cell->subject_top + q);
}

/* recall@k of one query for each k of recall_ks up to n (NaN beyond), out[k * nq], from one
 * selection of the largest such K of the codec's scores e (read from their sort in ranks when the
 * rank correlations made one) and the exact best rows best (the reference's, at least K): the best
 * k of the best K, best first, are the top k (one total order), so each overlap is the one
 * kvq_recall_at_k counts. top: 3 K indices. */
static void recalls(const float *e, const void *ranks, const size_t *best, size_t n, size_t nq,
                    size_t *top, double *out)
{
    size_t big = 0;
    float kth;
    for (size_t k = 0; k < 3; k++)
        if (recall_ks[k] <= n) big = recall_ks[k];
    if (big && !kvq_sorted_top_k(ranks, e, n, big, top, &kth)) kvq_top_k(e, n, big, top);
    size_t *a = top + big, *b = a + big;
    for (size_t k = 0; k < 3; k++) {
        out[k * nq] = NAN;
        if (recall_ks[k] > n) continue;
        memcpy(a, top, recall_ks[k] * sizeof *a); /* the overlap sorts its sets */
        memcpy(b, best, recall_ks[k] * sizeof *b);
        out[k * nq] = kvq_top_k_overlap(a, b, recall_ks[k]);
    }
}

/* The per-query values of every metric, v[m * nq + q], and each query's top_k-th best codec score
 * (kth[q], NaN when its scores were not sorted); x: 2 n doubles, ranks:
 * KVQ_RANK_CORRELATIONS_WORK(n) bytes, top: 3 recall_ks[2] indices of scratch. */
static void per_query(const kvq_reference *ref, const float *est, double *v, double *x, void *ranks,
                      size_t *top, float *kth)
{
    size_t n = ref->pop->n, nq = ref->pop->nq;
    for (size_t q = 0; q < nq; q++) {
        const float *s = ref->exact + q * n, *e = est + q * n;
        for (size_t i = 0; i < n; i++) x[i] = s[i], x[n + i] = e[i];
        v[PEARSON * nq + q] = kvq_pearson(x, x + n, n);
        if (ref->exact_ranks) /* the exact side ranked once for every cell */
            kvq_rank_correlations_ranked_f(
                (const char *)ref->exact_ranks + q * KVQ_RANKS_OF_BYTES(n), e, n, ranks,
                &v[SPEARMAN * nq + q], &v[KENDALL * nq + q]);
        else
            kvq_rank_correlations_f(s, e, n, ranks, &v[SPEARMAN * nq + q], &v[KENDALL * nq + q]);
        recalls(e, ranks, ref->exact_best + q * ref->best, n, nq, top, v + RECALL1 * nq + q);
        if (!kvq_sorted_top_k(ranks, e, n, ref->top_k, NULL, &kth[q])) kth[q] = NAN;
    }
}

/* The causal mask of a model's keys: query i may attend to row j of its layer, sequence and KV
 * head at a position up to its own. NULL when out of memory. */
static uint8_t *causal_mask(const kvq_population *pop)
{
    uint8_t *m = malloc(pop->nq * pop->n);
    for (size_t i = 0; m && i < pop->nq; i++) {
        kvq_origin q = pop->query_origin[i];
        for (size_t j = 0; j < pop->n; j++) {
            kvq_origin r = pop->row_origin[j];
            m[i * pop->n + j] =
                r.layer == q.layer && r.seq == q.seq && r.head == q.head && r.pos <= q.pos;
        }
    }
    return m;
}

/* The mean of the finite values of x[0..nq) (compacted to its front) with a bootstrap interval
 * over them; estimate replaces the bootstrap's own mean (the metric's value as computed). */
static int query_interval(kvq_cell *cell, const char *name, double estimate, double *x, size_t nq,
                          kvq_rng *rng, kvq_error *err)
{
    size_t k = 0;
    for (size_t q = 0; q < nq; q++)
        if (isfinite(x[q])) x[k++] = x[q];
    kvq_interval ci = {.estimate = NAN, .lo = NAN, .hi = NAN};
    int rc = k ? kvq_bootstrap_mean(x, k, BOOTSTRAP_REPS, LEVEL, rng, &ci, err) : KVQ_OK;
    if (!rc) kvq_cell_add(cell, name, estimate, ci.lo, ci.hi);
    return rc;
}

/* Attention parity, attn_kl and attn_top1 with bootstrap intervals over the queries; scores that
 * overflow float (rows of huge norm) leave it out with a note. */
static int attention(kvq_cell *cell, const kvq_reference *ref, const float *est, kvq_rng *rng,
                     kvq_error *err)
{
    const kvq_population *pop = ref->pop;
    kvq_attention a;
    kvq_error why;
    const kvq_attention_exact *known;
    if (kvq_reference_attention(ref, &known, err)) return KVQ_ENOMEM;
    uint8_t *mask = pop->causal ? causal_mask(pop) : NULL;
    double *each = malloc(2 * pop->nq * sizeof *each);
    if ((pop->causal && !mask) || !each) {
        free(mask);
        free(each);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory for attention parity");
    }
    int rc = known ? kvq_attention_parity_with(known, est, &a, each, each + pop->nq, &why)
                   : kvq_attention_parity_each(ref->exact, est, mask, pop->nq, pop->n, pop->dim,
                                               pop->rows, pop->dim, &a, each, each + pop->nq, &why);
    if (!rc) memcpy(cell->query_values + ATTN_KL * pop->nq, each, 2 * pop->nq * sizeof *each);
    free(mask);
    if (rc == KVQ_EINVAL) {
        free(each);
        kvq_cell_note(cell, "attention parity skipped: %s", why.msg);
        return KVQ_OK;
    }
    if (rc) {
        free(each);
        return kvq_fail(err, rc, "%s", why.msg);
    }
    rc = query_interval(cell, "attn_kl", a.kl, each, pop->nq, rng, err);
    if (!rc) rc = query_interval(cell, "attn_top1", a.top1, each + pop->nq, pop->nq, rng, err);
    if (!rc) kvq_cell_add(cell, "attn_out_rel_err", a.out_rel_err, NAN, NAN);
    free(each);
    return rc;
}

/* A query's correlations are defined when Pearson, Spearman and Kendall are all finite: its exact
 * and its codec scores both vary. Moves the defined queries' values of each correlation to the
 * front of its row of v; returns their count. */
static size_t keep_defined(double *v, size_t nq)
{
    size_t kept = 0;
    for (size_t q = 0; q < nq; q++) {
        if (!isfinite(v[PEARSON * nq + q]) || !isfinite(v[SPEARMAN * nq + q]) ||
            !isfinite(v[KENDALL * nq + q]))
            continue;
        for (size_t m = PEARSON; m <= KENDALL; m++) v[m * nq + kept] = v[m * nq + q];
        kept++;
    }
    return kept;
}

/* Each per-query metric averaged over its queries (the correlations over the defined ones only)
 * with its bootstrap interval over the same queries; NaN without an interval when none is
 * defined. */
static int query_means(kvq_cell *cell, double *v, size_t n, size_t nq, kvq_rng *rng, kvq_error *err)
{
    size_t defined = keep_defined(v, nq);
    int rc = KVQ_OK;
    for (size_t m = 0; m < PER_QUERY && !rc; m++) {
        if (m >= RECALL1 && recall_ks[m - RECALL1] > n) continue; /* fewer rows than k */
        size_t count = m <= KENDALL ? defined : nq;
        kvq_interval ci = {.estimate = NAN, .lo = NAN, .hi = NAN};
        if (count) rc = kvq_bootstrap_mean(v + m * nq, count, BOOTSTRAP_REPS, LEVEL, rng, &ci, err);
        if (!rc) kvq_cell_add(cell, kvq_query_metric_names[m], ci.estimate, ci.lo, ci.hi);
        if (m == KENDALL) kvq_cell_add(cell, "n_queries_defined", (double)defined, NAN, NAN);
    }
    return rc;
}

/* Bias and RMSE of the codec's scores over all count pairs, summed as kvq_residuals_compute sums
 * them (the same numbers) without its percentiles, which are not reported and would copy every
 * score. */
static void score_residuals(kvq_cell *cell, const float *exact, const float *est, size_t count)
{
    double sum = 0.0, sum_sq = 0.0;
    for (size_t i = 0; i < count; i++) {
        double d = (double)est[i] - (double)exact[i];
        sum += d, sum_sq += d * d;
    }
    kvq_cell_add(cell, "score_bias", sum / (double)count, NAN, NAN);
    kvq_cell_add(cell, "score_rmse", sqrt(sum_sq / (double)count), NAN, NAN);
}

int kvq_cell_score_metrics(kvq_cell *cell, const kvq_reference *ref, const float *est, kvq_rng *rng,
                           kvq_error *err)
{
    const kvq_population *pop = ref->pop;
    size_t n = pop->n, nq = pop->nq;
    double *v = malloc(PER_QUERY * nq * sizeof *v);
    double *x = malloc(2 * n * sizeof *x); /* exact, estimate */
    void *ranks = malloc(KVQ_RANK_CORRELATIONS_WORK(n));
    size_t *top = malloc(3 * recall_ks[2] * sizeof *top);
    float *kth = malloc(nq * sizeof *kth);
    cell->subject_score = malloc(ref->nsubjects * sizeof *cell->subject_score);
    cell->subject_top = malloc(ref->nsubjects * sizeof *cell->subject_top);
    cell->nsubjects = ref->nsubjects;
    cell->query_values = malloc(KVQ_QUERY_METRICS * nq * sizeof *cell->query_values);
    cell->nqueries = nq;
    int rc = KVQ_OK;
    if (!v || !x || !ranks || !top || !kth || !cell->subject_score || !cell->subject_top ||
        !cell->query_values) {
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for the metrics of %zu queries", nq);
        goto out;
    }
    per_query(ref, est, v, x, ranks, top, kth);
    for (size_t i = 0; i < KVQ_QUERY_METRICS * nq; i++) cell->query_values[i] = NAN;
    memcpy(cell->query_values, v, PER_QUERY * nq * sizeof *v); /* before query_means compacts v */
    rc = query_means(cell, v, n, nq, rng, err);
    if (!rc) {
        score_residuals(cell, ref->exact, est, nq * n);
        rc = attention(cell, ref, est, rng, err);
    }
    for (size_t q = 0; q < nq && !rc; q++) record_subjects(cell, ref, q, est + q * n, kth[q], x);
out:
    free(v);
    free(x);
    free(ranks);
    free(top);
    free(kth);
    return rc;
}
