/* The cell thread pool (harness/scheduler.h): workers take the next pending cell under a mutex,
 * evaluate it without the lock, save it, then report it under the lock. */
#include "harness/scheduler.h"
#include "harness/cell_eval.h"
#include "harness/cell_store.h"
#include "io/message.h"

#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

int kvq_run_cell_pending(const kvq_run *run, size_t index)
{
    return !run->cells[index].done && kvq_run_cell_in_shard(run, index);
}

void kvq_tally_start(kvq_cell_tally *t, kvq_run *run, int progress)
{
    /* Cells are the unit of parallelism; one BLAS thread each keeps results and timing stable.
     * What is computed from the cells afterwards runs with one too, whoever evaluated them. */
    openblas_set_num_threads(1);
    *t = (kvq_cell_tally){.run = run};
    size_t total = 0, already = 0;
    for (size_t i = 0; i < run->ncells; i++)
        if (kvq_run_cell_in_shard(run, i)) total++, already += run->cells[i].done;
    kvq_progress_start(&t->progress, total, already, progress);
}

void kvq_tally_started(kvq_cell_tally *t, const kvq_cell *c)
{
    char label[2 * KVQ_SPEC_MAX];
    snprintf(label, sizeof label, "%s x %s", c->variant, t->run->pops[c->population].name);
    kvq_progress_update(&t->progress, label);
}

int kvq_tally_save(const kvq_cell_tally *t, const kvq_cell *c, kvq_error *err)
{
    const kvq_run *run = t->run;
    size_t index = (size_t)(c - run->cells);
    char path[4200];
    kvq_cell_path(path, sizeof path, run->dir, c->population, index % run->spec.nvariants);
    return kvq_cell_save(c, run->pops[c->population].name, path, err);
}

void kvq_tally_ended(kvq_cell_tally *t, const kvq_cell *c, int save_rc, const kvq_error *err)
{
    if (save_rc) {
        t->unsaved++;
        kvq_progress_finish(&t->progress);
        kvq_say("kvqeval: %s", err->msg);
    }
    if (kvq_cell_failed(c)) {
        kvq_progress_finish(&t->progress);
        kvq_say("kvqeval: cell %s x %s failed: %s", c->variant, t->run->pops[c->population].name,
                c->error);
    }
    kvq_progress_update(&t->progress, NULL);
}

void kvq_tally_finish(kvq_cell_tally *t)
{
    kvq_run *run = t->run;
    kvq_progress_finish(&t->progress);
    run->failed = 0;
    for (size_t i = 0; i < run->ncells; i++) run->failed += kvq_cell_failed(&run->cells[i]);
    run->unsaved = t->unsaved;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    run->wall_s =
        (double)(t1.tv_sec - run->t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - run->t0.tv_nsec);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) run->peak_rss_kb = ru.ru_maxrss;
}

typedef struct pool {
    kvq_cell_tally tally;
    pthread_mutex_t lock;
    size_t next; /* the next cell index to consider */
} pool;

/* The next pending cell, or NULL; call with the lock held. */
static kvq_cell *take(pool *pl)
{
    kvq_run *run = pl->tally.run;
    while (pl->next < run->ncells) {
        size_t index = pl->next++;
        if (kvq_run_cell_pending(run, index)) return &run->cells[index];
    }
    return NULL;
}

static void *worker(void *arg)
{
    pool *pl = arg;
    kvq_run *run = pl->tally.run;
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        kvq_cell *c = take(pl);
        if (c) kvq_tally_started(&pl->tally, c);
        pthread_mutex_unlock(&pl->lock);
        if (!c) return NULL;

        kvq_cell_run(c, &run->refs[c->population], run->spec.seed, run->spec.replicates);
        kvq_error err;
        int save_rc = kvq_tally_save(&pl->tally, c, &err);

        pthread_mutex_lock(&pl->lock);
        kvq_tally_ended(&pl->tally, c, save_rc, &err);
        pthread_mutex_unlock(&pl->lock);
    }
}

void kvq_run_execute(kvq_run *run, int threads, int progress)
{
    pool pl;
    kvq_tally_start(&pl.tally, run, progress);
    pl.next = 0;
    pthread_mutex_init(&pl.lock, NULL);
    pthread_t tid[KVQ_MAX_THREADS];
    int started = 0;
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tid[started], NULL, worker, &pl) != 0) break;
        started++;
    }
    worker(&pl); /* the calling thread works too */
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&pl.lock);
    kvq_tally_finish(&pl.tally);
}
