/* A run: the codec variants x populations matrix, evaluated and written to the run folder. */
#ifndef KVQ_RUN_H
#define KVQ_RUN_H

#include "cell.h"
#include "kvq/population.h"
#include "population_facts.h"
#include "reference.h"
#include "run_spec.h"
#include "stat_rows.h"
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KVQ_MAX_THREADS 256

typedef struct kvq_run_config {
    const char **codecs; /* codec specs (ladder shorthands allowed); none -> every ladder */
    size_t ncodecs;
    const char **populations; /* population specs; none given -> the built-in ones */
    size_t npopulations;
    const char **models; /* checkpoints whose every encodable role joins the populations */
    size_t nmodels;
    uint64_t seed;
    const char *out_dir;    /* the run folder; NULL -> results/run-<UTC time> */
    const char *resume_dir; /* finish this run instead of starting one */
    int threads;            /* cells evaluated at once (>= 1) */
    int quiet;              /* no tables on stdout, no progress line */
    const char *epiphanies; /* epiphany spec; NULL -> the built-in one */
    const char *heatmap;    /* metric of the heatmap figure */
    int argc;               /* the command line, for the manifest */
    char **argv;
} kvq_run_config;

typedef struct kvq_run {
    char dir[4096]; /* the run folder */
    char name[256]; /* its last path component: the `run` column */
    kvq_run_spec spec;
    char started[32]; /* UTC, ISO 8601 */
    double wall_s;
    long peak_rss_kb;
    int threads;
    kvq_population *pops; /* spec.npopulations of them */
    size_t npops;
    kvq_reference *refs;             /* one per population */
    kvq_population_facts *pop_facts; /* one per population */
    kvq_stat_rows reliability;       /* the psychometric layer's rows, every population */
    kvq_stat_rows factors;           /* its factor-structure rows */
    kvq_cell *cells;                 /* cells[p * spec.nvariants + v] */
    size_t ncells;
    cJSON *epiphanies; /* the epiphany spec, read and checked before the first cell */
    int lock_fd;       /* the run folder's lock (run.lock), held until the run ends; -1 before */
} kvq_run;

/* Exit statuses of `kvqeval` (README). */
enum { KVQ_EXIT_OK = 0, KVQ_EXIT_CELLS_FAILED = 1, KVQ_EXIT_USAGE = 2, KVQ_EXIT_IO = 3 };

/* Validates the selection (or reads it back from a run to resume), prepares the run folder,
 * evaluates every cell not yet done, writes the outputs and prints the tables. Messages for the
 * user go to stderr. Returns a KVQ_EXIT_* status. */
int kvq_run_matrix(const kvq_run_config *cfg);

/* The cell of population p and variant v. */
kvq_cell *kvq_run_cell(const kvq_run *run, size_t p, size_t v);

/* Writers (harness/output_*.c, harness/manifest.c). Each writes one file of the run folder
 * atomically. */
int kvq_write_cells_csv(const kvq_run *run, kvq_error *err);
int kvq_write_summary_csv(const kvq_run *run, kvq_error *err);
int kvq_write_populations_csv(const kvq_run *run, kvq_error *err);
int kvq_write_reliability_csv(const kvq_run *run, kvq_error *err);
int kvq_write_factors_csv(const kvq_run *run, kvq_error *err);
int kvq_write_chain_csv(const kvq_run *run, kvq_error *err);
int kvq_write_manifest(const kvq_run *run, const kvq_run_config *cfg, kvq_error *err);

typedef enum kvq_table_style { KVQ_TABLE_CONSOLE, KVQ_TABLE_MARKDOWN } kvq_table_style;

/* Prints the codec x population tables of the headline metrics and the population legend. */
void kvq_print_tables(const kvq_run *run, kvq_table_style style, FILE *out);

/* Writes report.md: what ran, the tables, the epiphany table and the figures (after every other
 * output is written). */
int kvq_write_report(const kvq_run *run, const kvq_run_config *cfg, size_t failed, kvq_error *err);

#endif
