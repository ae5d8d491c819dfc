/* One cell of the matrix, a codec variant evaluated on a population: its record. */
#ifndef KVQ_CELL_H
#define KVQ_CELL_H

#include "kvq/chain.h"
#include "kvq/error.h"
#include "kvq/population.h"
#include <stddef.h>
#include <stdint.h>

#define KVQ_CELL_METRICS_MAX 64
#define KVQ_SPEC_MAX 256
#define KVQ_METRIC_NAME_MAX 32

typedef struct kvq_metric_value {
    char name[KVQ_METRIC_NAME_MAX]; /* stable snake_case identifier (README, "Metrics") */
    double value;
    double ci_low, ci_high;   /* NaN when no interval was computed */
    double rep_low, rep_high; /* across-replicate interval (--replicates R > 1: the 2.5% and 97.5%
                                 quantiles of the R fits' values); NaN otherwise */
} kvq_metric_value;

/* The phases of a cell's evaluation whose CPU time it records, in order (names:
 * kvq_cell_phase_names): creating and fitting the codec, encoding the rows, scoring every query
 * against every code, the per-cell metrics (score agreement, reconstruction, identity, cost), chain
 * collapse, and a model population's downstream criterion. */
enum {
    KVQ_PHASE_FIT,
    KVQ_PHASE_ENCODE,
    KVQ_PHASE_SCORE,
    KVQ_PHASE_METRICS,
    KVQ_PHASE_CHAIN,
    KVQ_PHASE_CRITERION,
    KVQ_PHASES
};

typedef struct kvq_cell {
    char variant[KVQ_SPEC_MAX]; /* the codec spec as given, e.g. "int8" or "turboquant:bits=3" */
    char codec[32];             /* the backend's name (set by whoever fills variant) */
    size_t population;          /* index into the run's populations */

    int done;    /* evaluated (ok or failed), in this run or a resumed one */
    int status;  /* KVQ_OK, or the failure's kvq_status */
    int skipped; /* with status: the codec does not apply to this population (a dimension its
                    blocks do not divide, fewer rows than it learns from); error says why */
    char error[KVQ_ERROR_MSG_MAX]; /* the failure's message */
    size_t nmetrics;
    kvq_metric_value metrics[KVQ_CELL_METRICS_MAX];
    double wall_s, cpu_s;                       /* time spent in the cell */
    double encode_rows_per_s, score_rows_per_s; /* throughput, in this thread's CPU time */
    /* CPU seconds of each phase in this thread's clock (part of cpu_s): 0 for a phase that did not
     * run, NaN when not known (a cell saved without them) */
    double phase_s[KVQ_PHASES];

    /* The codec's view of the population's subjects (reference.h), for the psychometric layer;
     * NULL when the cell failed. */
    size_t nsubjects;
    double *subject_score; /* the codec's score of each subject */
    uint8_t *subject_top;  /* 1 when the subject's row is in the codec's top decile */

    /* Fits of the codec (--replicates): 1, or R when R independent fits were evaluated; the
     * subject scores of fit r >= 1 are replicate_score[(r - 1) * nsubjects + s] (NULL when 1). */
    size_t nreplicates;
    double *replicate_score;

    /* Every query's value of each query-averaged metric, query_values[m * nqueries + q] for
     * kvq_query_metric_names[m] (NaN where undefined); NULL when the cell failed. */
    size_t nqueries;
    double *query_values;

    /* Chain collapse (harness/cell_chain.c): rho at depths 1..chain_len, 0 when not run, with its
     * 95% interval over the starting vectors (NaN when not known). */
    size_t chain_len;
    double chain_rho[KVQ_CHAIN_MAX_DEPTH];
    double chain_rho_low[KVQ_CHAIN_MAX_DEPTH], chain_rho_high[KVQ_CHAIN_MAX_DEPTH];
    char note[KVQ_ERROR_MSG_MAX]; /* why a part of the evaluation was skipped, "" if none */
} kvq_cell;

/* The phases' names as the manifest and the cell store spell them ("fit", "encode", ...). */
extern const char *const kvq_cell_phase_names[KVQ_PHASES];

/* Every metric a cell can hold (README, "Metrics"), NULL-terminated, and whether name is one. */
extern const char *const kvq_cell_metric_names[];
int kvq_cell_metric_known(const char *name);

/* The query-averaged metrics whose every query's value a cell keeps (README, "Metrics"), in
 * order; KVQ_QUERY_METRICS of them. */
#define KVQ_QUERY_METRICS 8
extern const char *const kvq_query_metric_names[KVQ_QUERY_METRICS];

/* The index of a query-averaged metric in kvq_query_metric_names, or -1. */
int kvq_query_metric_index(const char *name);

/* Appends a metric (ignored beyond KVQ_CELL_METRICS_MAX); name must be a known one. */
void kvq_cell_add(kvq_cell *cell, const char *name, double value, double ci_low, double ci_high);

/* Appends a printf-style part to the cell's note, "; " between parts (cut to the note's size). */
void kvq_cell_note(kvq_cell *cell, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The value of metric name in cell, or NaN. */
double kvq_cell_metric(const kvq_cell *cell, const char *name);

/* "ok", "failed" or "skipped", as the outputs spell a cell's status. */
const char *kvq_cell_status_name(const kvq_cell *cell);

/* 1 when the cell failed (not when it was skipped as inapplicable). */
int kvq_cell_failed(const kvq_cell *cell);

/* Frees the subject, replicate and query arrays. */
void kvq_cell_free(kvq_cell *cell);

#endif
