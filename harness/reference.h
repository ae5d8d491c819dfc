/* What every cell of one population is compared against, computed once before the cells run and
 * shared read-only by them: the exact scores, and the sample of subjects for the psychometric
 * layer. */
#ifndef KVQ_REFERENCE_H
#define KVQ_REFERENCE_H

#include "kvq/attention.h"
#include "kvq/chain.h"
#include "kvq/error.h"
#include "kvq/population.h"
#include <stddef.h>
#include <stdint.h>

/* Subjects of the psychometric layer: (query, row) pairs, the same for every codec of a
 * population, drawn in two strata for every query. The top stratum is the query's exact best
 * KVQ_SUBJECTS_TOP rows (the ranking head, where retrieval is decided: kvq_in_top_k's order); the
 * uniform stratum is KVQ_SUBJECTS_UNIFORM rows drawn uniformly without replacement from the other
 * rows, from the stream derived from the run seed and the population key. With fewer than
 * KVQ_SUBJECTS_TOP + KVQ_SUBJECTS_UNIFORM rows, the top stratum takes min(10, n / 2) rows and the
 * uniform one the rest, up to 10. Subject s = j * nq + q asks query q: j < top its j-th best row,
 * then the uniform draws in the order drawn. */
#define KVQ_SUBJECTS_TOP 10
#define KVQ_SUBJECTS_UNIFORM 10

/* The strata, as subjects.csv names them (kvq_stratum_names). */
enum { KVQ_STRATUM_TOP, KVQ_STRATUM_UNIFORM, KVQ_STRATA };
extern const char *const kvq_stratum_names[KVQ_STRATA];

typedef struct kvq_reference {
    const kvq_population *pop;
    float *exact;     /* nq x n exact scores, row-major (double dgemm, rounded once) */
    size_t nsubjects; /* nq * (per_stratum[0] + per_stratum[1]) */
    size_t per_stratum[KVQ_STRATA];    /* subjects of each query in each stratum */
    double stratum_weight[KVQ_STRATA]; /* a subject's inverse inclusion probability among its
                                          query's rows: 1 in the top stratum, (n - top) / uniform
                                          in the uniform one */
    uint32_t *subject_query, *subject_row;
    uint8_t *subject_stratum; /* KVQ_STRATUM_TOP or KVQ_STRATUM_UNIFORM */
    double *subject_exact;    /* exact score of each subject */
    uint8_t *subject_top;     /* 1 when the subject's row is in the exact top decile of its query */
    size_t top_k;             /* the decile: max(1, n / 10) rows */
    size_t *exact_best;       /* nq x best: each query's best rows by exact score, best first
                                 (kvq_top_k), which every cell's recall@k reads */
    size_t best;              /* min(KVQ_REFERENCE_BEST, n) */
    void *exact_ranks;        /* nq x KVQ_RANKS_OF_BYTES(n): each query's exact scores ranked
                                 (kvq_ranks_of_f), or NULL over KVQ_REFERENCE_RANKS_BYTES */
    struct kvq_reference_attention *attention; /* the exact side of attention parity, computed
                                                  by the first cell that asks for it
                                                  (kvq_reference_attention) */
    struct kvq_reference_chain *chain;         /* the exact side of the chain, likewise
                                                  (kvq_reference_chain) */
} kvq_reference;

/* The most the exact scores' ranks of one population may take. */
#define KVQ_REFERENCE_RANKS_BYTES (64.0 * 1024 * 1024)

/* The most the exact attention weights (nq x n doubles) of one population may take. */
#define KVQ_REFERENCE_ATTENTION_BYTES (64.0 * 1024 * 1024)

/* The exact side of attention parity of ref's population with its rows as the values, computed
 * once by the first caller (any other waits for it) and kept to the reference's end: *ex, or NULL
 * for a causal population, weights over KVQ_REFERENCE_ATTENTION_BYTES, or scores or rows that are
 * not finite (each cell's attention parity then computes both sides, or says why it cannot).
 * KVQ_ENOMEM naming the population. */
int kvq_reference_attention(const kvq_reference *ref, const kvq_attention_exact **ex,
                            kvq_error *err);

/* The most the exact side of one population's chain (its vectors, then their ranks) may take. */
#define KVQ_REFERENCE_CHAIN_BYTES (64.0 * 1024 * 1024)

/* The exact side of ref's population's chain on layers from its first nh queries, to
 * KVQ_CHAIN_MAX_DEPTH (every cell's chain: the layers and vectors depend on the population
 * alone), computed once by the first caller (any other waits for it) and kept to the reference's
 * end: *ex, with the vectors' ranks when they fit KVQ_REFERENCE_CHAIN_BYTES too, or NULL when the
 * vectors do not (each cell's chain then computes its exact side, as it does for sizes the chain
 * refuses). KVQ_ENOMEM naming the population. */
int kvq_reference_chain(const kvq_reference *ref, const kvq_chain_layers *layers, size_t nh,
                        const kvq_chain_exact **ex, kvq_error *err);

/* The exact best rows a reference keeps of each query: enough for recall@100. */
#define KVQ_REFERENCE_BEST 100

/* The most memory kvq_reference_build holds at once for pop (a block of rows and the queries in
 * double, that block's scores in double, every score in float), for a check before it runs. */
double kvq_reference_bytes(const kvq_population *pop);

int kvq_reference_build(kvq_reference *ref, const kvq_population *pop, uint64_t run_seed,
                        kvq_error *err);
void kvq_reference_free(kvq_reference *ref);

/* For j < m: in_top[j * stride] = 1 when row rows[j * stride] is among the k best (1 <= k <= n) of
 * scores[0..n) (ties: the lower index ranks first, kvq_top_k's order), else 0. One selection of
 * the k-th best value serves every row, O(n); only a row whose score equals it counts its ties.
 * work: n doubles of scratch. */
void kvq_rows_in_top_k(const float *scores, size_t n, size_t k, const uint32_t *rows, size_t m,
                       size_t stride, double *work, uint8_t *in_top);

/* kvq_rows_in_top_k with the k-th best value of the scores known (kth; every score finite): no
 * selection. */
void kvq_rows_above(const float *scores, size_t n, size_t k, double kth, const uint32_t *rows,
                    size_t m, size_t stride, uint8_t *in_top);

#endif
