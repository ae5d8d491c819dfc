/* A parallel loop over independent jobs, for what runs once per population before the cells (the
 * references) and after them (the psychometric layer): each job writes only its own results, so
 * they do not depend on the thread count or order. */
#ifndef KVQ_PARALLEL_H
#define KVQ_PARALLEL_H

#include "kvq/error.h"
#include <stddef.h>

/* Calls fn(i, ctx) for every i < n on up to `threads` POSIX threads, each taking the next index
 * under a mutex; returns when every call has returned. With threads <= 1, n <= 1, or threads that
 * cannot be started, the calls run on the calling thread (in order, or the rest of them). */
void kvq_parallel_for(size_t n, int threads, void (*fn)(size_t i, void *ctx), void *ctx);

/* The same for jobs that can fail: every job runs, each with its own error, and the result is the
 * status of the first job in index order that failed (its message in err), or KVQ_OK. KVQ_ENOMEM
 * without running any when the errors cannot be held. */
int kvq_parallel_try(size_t n, int threads, int (*fn)(size_t i, void *ctx, kvq_error *err),
                     void *ctx, kvq_error *err);

#endif
