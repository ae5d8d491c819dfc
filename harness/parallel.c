/* A parallel loop over independent jobs (harness/parallel.h). */
#include "harness/parallel.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct loop {
    pthread_mutex_t lock;
    size_t next, n;
    void (*fn)(size_t, void *);
    void *ctx;
} loop;

static void *worker(void *arg)
{
    loop *l = arg;
    for (;;) {
        pthread_mutex_lock(&l->lock);
        size_t i = l->next < l->n ? l->next++ : l->n;
        pthread_mutex_unlock(&l->lock);
        if (i == l->n) return NULL;
        l->fn(i, l->ctx);
    }
}

void kvq_parallel_for(size_t n, int threads, void (*fn)(size_t i, void *ctx), void *ctx)
{
    loop l = {.next = 0, .n = n, .fn = fn, .ctx = ctx};
    pthread_mutex_init(&l.lock, NULL);
    size_t want = threads > 1 && n > 1 ? ((size_t)threads < n ? (size_t)threads : n) - 1 : 0;
    pthread_t *ids = want ? malloc(want * sizeof *ids) : NULL;
    size_t started = 0;
    while (ids && started < want && pthread_create(&ids[started], NULL, worker, &l) == 0) started++;
    worker(&l); /* the calling thread is one of them */
    for (size_t t = 0; t < started; t++) pthread_join(ids[t], NULL);
    free(ids);
    pthread_mutex_destroy(&l.lock);
}

/* kvq_parallel_try's jobs: each one's status and error. */
typedef struct tries {
    int (*fn)(size_t, void *, kvq_error *);
    void *ctx;
    int *rc;
    kvq_error *err;
} tries;

static void try_one(size_t i, void *ctx)
{
    tries *t = ctx;
    kvq_error_clear(&t->err[i]);
    t->rc[i] = t->fn(i, t->ctx, &t->err[i]);
}

int kvq_parallel_try(size_t n, int threads, int (*fn)(size_t i, void *ctx, kvq_error *err),
                     void *ctx, kvq_error *err)
{
    tries t = {fn, ctx, calloc(n ? n : 1, sizeof *t.rc), calloc(n ? n : 1, sizeof *t.err)};
    int rc = t.rc && t.err ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu jobs", n);
    if (!rc) kvq_parallel_for(n, threads, try_one, &t);
    for (size_t i = 0; !rc && i < n; i++)
        if ((rc = t.rc[i])) *err = t.err[i];
    free(t.rc);
    free(t.err);
    return rc;
}
