/* The analyses of a run (analysis/analysis.h). Each population's facts, psychometric layer and G
 * study run as one job of a parallel loop (harness/parallel.h) on the run's threads: a job reads
 * its population, its reference and its cells, adds metrics to those cells only and writes its
 * own rows, which are joined in population order afterwards, so the outputs do not depend on the
 * thread count. */
#include "analysis/analysis.h"
#include "analysis/generalizability.h"
#include "analysis/psychometrics.h"
#include "harness/parallel.h"

#include <stdlib.h>
#include <string.h>

/* One population's job: its rows. */
typedef struct job {
    kvq_stat_rows reliability, factors, gtheory;
} job;

typedef struct jobs {
    kvq_analysis *a;
    kvq_run *run;
    job *each;
} jobs;

static int population(size_t p, void *ctx, kvq_error *err)
{
    jobs *j = ctx;
    kvq_analysis *a = j->a;
    job *o = &j->each[p];
    int rc =
        kvq_population_facts_compute(&a->pop_facts[p], &j->run->pops[p], j->run->spec.seed, err);
    if (!rc)
        rc = kvq_psychometrics_run(j->run, p, &a->pop_facts[p], &o->reliability, &o->factors,
                                   &a->loading_boot[p], err);
    if (!rc) rc = kvq_generalizability_run(j->run, p, &o->gtheory, err);
    return rc;
}

int kvq_analysis_run(kvq_analysis *a, kvq_run *run, kvq_error *err)
{
    memset(a, 0, sizeof *a);
    a->npops = run->npops;
    size_t n = run->npops ? run->npops : 1;
    a->pop_facts = calloc(n, sizeof *a->pop_facts);
    a->loading_boot = calloc(n, sizeof *a->loading_boot);
    job *each = calloc(n, sizeof *each);
    if (!a->pop_facts || !a->loading_boot || !each) {
        free(each);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory for population facts");
    }
    jobs j = {a, run, each};
    int rc = kvq_parallel_try(run->npops, run->threads, population, &j, err);
    for (size_t p = 0; p < run->npops; p++) {
        if (!rc && (kvq_stat_rows_append(&a->reliability, &each[p].reliability) ||
                    kvq_stat_rows_append(&a->factors, &each[p].factors) ||
                    kvq_stat_rows_append(&a->gtheory, &each[p].gtheory)))
            rc = kvq_fail(err, KVQ_ENOMEM, "out of memory joining the analyses' rows");
        kvq_stat_rows_free(&each[p].reliability);
        kvq_stat_rows_free(&each[p].factors);
        kvq_stat_rows_free(&each[p].gtheory);
    }
    free(each);
    return rc ? rc : kvq_validity_compute(run, &a->validity, err);
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
