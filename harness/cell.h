/* One cell of the matrix: a codec variant evaluated on a population. */
#ifndef KVQ_CELL_H
#define KVQ_CELL_H

#include "kvq/error.h"
#include "kvq/population.h"
#include <stddef.h>
#include <stdint.h>

#define KVQ_CELL_METRICS_MAX 64
#define KVQ_SPEC_MAX 256

typedef struct kvq_metric_value {
    const char *name; /* stable snake_case identifier (README, "Metrics"); a string literal */
    double value;
    double ci_low, ci_high; /* NaN when no interval was computed */
} kvq_metric_value;

typedef struct kvq_cell {
    char variant[KVQ_SPEC_MAX]; /* the codec spec as given, e.g. "int8" or "turboquant:bits=3" */
    char codec[32];             /* the backend's name (set by whoever fills variant) */
    size_t population;          /* index into the run's populations */

    int status;                    /* KVQ_OK, or the failure's kvq_status */
    char error[KVQ_ERROR_MSG_MAX]; /* the failure's message */
    size_t nmetrics;
    kvq_metric_value metrics[KVQ_CELL_METRICS_MAX];
    double wall_s, cpu_s; /* time spent in the cell */
} kvq_cell;

/* Evaluates cell->variant on pop: fit on the rows, encode them, score the queries against the codes
 * and compare with the exact scores, decode when the codec can. The cell's random stream derives
 * from run_seed and the cell's identity (variant and population spec) only. Fills cell->metrics,
 * or cell->status and cell->error on failure; returns cell->status. */
int kvq_cell_run(kvq_cell *cell, const kvq_population *pop, uint64_t run_seed);

/* The value of metric name in cell, or NaN. */
double kvq_cell_metric(const kvq_cell *cell, const char *name);

#endif
