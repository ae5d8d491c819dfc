/* Helpers shared by codec files (internal to backends/). */
#ifndef KVQ_BACKENDS_UTIL_H
#define KVQ_BACKENDS_UTIL_H

#include "kvq/error.h"
#include <stddef.h>

/* The state of codecs that learn and draw nothing: just the row dimension. */
typedef struct kvq_dim_state {
    size_t dim;
} kvq_dim_state;

/* Allocates a kvq_dim_state for dim into *state; KVQ_ENOMEM naming codec on failure. */
int kvq_dim_state_create(const char *codec, size_t dim, void **state, kvq_error *err);

/* Frees any state allocated with one malloc. */
void kvq_state_free(void *state);

/* Allocates size zeroed bytes; on failure fills err with "<codec>: out of memory ..." and returns
 * NULL. */
void *kvq_state_calloc(const char *codec, size_t size, kvq_error *err);

/* <a, b> over n floats, accumulated in double in index order and rounded once: the exact inner
 * product to float precision (deterministic). Inline: codecs call it on groups of 2 coordinates
 * as well as on whole rows. */
static inline float kvq_dot(const float *a, const float *b, size_t n)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) acc += (double)a[i] * (double)b[i];
    return (float)acc;
}

/* out[c] = kvq_dot(a, rows + c * n, n) for c < count, bit for bit: the sums of KVQ_DOT_ROWS rows
 * at a time are interleaved (each still in index order), so that their additions overlap instead
 * of each waiting for the one before. */
#define KVQ_DOT_ROWS 8
void kvq_dot_rows(const float *a, const float *rows, size_t count, size_t n, float *out);

/* out[q * ldo + c] = kvq_dot(queries + q * n, rows + c * n, n) for q < nq and c < count, bit for
 * bit: each tile of KVQ_DOT_ROWS rows is converted to double and transposed once (into tile,
 * KVQ_DOT_ROWS * n doubles of scratch), then every query's KVQ_DOT_ROWS sums advance side by side
 * in vector lanes, each still in index order. For a block of rows that many queries read. */
void kvq_dot_rows_many(const float *queries, size_t nq, const float *rows, size_t count, size_t n,
                       float *out, size_t ldo, double *tile);

#endif
