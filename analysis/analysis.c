/* The analyses of a run (analysis/analysis.h). */
#include "analysis/analysis.h"
#include "analysis/generalizability.h"
#include "analysis/psychometrics.h"

#include <stdlib.h>
#include <string.h>

int kvq_analysis_run(kvq_analysis *a, kvq_run *run, kvq_error *err)
{
    memset(a, 0, sizeof *a);
    a->npops = run->npops;
    a->pop_facts = calloc(run->npops ? run->npops : 1, sizeof *a->pop_facts);
    a->loading_boot = calloc(run->npops ? run->npops : 1, sizeof *a->loading_boot);
    if (!a->pop_facts || !a->loading_boot)
        return kvq_fail(err, KVQ_ENOMEM, "out of memory for population facts");
    for (size_t p = 0; p < run->npops; p++) {
        int rc = kvq_population_facts_compute(&a->pop_facts[p], &run->pops[p], run->spec.seed, err);
        if (!rc)
            rc = kvq_psychometrics_run(run, p, &a->pop_facts[p], &a->reliability, &a->factors,
                                       &a->loading_boot[p], err);
        if (!rc) rc = kvq_generalizability_run(run, p, &a->gtheory, err);
        if (rc) return rc;
    }
    return kvq_validity_compute(run, &a->validity, err);
}

void kvq_analysis_free(kvq_analysis *a)
{
    for (size_t p = 0; a->loading_boot && p < a->npops; p++)
        kvq_loading_boot_free(&a->loading_boot[p]);
    free(a->loading_boot);
    free(a->pop_facts);
    kvq_stat_rows_free(&a->reliability);
    kvq_stat_rows_free(&a->factors);
    kvq_stat_rows_free(&a->gtheory);
    kvq_validity_free(&a->validity);
    memset(a, 0, sizeof *a);
}
