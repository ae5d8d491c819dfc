/* A run: the codec variants x populations matrix, its folder, and its cells evaluated. What is
 * computed across cells and written from them is analysis/ and report/. */
#ifndef KVQ_RUN_H
#define KVQ_RUN_H

#include "harness/cell.h"
#include "harness/reference.h"
#include "harness/run_spec.h"
#include "kvq/population.h"
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define KVQ_MAX_THREADS 256

typedef struct kvq_run_config {
    const char **codecs; /* codec specs (ladder shorthands allowed); none -> every ladder */
    size_t ncodecs;
    const char **populations; /* population specs; none given -> the built-in ones */
    size_t npopulations;
    const char **models; /* checkpoints whose every encodable role joins the populations */
    size_t nmodels;
    int per_layer;   /* --per-layer: a --model population per role and layer, not per role */
    int hash_inputs; /* --hash-inputs: the manifest hashes every input file whole */
    uint64_t seed;
    size_t replicates;      /* --replicates: fits of every codec (0 or 1: one) */
    const char *out_dir;    /* the run folder; NULL -> results/run-<UTC time> */
    const char *resume_dir; /* finish this run instead of starting one */
    int threads;            /* cells evaluated at once (>= 1) */
    int progress;           /* a progress line on stderr (when it is a terminal) */
    int argc;               /* the command line, for the manifest and the report */
    char **argv;
    unsigned shard_index; /* --shard I/N: evaluate shard I of N only (both 0: every cell) */
    unsigned shard_count;
    const char *const *merge_dirs; /* kvqeval merge: a new run at out_dir from these shards */
    size_t nmerge;
} kvq_run_config;

typedef struct kvq_run {
    char dir[4096]; /* the run folder */
    char name[256]; /* its last path component: the `run` column */
    kvq_run_spec spec;
    char started[32];   /* UTC, ISO 8601 */
    struct timespec t0; /* when it started, for wall_s */
    double wall_s;
    long peak_rss_kb;
    int threads;
    int hash_inputs; /* the manifest hashes every input file whole, not only its head */
    int argc;        /* the command line that ran it */
    char **argv;
    kvq_population *pops; /* spec.npopulations of them */
    size_t npops;
    kvq_reference *refs; /* one per population */
    kvq_cell *cells;     /* cells[p * spec.nvariants + v] */
    size_t ncells;
    size_t failed;  /* cells that failed */
    size_t unsaved; /* finished cells the cell store could not save (each reported) */
    int lock_fd;    /* the run folder's lock (run.lock), held until the run ends; -1 before */
    const char **shard_dirs; /* merging: the folder of shard k + 1 (spec.shard_count is 0) */
    size_t nshard_dirs;
} kvq_run;

/* Exit statuses of `kvqeval` (README); the runner's steps answer with them. */
enum { KVQ_EXIT_OK = 0, KVQ_EXIT_CELLS_FAILED = 1, KVQ_EXIT_USAGE = 2, KVQ_EXIT_IO = 3 };

/* Everything checked before work: the selection from cfg (or, resuming, the folder's lock and its
 * run.json; merging, the shards' run.json files, each shard's cells complete and valid, and the
 * new folder free), each population loaded, each variant created once, the memory the run will
 * need, and for a new --out folder that no other run holds or finished it. Returns -1 when the run
 * can start, else a KVQ_EXIT_* status with the message in err. */
int kvq_run_prepare(kvq_run *run, const kvq_run_config *cfg, kvq_error *err);

/* Claims the run folder (created and locked, run.json written first; resuming: writable, stale
 * temporary files removed), builds the reference scores and reads back the cells a resumed run
 * finished; merging, copies every shard's cell files into it first, so that it is a whole run
 * with every cell done. Returns -1 or a KVQ_EXIT_* status. */
int kvq_run_start(kvq_run *run, const kvq_run_config *cfg, kvq_error *err);

/* Frees everything and releases the folder's lock. */
void kvq_run_free(kvq_run *run);

/* 1 when cells[index] is one this run evaluates: every cell, or a shard's share of them
 * (kvq_shard_of_cell). */
int kvq_run_cell_in_shard(const kvq_run *run, size_t index);

/* The cell of population p and variant v. */
kvq_cell *kvq_run_cell(const kvq_run *run, size_t p, size_t v);

#endif
