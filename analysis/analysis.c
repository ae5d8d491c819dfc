/* The analyses of a run (analysis/analysis.h). */
#include "analysis/analysis.h"
#include "analysis/psychometrics.h"

#include <stdlib.h>
#include <string.h>

int kvq_analysis_run(kvq_analysis *a, kvq_run *run, kvq_error *err)
{
    memset(a, 0, sizeof *a);
    a->pop_facts = calloc(run->npops ? run->npops : 1, sizeof *a->pop_facts);
    if (!a->pop_facts) return kvq_fail(err, KVQ_ENOMEM, "out of memory for population facts");
    for (size_t p = 0; p < run->npops; p++) {
        int rc = kvq_population_facts_compute(&a->pop_facts[p], &run->pops[p], run->spec.seed, err);
        if (!rc)
            rc = kvq_psychometrics_run(run, p, &a->pop_facts[p], &a->reliability, &a->factors, err);
        if (rc) return rc;
    }
    return kvq_validity_compute(run, &a->validity, err);
}

void kvq_analysis_free(kvq_analysis *a)
{
    free(a->pop_facts);
    kvq_stat_rows_free(&a->reliability);
    kvq_stat_rows_free(&a->factors);
    kvq_validity_free(&a->validity);
    memset(a, 0, sizeof *a);
}
