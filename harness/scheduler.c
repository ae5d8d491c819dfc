/* The cell thread pool (harness/scheduler.h): workers take the next pending cell under a mutex,
 * evaluate it without the lock, then save it and report progress under the lock. */
#include "harness/scheduler.h"
#include "harness/cell_eval.h"
#include "harness/cell_store.h"
#include "harness/progress.h"
#include "io/message.h"

#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

typedef struct pool {
    kvq_run *run;
    pthread_mutex_t lock;
    size_t next; /* the next cell index to consider */
    kvq_progress progress;
    size_t unsaved;
} pool;

/* The next pending cell of this run's shard, or NULL; call with the lock held. */
static kvq_cell *take(pool *pl)
{
    while (pl->next < pl->run->ncells) {
        size_t index = pl->next++;
        kvq_cell *c = &pl->run->cells[index];
        if (!c->done && kvq_run_cell_in_shard(pl->run, index)) return c;
    }
    return NULL;
}

static void *worker(void *arg)
{
    pool *pl = arg;
    kvq_run *run = pl->run;
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        kvq_cell *c = take(pl);
        if (c) {
            char label[2 * KVQ_SPEC_MAX];
            snprintf(label, sizeof label, "%s x %s", c->variant, run->pops[c->population].name);
            kvq_progress_update(&pl->progress, label);
        }
        pthread_mutex_unlock(&pl->lock);
        if (!c) return NULL;

        kvq_cell_run(c, &run->refs[c->population], run->spec.seed);
        size_t index = (size_t)(c - run->cells);
        char path[4200];
        kvq_cell_path(path, sizeof path, run->dir, c->population, index % run->spec.nvariants);
        kvq_error err;
        int save_rc = kvq_cell_save(c, run->pops[c->population].name, path, &err);

        pthread_mutex_lock(&pl->lock);
        if (save_rc) {
            pl->unsaved++;
            kvq_progress_finish(&pl->progress);
            kvq_say("kvqeval: %s", err.msg);
        }
        if (kvq_cell_failed(c)) {
            kvq_progress_finish(&pl->progress);
            kvq_say("kvqeval: cell %s x %s failed: %s", c->variant, run->pops[c->population].name,
                    c->error);
        }
        kvq_progress_update(&pl->progress, NULL);
        pthread_mutex_unlock(&pl->lock);
    }
}

void kvq_run_execute(kvq_run *run, int threads, int progress)
{
    /* Cells are the unit of parallelism; one BLAS thread each keeps results and timing stable. */
    openblas_set_num_threads(1);
    pool pl = {.run = run};
    pthread_mutex_init(&pl.lock, NULL);
    size_t total = 0, already = 0;
    for (size_t i = 0; i < run->ncells; i++)
        if (kvq_run_cell_in_shard(run, i)) total++, already += run->cells[i].done;
    kvq_progress_start(&pl.progress, total, already, progress);
    pthread_t tid[KVQ_MAX_THREADS];
    int started = 0;
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tid[started], NULL, worker, &pl) != 0) break;
        started++;
    }
    worker(&pl); /* the calling thread works too */
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    kvq_progress_finish(&pl.progress);
    pthread_mutex_destroy(&pl.lock);
    run->failed = 0;
    for (size_t i = 0; i < run->ncells; i++) run->failed += kvq_cell_failed(&run->cells[i]);
    run->unsaved = pl.unsaved;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    run->wall_s =
        (double)(t1.tv_sec - run->t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - run->t0.tv_nsec);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) run->peak_rss_kb = ru.ru_maxrss;
}
