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
 * product to float precision (deterministic). */
float kvq_dot(const float *a, const float *b, size_t n);

#endif
