/* The facts of a finished run, as the epiphany table reads them: every number of cells.csv (one
 * per codec variant, population and metric) and of populations.csv (one per population and metric,
 * with an empty codec), and every query's values from queries.csv for paired comparisons. Read
 * back from the run folder, so `kvqeval epiphanies RUN_DIR` sees exactly what a run wrote. */
#ifndef KVQ_FACTS_H
#define KVQ_FACTS_H

#include "io/csv_read.h"

typedef struct kvq_fact {
    const char *codec, *variant; /* "" for population-level facts */
    const char *population, *role, *metric;
    double value;
    double ci_low, ci_high; /* its 95% interval; NaN when it has none */
} kvq_fact;

/* A cell of queries.csv, whose rows come cell by cell: its rows first..first + count - 1. */
typedef struct kvq_facts_cell {
    const char *population, *variant;
    size_t first, count;
} kvq_facts_cell;

typedef struct kvq_facts {
    kvq_fact *items;
    size_t count;
    const char **populations; /* distinct, in order of first appearance */
    const char **roles;       /* the role of each population */
    const char **labels;      /* its short label (the label column), or the spec in older runs */
    size_t npopulations;
    kvq_csv_table cells, pops;
    kvq_csv_table queries;       /* queries.csv; no rows when the run has none */
    kvq_facts_cell *query_cells; /* the cells of queries.csv */
    size_t nquery_cells;
} kvq_facts;

/* Reads dir/cells.csv and, when present, dir/populations.csv and dir/queries.csv. */
int kvq_facts_load(kvq_facts *facts, const char *dir, kvq_error *err);
void kvq_facts_free(kvq_facts *facts);

/* The value of metric in the cell of variant on population ("" as the variant: the population's
 * own fact), or NaN when there is none. */
double kvq_facts_value(const kvq_facts *facts, const char *variant, const char *population,
                       const char *metric);

/* 1 when glob (fnmatch) matches population p's short label or its spec. */
int kvq_facts_population_matches(const kvq_facts *facts, size_t p, const char *glob);

/* Every query's value of metric (a column of queries.csv) in the cell of variant on population:
 * *x (a new array of the returned count, NaN where undefined), in query order. 0 and *x NULL when
 * the run has no such cell or column; -1 when out of memory. */
long kvq_facts_queries(const kvq_facts *facts, const char *variant, const char *population,
                       const char *metric, double **x);

#endif
