/* The facts of a finished run, as the epiphany table reads them: every number of cells.csv (one
 * per codec variant, population and metric) and of populations.csv (one per population and metric,
 * with an empty codec). Read back from the run folder, so `kvqeval epiphanies RUN_DIR` sees
 * exactly what a run wrote. */
#ifndef KVQ_FACTS_H
#define KVQ_FACTS_H

#include "io/csv_read.h"

typedef struct kvq_fact {
    const char *codec, *variant; /* "" for population-level facts */
    const char *population, *role, *metric;
    double value;
    double ci_low, ci_high; /* its 95% interval; NaN when it has none */
} kvq_fact;

typedef struct kvq_facts {
    kvq_fact *items;
    size_t count;
    const char **populations; /* distinct, in order of first appearance */
    const char **roles;       /* the role of each population */
    const char **labels;      /* its short label (the label column), or the spec in older runs */
    size_t npopulations;
    kvq_csv_table cells, pops;
} kvq_facts;

/* Reads dir/cells.csv and, when present, dir/populations.csv. */
int kvq_facts_load(kvq_facts *facts, const char *dir, kvq_error *err);
void kvq_facts_free(kvq_facts *facts);

/* The value of metric in the cell of variant on population ("" as the variant: the population's
 * own fact), or NaN when there is none. */
double kvq_facts_value(const kvq_facts *facts, const char *variant, const char *population,
                       const char *metric);

#endif
