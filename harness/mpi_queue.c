/* A run's cells over MPI ranks (harness/mpi_queue.h), in a build with -Dmpi=enabled.
 *
 * Rank 0 prepares the run as one process does (the folder and its lock, run.json, the populations
 * and references, the cells a resumed run already finished), then keeps a queue of the pending
 * cells, costliest first, and sends each other rank one cell at a time: the next one as soon as it
 * sends the last one back. The cost of a cell is n x dim x (queries + 1) of its population, the
 * multiply-adds of encoding the rows and scoring every query against them; it is the same for
 * every codec, so ties keep the run's order. A worker rank loads the cell's population and builds
 * its reference the first time it meets it (keeping both for that population's later cells),
 * evaluates the cell and sends back the cell store's text of it; rank 0 reads that text back,
 * which checks that it is the cell it sent, then saves and reports the cell as its own thread
 * pool would. A population a worker cannot load, or a text rank 0 cannot read, ends the cell
 * failed with the reason. The numbers travel as that exact text, so every result is the one a
 * single process gets. A waiting rank polls every millisecond rather than spinning, so rank 0
 * leaves its core to the workers. */
#include "harness/mpi_queue.h"
#include "harness/cell_eval.h"
#include "harness/cell_store.h"
#include "harness/scheduler.h"
#include "io/jsonfile.h"
#include "io/message.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <limits.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A cell to evaluate (rank 0 to a worker), a cell evaluated (back), the end of the world. */
enum { TAG_CELL = 1, TAG_RESULT = 2, TAG_END = 3 };

static int world_rank, world_size = 1;

int kvq_mpi_start(int *argc, char ***argv)
{
    int provided; /* only the main thread calls MPI; the thread pool of one rank never does */
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    return world_rank;
}

void kvq_mpi_end(void)
{
    for (int w = 1; world_rank == 0 && w < world_size; w++)
        MPI_Send(NULL, 0, MPI_CHAR, w, TAG_END, MPI_COMM_WORLD);
    MPI_Finalize();
}

/* Waits for a message from source with tag (either may be a wildcard) without spinning. */
static void wait_for(int source, int tag, MPI_Status *st)
{
    const struct timespec pause = {0, 1000000};
    for (;;) {
        int arrived = 0;
        MPI_Iprobe(source, tag, MPI_COMM_WORLD, &arrived, st);
        if (arrived) return;
        nanosleep(&pause, NULL);
    }
}

/* Receives the message st announced as a NUL-terminated text (malloc'ed). Without the memory to
 * hold it the world cannot go on: rank 0 says so and aborts every rank (the cells saved so far
 * stay, for --resume). */
static char *receive_text(const MPI_Status *st)
{
    int count;
    MPI_Get_count(st, MPI_CHAR, &count);
    char *text = malloc((size_t)count + 1);
    if (!text) {
        if (world_rank == 0)
            kvq_say("kvqeval: out of memory receiving a message of %d bytes from rank %d; finish "
                    "the run with --resume",
                    count, st->MPI_SOURCE);
        MPI_Abort(MPI_COMM_WORLD, KVQ_EXIT_IO);
    }
    MPI_Recv(text, count, MPI_CHAR, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    text[count] = '\0';
    return text;
}

/* Sends text (NULL: an empty message) to rank to. */
static void send_text(const char *text, int to, int tag)
{
    size_t len = text ? strlen(text) + 1 : 0;
    MPI_Send(text, len <= INT_MAX ? (int)len : 0, MPI_CHAR, to, tag, MPI_COMM_WORLD);
}

/* A worker's population, loaded from its spec and the run seed on first use, with its reference;
 * or why it could not be. */
typedef struct loaded {
    char *spec;
    uint64_t seed;
    int rc;
    kvq_error err;
    kvq_population pop;
    kvq_reference ref;
} loaded;

typedef struct population_cache {
    loaded **items; /* each allocated once: a reference points into its population */
    size_t n;
    int blas_threads; /* OpenBLAS's threads for building references, as rank 0 builds them */
} population_cache;

static loaded *load(const char *spec, uint64_t seed, int blas_threads)
{
    loaded *l = calloc(1, sizeof *l);
    if (!l || !(l->spec = strdup(spec))) {
        free(l);
        return NULL;
    }
    l->seed = seed;
    l->rc = kvq_population_load(&l->pop, spec, seed, &l->err);
    if (!l->rc) {
        openblas_set_num_threads(blas_threads);
        l->rc = kvq_reference_build(&l->ref, &l->pop, seed, &l->err);
        openblas_set_num_threads(1);
        if (l->rc) kvq_reference_free(&l->ref), kvq_population_free(&l->pop);
    }
    if (l->rc) kvq_error_wrap(&l->err, "rank %d", world_rank);
    return l;
}

/* The reference of population spec drawn with seed, or NULL with the reason in err. */
static const kvq_reference *reference_of(population_cache *cache, const char *spec, uint64_t seed,
                                         kvq_error *err)
{
    loaded *l = NULL;
    for (size_t i = 0; i < cache->n && !l; i++)
        if (cache->items[i]->seed == seed && strcmp(cache->items[i]->spec, spec) == 0)
            l = cache->items[i];
    if (!l) {
        loaded **grown = realloc(cache->items, (cache->n + 1) * sizeof *grown);
        if (grown) cache->items = grown;
        if (!grown || !(l = load(spec, seed, cache->blas_threads))) {
            kvq_fail(err, KVQ_ENOMEM, "rank %d: out of memory loading population '%s'", world_rank,
                     spec);
            return NULL;
        }
        cache->items[cache->n++] = l;
    }
    if (l->rc) *err = l->err;
    return l->rc ? NULL : &l->ref;
}

static void cache_free(population_cache *cache)
{
    for (size_t i = 0; i < cache->n; i++) {
        loaded *l = cache->items[i];
        if (!l->rc) kvq_reference_free(&l->ref), kvq_population_free(&l->pop);
        free(l->spec);
        free(l);
    }
    free(cache->items);
}

static const char *order_string(const cJSON *order, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(order, key);
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* A worker's answer to an order (order_text's): the cell store's text of the cell, evaluated or
 * failed; NULL when out of memory. */
static char *evaluate(population_cache *cache, const char *order_text)
{
    cJSON *order = cJSON_Parse(order_text);
    const char *spec = order_string(order, "population"), *name = order_string(order, "name");
    const char *variant = order_string(order, "variant");
    double seed, replicates;
    kvq_cell *cell = calloc(1, sizeof *cell);
    char *text = NULL;
    if (cell && spec && name && variant &&
        !kvq_json_read_number(cJSON_GetObjectItemCaseSensitive(order, "seed"), &seed) &&
        !kvq_json_read_number(cJSON_GetObjectItemCaseSensitive(order, "replicates"), &replicates)) {
        snprintf(cell->variant, sizeof cell->variant, "%s", variant);
        kvq_error err;
        kvq_error_clear(&err);
        const kvq_reference *ref = reference_of(cache, spec, (uint64_t)seed, &err);
        if (ref) {
            kvq_cell_run(cell, ref, (uint64_t)seed, (size_t)replicates);
        } else {
            cell->done = 1;
            cell->status = err.code;
            snprintf(cell->error, sizeof cell->error, "%s", err.msg);
        }
        text = kvq_cell_to_text(cell, name);
        kvq_cell_free(cell);
    }
    free(cell);
    cJSON_Delete(order);
    return text;
}

int kvq_mpi_serve(void)
{
    population_cache cache = {.blas_threads = openblas_get_num_threads()};
    openblas_set_num_threads(1); /* as the thread pool evaluates each cell */
    for (;;) {
        MPI_Status st;
        wait_for(0, MPI_ANY_TAG, &st);
        char *order = receive_text(&st);
        if (st.MPI_TAG != TAG_CELL) {
            free(order);
            break;
        }
        char *text = evaluate(&cache, order);
        free(order);
        send_text(text, 0, TAG_RESULT);
        free(text);
    }
    cache_free(&cache);
    return KVQ_EXIT_OK;
}

/* Rank 0's queue: the pending cells, costliest first, and the cell each rank holds. */
typedef struct queue {
    kvq_cell_tally tally;
    size_t *order, n, next;
    size_t *held;
} queue;

typedef struct costed {
    double cost;
    size_t index;
} costed;

static int costlier_first(const void *a, const void *b)
{
    const costed *x = a, *y = b;
    if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

static int queue_init(queue *q, const kvq_run *run)
{
    costed *c = malloc(run->ncells * sizeof *c + 1);
    q->order = malloc(run->ncells * sizeof *q->order + 1);
    q->held = calloc((size_t)world_size, sizeof *q->held);
    int ok = c && q->order && q->held;
    for (size_t i = 0; ok && i < run->ncells; i++) {
        if (!kvq_run_cell_pending(run, i)) continue;
        const kvq_population *pop = &run->pops[run->cells[i].population];
        c[q->n++] = (costed){(double)pop->n * (double)pop->dim * ((double)pop->nq + 1.0), i};
    }
    if (ok) qsort(c, q->n, sizeof *c, costlier_first);
    for (size_t i = 0; ok && i < q->n; i++) q->order[i] = c[i].index;
    free(c);
    return ok ? 0 : -1;
}

/* The words of an order: the population's spec and name, the variant, the run seed and the
 * replicates. */
static char *order_text(const kvq_run *run, const kvq_cell *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "population", run->spec.populations[c->population]);
    cJSON_AddStringToObject(o, "name", run->pops[c->population].name);
    cJSON_AddStringToObject(o, "variant", c->variant);
    cJSON_AddItemToObject(o, "seed", kvq_json_number((double)run->spec.seed));
    cJSON_AddNumberToObject(o, "replicates", (double)run->spec.replicates);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return text;
}

/* Ends cell c failed with status, for a reason of the queue's own, with nothing of an evaluation
 * left. */
static void fail_cell(kvq_cell *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_cell(kvq_cell *c, int status, const char *fmt, ...)
{
    kvq_cell_free(c);
    kvq_cell failed = {.population = c->population, .done = 1, .status = status};
    memcpy(failed.variant, c->variant, sizeof failed.variant);
    memcpy(failed.codec, c->codec, sizeof failed.codec);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(failed.error, sizeof failed.error, fmt, ap);
    va_end(ap);
    *c = failed;
}

static void end_cell(queue *q, const kvq_cell *c)
{
    kvq_error err;
    int save_rc = kvq_tally_save(&q->tally, c, &err);
    kvq_tally_ended(&q->tally, c, save_rc, &err);
}

/* Sends rank w the next pending cell; 0 when none is left. */
static int send_next(queue *q, int w)
{
    kvq_run *run = q->tally.run;
    while (q->next < q->n) {
        size_t index = q->order[q->next++];
        kvq_cell *c = &run->cells[index];
        kvq_tally_started(&q->tally, c);
        char *order = order_text(run, c);
        if (order) {
            send_text(order, w, TAG_CELL);
            free(order);
            q->held[w] = index;
            return 1;
        }
        fail_cell(c, KVQ_ENOMEM, "out of memory sending the cell to rank %d", w);
        end_cell(q, c);
    }
    return 0;
}

/* Receives a cell back, saves and reports it; returns the rank that sent it. */
static int receive_cell(queue *q)
{
    MPI_Status st;
    wait_for(MPI_ANY_SOURCE, TAG_RESULT, &st);
    char *text = receive_text(&st);
    kvq_run *run = q->tally.run;
    kvq_cell *c = &run->cells[q->held[st.MPI_SOURCE]];
    const char *population = run->pops[c->population].name;
    if (!*text)
        fail_cell(c, KVQ_ENOMEM, "rank %d ran out of memory sending the cell back", st.MPI_SOURCE);
    else if (kvq_cell_from_text(c, population, text))
        fail_cell(c, KVQ_EFORMAT, "rank %d sent back a text that is not the cell %s x %s",
                  st.MPI_SOURCE, c->variant, population);
    free(text);
    end_cell(q, c);
    return st.MPI_SOURCE;
}

void kvq_mpi_execute(kvq_run *run, int threads, int progress)
{
    queue q = {.n = 0};
    if (world_size < 2 || queue_init(&q, run)) { /* one rank, or no memory for a queue */
        free(q.order);
        free(q.held);
        kvq_run_execute(run, threads, progress);
        return;
    }
    kvq_tally_start(&q.tally, run, progress);
    int busy = 0;
    for (int w = 1; w < world_size; w++) busy += send_next(&q, w);
    while (busy > 0) busy += send_next(&q, receive_cell(&q)) - 1;
    kvq_tally_finish(&q.tally);
    free(q.order);
    free(q.held);
}
