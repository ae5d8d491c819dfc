/* What every cell of one population is compared against, computed once before the cells run and
 * shared read-only by them: the exact scores, and the sample of subjects for the psychometric
 * layer. */
#ifndef KVQ_REFERENCE_H
#define KVQ_REFERENCE_H

#include "kvq/error.h"
#include "kvq/population.h"
#include <stddef.h>
#include <stdint.h>

/* Subjects of the psychometric layer: sampled (query, row) pairs, the same for every codec of a
 * population. Pair s has query s mod nq (every query equally often) and a row drawn uniformly
 * from the stream derived from the run seed and the population key. */
#define KVQ_SUBJECTS 2048

typedef struct kvq_reference {
    const kvq_population *pop;
    float *exact;     /* nq x n exact scores, row-major (double dgemm, rounded once) */
    size_t nsubjects; /* KVQ_SUBJECTS */
    uint32_t *subject_query, *subject_row;
    double *subject_exact; /* exact score of each subject */
    uint8_t *subject_top;  /* 1 when the subject's row is in the exact top decile of its query */
    size_t top_k;          /* the decile: max(1, n / 10) rows */
} kvq_reference;

/* The most memory kvq_reference_build holds at once for pop (a block of rows and the queries in
 * double, that block's scores in double, every score in float), for a check before it runs. */
double kvq_reference_bytes(const kvq_population *pop);

int kvq_reference_build(kvq_reference *ref, const kvq_population *pop, uint64_t run_seed,
                        kvq_error *err);
void kvq_reference_free(kvq_reference *ref);

/* 1 when row r is among the k best of scores[0..n) (ties: the lower index ranks first). */
int kvq_in_top_k(const float *scores, size_t n, size_t r, size_t k);

#endif
