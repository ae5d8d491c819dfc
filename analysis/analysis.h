/* Everything computed across the cells of a run, from its stored cells and its populations: the
 * facts of each population (analysis/population_facts.h) and the psychometric layer
 * (analysis/psychometrics.h), whose per-codec numbers join the cells' metrics, and the criterion
 * validity of the proxies (analysis/validity.h). The epiphany table
 * (analysis/epiphany.h) is evaluated later, from the files the writers make of these. */
#ifndef KVQ_ANALYSIS_H
#define KVQ_ANALYSIS_H

#include "analysis/population_facts.h"
#include "analysis/psychometrics.h"
#include "analysis/stat_rows.h"
#include "analysis/validity.h"
#include "harness/run.h"

typedef struct kvq_analysis {
    size_t npops;
    kvq_population_facts *pop_facts; /* one per population of the run */
    kvq_stat_rows reliability;       /* the psychometric layer's rows, every population */
    kvq_stat_rows factors;           /* its factor-structure rows */
    kvq_loading_boot *loading_boot;  /* per population, its loadings' bootstrap replicates */
    kvq_stat_rows gtheory;           /* the G studies (analysis/generalizability.h) */
    kvq_validity validity;           /* criterion validity of the proxies (model populations) */
} kvq_analysis;

/* Computes every population's facts and runs the psychometric layer on it. KVQ_ENOMEM (or a
 * population's statistics failing) is the only failure. */
int kvq_analysis_run(kvq_analysis *a, kvq_run *run, kvq_error *err);

void kvq_analysis_free(kvq_analysis *a);

#endif
