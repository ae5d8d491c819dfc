/* A run: the codec variants x populations matrix, evaluated and written to the run folder. */
#ifndef KVQ_RUN_H
#define KVQ_RUN_H

#include "cell.h"
#include "kvq/population.h"
#include <stddef.h>
#include <stdint.h>

typedef struct kvq_run_config {
    const char **codecs; /* codec variant specs; none given -> every backend's ladder */
    size_t ncodecs;
    const char **populations; /* population specs; none given -> the built-in ones */
    size_t npopulations;
    uint64_t seed;
    const char *out_dir; /* the run folder; NULL -> results/run-<UTC time> */
    int quiet;           /* no table on stdout */
    int argc;            /* the command line, for the manifest */
    char **argv;
} kvq_run_config;

typedef struct kvq_run {
    char dir[4096]; /* the run folder */
    char name[256]; /* its last path component: the `run` column */
    uint64_t seed;
    char started[32]; /* UTC, ISO 8601 */
    double wall_s;
    char **variants; /* owned copies of the codec specs */
    size_t nvariants;
    kvq_population *pops;
    size_t npops;
    kvq_cell *cells; /* nvariants * npops, population-major: cells[p * nvariants + v] */
    size_t ncells;
} kvq_run;

/* Exit statuses of `kvqeval` (README). */
enum { KVQ_EXIT_OK = 0, KVQ_EXIT_CELLS_FAILED = 1, KVQ_EXIT_USAGE = 2, KVQ_EXIT_IO = 3 };

/* Validates the selection, prepares the run folder, evaluates every cell, writes the outputs and
 * prints the table. Messages for the user go to stderr. Returns a KVQ_EXIT_* status. */
int kvq_run_matrix(const kvq_run_config *cfg);

/* Writers (harness/output_*.c, harness/manifest.c). Each writes one file of the run folder
 * atomically. */
int kvq_write_cells_csv(const kvq_run *run, kvq_error *err);
int kvq_write_manifest(const kvq_run *run, const kvq_run_config *cfg, kvq_error *err);

/* Prints the codec x population tables of the headline metrics. */
void kvq_print_tables(const kvq_run *run, FILE *out);

#endif
