/* Per-population reference data (harness/reference.h). */
#include "harness/reference.h"
#include "kvq/metrics.h"
#include "kvq/population_key.h"
#include "metrics/select.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of a block: its rows of X in double and their nq scores in double. The scores are computed
 * a block of rows at a time, so that a million rows need not be held in double beside their
 * nq x n double scores. */
#define BLOCK_BYTES (32.0 * 1024 * 1024)

/* Rows per block: all of them when they fit in BLOCK_BYTES, else as equal a split as blocks of
 * at most that size allow (no small remainder block). */
static size_t block_rows(size_t n, size_t nq, size_t dim)
{
    double most = BLOCK_BYTES / ((double)(dim + nq) * sizeof(double));
    size_t cap = most < 1.0 ? 1 : (size_t)most;
    if (n <= cap) return n;
    size_t blocks = (n + cap - 1) / cap;
    return (n + blocks - 1) / blocks;
}

/* S = Q X^T in double with CBLAS dgemm, rounded once to float, so that a codec computing the same
 * inner products exactly (passthrough) reproduces them bit for bit whatever its summation order.
 * Each score is one dot product over dim whichever block of rows it is computed in, so the blocks
 * give the same scores as one product of all rows. */
static float *exact_scores(const kvq_population *pop, kvq_error *err)
{
    size_t n = pop->n, nq = pop->nq, dim = pop->dim, block = block_rows(n, nq, dim);
    double *x = malloc(block * dim * sizeof *x), *q = malloc(nq * dim * sizeof *q);
    double *s = malloc(nq * block * sizeof *s);
    float *out = malloc(nq * n * sizeof *out);
    if (!x || !q || !s || !out) {
        kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory for %zu x %zu exact scores",
                 pop->name, nq, n);
        free(out);
        out = NULL;
        goto done;
    }
    for (size_t i = 0; i < nq * dim; i++) q[i] = pop->queries[i];
    for (size_t first = 0; first < n; first += block) {
        size_t count = n - first < block ? n - first : block;
        for (size_t i = 0; i < count * dim; i++) x[i] = pop->rows[first * dim + i];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)count, (int)dim, 1.0, q,
                    (int)dim, x, (int)dim, 0.0, s, (int)count);
        for (size_t i = 0; i < nq; i++)
            for (size_t j = 0; j < count; j++) out[i * n + first + j] = (float)s[i * count + j];
    }
done:
    free(x);
    free(q);
    free(s);
    return out;
}

/* Whether the exact attention weights (nq x n doubles) fit their budget. */
static int attention_fits(const kvq_population *pop)
{
    return (double)pop->nq * (double)pop->n * sizeof(double) <= KVQ_REFERENCE_ATTENTION_BYTES;
}

/* The bytes of the exact scores' ranks (nq x KVQ_RANKS_OF_BYTES(n)), 0 when over their budget. */
static double ranks_bytes(const kvq_population *pop)
{
    double bytes = (double)pop->nq * (double)KVQ_RANKS_OF_BYTES(pop->n);
    return bytes <= KVQ_REFERENCE_RANKS_BYTES ? bytes : 0.0;
}

/* The bytes of the exact side of a chain of nh vectors of dim, with their ranks when ranked. */
static double chain_bytes(size_t nh, size_t dim, int ranked)
{
    double depth = KVQ_CHAIN_MAX_DEPTH;
    return depth * (double)nh * (double)dim * sizeof(float) +
           (ranked ? depth * (double)nh * (double)KVQ_RANKS_OF_BYTES(dim) : 0.0);
}

double kvq_reference_bytes(const kvq_population *pop)
{
    double nq = (double)pop->nq, dim = (double)pop->dim;
    double block = (double)block_rows(pop->n, pop->nq, pop->dim);
    return (block + nq) * dim * sizeof(double) + nq * block * sizeof(double) +
           nq * (double)pop->n * sizeof(float) +
           (attention_fits(pop) ? nq * ((double)pop->n + dim) * sizeof(double) : 0.0) +
           ranks_bytes(pop) + fmin(chain_bytes(pop->nq, pop->dim, 1), KVQ_REFERENCE_CHAIN_BYTES);
}

/* A part of the reference computed by the first cell that asks for it (any other waits for it) and
 * kept to the reference's end. */
typedef struct lazy {
    pthread_mutex_t lock;
    int done, have; /* computed (or failed for good); holds a value */
} lazy;

/* Runs compute(ctx) once under l's lock and returns in *have whether l holds a value. KVQ_ENOMEM is
 * reported naming the population and leaves l not done, so that a later cell may try again; any
 * other failure marks it done without a value (each cell then computes the part itself, or says
 * why it cannot). */
static int lazy_once(lazy *l, const kvq_population *pop, int (*compute)(void *, kvq_error *),
                     void *ctx, int *have, kvq_error *err)
{
    int rc = KVQ_OK;
    pthread_mutex_lock(&l->lock);
    if (!l->done) {
        kvq_error why;
        rc = compute(ctx, &why);
        l->have = rc == KVQ_OK;
        if (rc == KVQ_ENOMEM)
            kvq_fail(err, rc, "population '%s': %s", pop->name, why.msg);
        else
            l->done = 1, rc = KVQ_OK;
    }
    *have = l->have;
    pthread_mutex_unlock(&l->lock);
    return rc;
}

/* The exact side of the chain (kvq_reference_chain). */
struct kvq_reference_chain {
    lazy once;
    kvq_chain_exact ex;
};

typedef struct chain_job {
    const kvq_reference *ref;
    const kvq_chain_layers *layers;
    size_t nh;
} chain_job;

static int compute_chain(void *ctx, kvq_error *why)
{
    const chain_job *j = ctx;
    const kvq_population *pop = j->ref->pop;
    int ranked = chain_bytes(j->nh, pop->dim, 1) <= KVQ_REFERENCE_CHAIN_BYTES;
    return kvq_chain_exact_compute(j->layers, pop->dim, pop->queries, j->nh, KVQ_CHAIN_MAX_DEPTH,
                                   ranked, &j->ref->chain->ex, why);
}

int kvq_reference_chain(const kvq_reference *ref, const kvq_chain_layers *layers, size_t nh,
                        const kvq_chain_exact **ex, kvq_error *err)
{
    *ex = NULL;
    if (!ref->chain || chain_bytes(nh, ref->pop->dim, 0) > KVQ_REFERENCE_CHAIN_BYTES) return KVQ_OK;
    chain_job job = {ref, layers, nh};
    int have, rc = lazy_once(&ref->chain->once, ref->pop, compute_chain, &job, &have, err);
    if (have) *ex = &ref->chain->ex;
    return rc;
}

/* The exact side of attention parity (kvq_reference_attention). */
struct kvq_reference_attention {
    lazy once;
    kvq_attention_exact ex;
};

static int compute_attention(void *ctx, kvq_error *why)
{
    const kvq_reference *ref = ctx;
    const kvq_population *pop = ref->pop;
    return kvq_attention_exact_compute(ref->exact, pop->nq, pop->n, pop->dim, pop->rows, pop->dim,
                                       &ref->attention->ex, why);
}

int kvq_reference_attention(const kvq_reference *ref, const kvq_attention_exact **ex,
                            kvq_error *err)
{
    const kvq_population *pop = ref->pop;
    *ex = NULL;
    if (!ref->attention || pop->causal || !attention_fits(pop)) return KVQ_OK;
    int have;
    int rc = lazy_once(&ref->attention->once, pop, compute_attention, (void *)ref, &have, err);
    if (have) *ex = &ref->attention->ex;
    return rc;
}

/* 1 when row r is among the k best of scores[0..n), by counting the rows that rank above it. */
static int in_top_k(const float *scores, size_t n, size_t r, size_t k)
{
    size_t above = 0;
    for (size_t i = 0; i < n && above < k; i++)
        above += scores[i] > scores[r] || (scores[i] == scores[r] && i < r);
    return above < k;
}

void kvq_rows_above(const float *scores, size_t n, size_t k, double kth, const uint32_t *rows,
                    size_t m, size_t stride, uint8_t *in_top)
{
    /* a row scoring above the k-th best value has fewer than k rows above it, one below it has at
     * least k (every row scoring kth or more); one scoring kth counts its ties */
    for (size_t j = 0; j < m; j++) {
        double v = scores[rows[j * stride]];
        in_top[j * stride] = v == kth ? (uint8_t)in_top_k(scores, n, rows[j * stride], k) : v > kth;
    }
}

void kvq_rows_in_top_k(const float *scores, size_t n, size_t k, const uint32_t *rows, size_t m,
                       size_t stride, double *work, uint8_t *in_top)
{
    int finite = 1;
    for (size_t i = 0; i < n; i++) work[i] = scores[i], finite &= isfinite(scores[i]) != 0;
    if (!finite) { /* no defined k-th value to compare with: count for each row */
        for (size_t j = 0; j < m; j++)
            in_top[j * stride] = (uint8_t)in_top_k(scores, n, rows[j * stride], k);
        return;
    }
    kvq_select_pair(work, n, n - k);
    kvq_rows_above(scores, n, k, work[n - k], rows, m, stride, in_top);
}

const char *const kvq_stratum_names[KVQ_STRATA] = {"top10", "uniform"};

/* The rows of one query's subjects: its exact best top rows, best first (the first top of best,
 * top <= the query's best rows), then uniform rows drawn without replacement from the others
 * (rejection: a drawn row already taken is drawn again), into rows[0 .. top + uniform). taken: n
 * bytes of 0, left as 0. */
static void query_rows(const size_t *best, size_t n, size_t top, size_t uniform, kvq_rng *rng,
                       size_t *rows, uint8_t *taken)
{
    memcpy(rows, best, top * sizeof *rows);
    for (size_t j = 0; j < top; j++) taken[rows[j]] = 1;
    for (size_t j = top; j < top + uniform;) {
        uint32_t r = kvq_rng_bounded(rng, (uint32_t)n);
        if (!taken[r]) taken[r] = 1, rows[j++] = r;
    }
    for (size_t j = 0; j < top + uniform; j++) taken[rows[j]] = 0;
}

int kvq_reference_build(kvq_reference *ref, const kvq_population *pop, uint64_t run_seed,
                        kvq_error *err)
{
    memset(ref, 0, sizeof *ref);
    ref->pop = pop;
    ref->exact = exact_scores(pop, err);
    if (!ref->exact) return KVQ_ENOMEM;
    size_t n = pop->n, nq = pop->nq;
    size_t top = KVQ_SUBJECTS_TOP + KVQ_SUBJECTS_UNIFORM <= n ? KVQ_SUBJECTS_TOP : n / 2;
    size_t uniform = n - top < KVQ_SUBJECTS_UNIFORM ? n - top : KVQ_SUBJECTS_UNIFORM;
    size_t per = top + uniform, ns = nq * per;
    ref->per_stratum[KVQ_STRATUM_TOP] = top;
    ref->per_stratum[KVQ_STRATUM_UNIFORM] = uniform;
    ref->stratum_weight[KVQ_STRATUM_TOP] = 1.0;
    ref->stratum_weight[KVQ_STRATUM_UNIFORM] = uniform ? (double)(n - top) / (double)uniform : NAN;
    ref->nsubjects = ns;
    ref->top_k = n / 10 ? n / 10 : 1;
    ref->subject_query = malloc(ns * sizeof *ref->subject_query);
    ref->subject_row = malloc(ns * sizeof *ref->subject_row);
    ref->subject_exact = malloc(ns * sizeof *ref->subject_exact);
    ref->subject_top = malloc(ns * sizeof *ref->subject_top);
    ref->subject_stratum = malloc(ns * sizeof *ref->subject_stratum);
    ref->best = n < KVQ_REFERENCE_BEST ? n : KVQ_REFERENCE_BEST;
    ref->exact_best = malloc((nq * ref->best + 1) * sizeof *ref->exact_best);
    size_t *rows = malloc((per ? per : 1) * sizeof *rows);
    uint8_t *taken = calloc(n, 1);
    double *work = malloc(n * sizeof *work);
    if (!ref->subject_query || !ref->subject_row || !ref->subject_exact || !ref->subject_top ||
        !ref->subject_stratum || !ref->exact_best || !rows || !taken || !work) {
        free(rows);
        free(taken);
        free(work);
        kvq_reference_free(ref);
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory for subjects", pop->name);
    }
    kvq_rng rng;
    kvq_population_stream(&rng, run_seed, "subjects", pop);
    for (size_t q = 0; q < nq; q++) {
        const float *scores = ref->exact + q * n;
        size_t *best = ref->exact_best + q * ref->best;
        kvq_top_k(scores, n, ref->best, best);
        query_rows(best, n, top, uniform, &rng, rows, taken);
        for (size_t j = 0; j < per; j++) {
            size_t s = j * nq + q;
            ref->subject_query[s] = (uint32_t)q;
            ref->subject_row[s] = (uint32_t)rows[j];
            ref->subject_exact[s] = scores[rows[j]];
            ref->subject_stratum[s] = j < top ? KVQ_STRATUM_TOP : KVQ_STRATUM_UNIFORM;
        }
        kvq_rows_in_top_k(scores, n, ref->top_k, ref->subject_row + q, per, nq, work,
                          ref->subject_top + q);
    }
    free(rows);
    free(taken);
    free(work);
    if (ranks_bytes(pop) > 0.0 && (ref->exact_ranks = malloc(nq * KVQ_RANKS_OF_BYTES(n))))
        for (size_t q = 0; q < nq; q++)
            kvq_ranks_of_f(ref->exact + q * n, n,
                           (char *)ref->exact_ranks + q * KVQ_RANKS_OF_BYTES(n));
    ref->attention = calloc(1, sizeof *ref->attention);
    ref->chain = calloc(1, sizeof *ref->chain);
    if (ref->attention) pthread_mutex_init(&ref->attention->once.lock, NULL);
    if (ref->chain) pthread_mutex_init(&ref->chain->once.lock, NULL);
    if (!ref->attention || !ref->chain) {
        kvq_reference_free(ref);
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory", pop->name);
    }
    return KVQ_OK;
}

void kvq_reference_free(kvq_reference *ref)
{
    free(ref->exact);
    free(ref->subject_query);
    free(ref->subject_row);
    free(ref->subject_exact);
    free(ref->subject_top);
    free(ref->subject_stratum);
    free(ref->exact_best);
    free(ref->exact_ranks);
    if (ref->attention) {
        if (ref->attention->once.have) kvq_attention_exact_free(&ref->attention->ex);
        pthread_mutex_destroy(&ref->attention->once.lock);
        free(ref->attention);
    }
    if (ref->chain) {
        if (ref->chain->once.have) kvq_chain_exact_free(&ref->chain->ex);
        pthread_mutex_destroy(&ref->chain->once.lock);
        free(ref->chain);
    }
    memset(ref, 0, sizeof *ref);
}
