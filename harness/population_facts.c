/* Facts about each population (harness/population_facts.h). */
#include "population_facts.h"
#include "../backends/wht.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kvq_population_fact(kvq_population_facts *f, const char *name, double value)
{
    if (f->count == KVQ_POPULATION_FACTS_MAX) return;
    kvq_metric_value *m = &f->items[f->count++];
    snprintf(m->name, sizeof m->name, "%s", name);
    m->value = value;
    m->ci_low = m->ci_high = NAN;
}

/* Excess kurtosis of the coordinates of the rotated rows. */
static int rotated_kurtosis(const kvq_population *pop, uint64_t run_seed, double *out,
                            kvq_error *err)
{
    char label[KVQ_TEXT_MAX + 16];
    snprintf(label, sizeof label, "rotation|%s", pop->name);
    kvq_rotation rot;
    int rc =
        kvq_rotation_init(&rot, pop->dim, kvq_hash64(run_seed, label), "population facts", err);
    if (rc) return rc;
    float *rows = malloc(pop->n * pop->dim * sizeof *rows);
    if (!rows) {
        kvq_rotation_free(&rot);
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory", pop->name);
    }
    memcpy(rows, pop->rows, pop->n * pop->dim * sizeof *rows);
    for (size_t i = 0; i < pop->n; i++) kvq_rotation_apply(&rot, rows + i * pop->dim);
    kvq_row_stats stats;
    rc = kvq_row_stats_compute(rows, pop->n, pop->dim, &stats, err);
    if (!rc) *out = stats.kurtosis;
    free(rows);
    kvq_rotation_free(&rot);
    return rc;
}

int kvq_population_facts_compute(kvq_population_facts *f, const kvq_population *pop,
                                 uint64_t run_seed, kvq_error *err)
{
    memset(f, 0, sizeof *f);
    kvq_population_fact(f, "rows", (double)pop->n);
    kvq_population_fact(f, "dim", (double)pop->dim);
    kvq_population_fact(f, "queries", (double)pop->nq);
    kvq_row_stats s;
    double kurtosis_wht = NAN;
    int rc = kvq_row_stats_compute(pop->rows, pop->n, pop->dim, &s, err);
    if (!rc) rc = rotated_kurtosis(pop, run_seed, &kurtosis_wht, err);
    if (rc) return kvq_error_wrap(err, "population '%s'", pop->name);
    kvq_population_fact(f, "norm_cv", s.norm_cv);
    kvq_population_fact(f, "norm_max_ratio", s.norm_max_ratio);
    kvq_population_fact(f, "mean_abs_cos", s.mean_abs_cos);
    kvq_population_fact(f, "kurtosis", s.kurtosis);
    kvq_population_fact(f, "kurtosis_wht", kurtosis_wht);
    kvq_population_fact(f, "eff_rank", s.eff_rank);
    return KVQ_OK;
}
