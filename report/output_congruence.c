/* congruence.csv (analysis/congruence.h): does the codecs' factor structure hold across
 * populations? One row per factor and pair of the run's populations:
 *     run,factor,population_a,population_b,n_variants,phi,ci_low,ci_high,verdict,
 *     label_a,layer_a,tensor_a,label_b,layer_b,tensor_b
 * factor "score_factor1" (the first factor of the scores) or "error_factor1" (of the errors),
 * phi Tucker's congruence coefficient over the n_variants codec variants both populations have a
 * loading for (NaN with verdict "n/a" when undefined), its 95% query-cluster bootstrap interval
 * (the score factor only; empty otherwise: analysis/congruence.h), and each population's label,
 * layer and tensor as every CSV that names a population ends with them
 * (report/population_columns.c). */
#include "analysis/congruence.h"
#include "io/atomic_file.h"
#include "io/csv.h"
#include "report/writers.h"

#include <math.h>
#include <stdio.h>

static void write_row(FILE *f, const kvq_run *run, const kvq_congruence_row *r)
{
    const kvq_population *a = &run->pops[r->a], *b = &run->pops[r->b];
    kvq_csv_text(f, run->name);
    fputc(',', f);
    kvq_csv_text(f, r->factor);
    fputc(',', f);
    kvq_csv_text(f, a->name);
    fputc(',', f);
    kvq_csv_text(f, b->name);
    fprintf(f, ",%zu,", r->n_variants);
    kvq_csv_number(f, r->phi);
    fputc(',', f);
    if (!isnan(r->ci_low)) kvq_csv_number(f, r->ci_low);
    fputc(',', f);
    if (!isnan(r->ci_high)) kvq_csv_number(f, r->ci_high);
    fprintf(f, ",%s,", r->verdict);
    kvq_write_population_columns(f, a);
    fputc(',', f);
    kvq_write_population_columns(f, b);
    fputc('\n', f);
}

int kvq_write_congruence_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err)
{
    kvq_congruence c;
    int rc = kvq_congruence_compute(run, &an->factors, an->loading_boot, &c, err);
    if (rc) return rc;
    kvq_afile a;
    if (!(rc = kvq_afile_open_in(&a, run->dir, "congruence.csv", err))) {
        fputs("run,factor,population_a,population_b,n_variants,phi,ci_low,ci_high,verdict,"
              "label_a,layer_a,tensor_a,label_b,layer_b,tensor_b\n",
              a.f);
        for (size_t i = 0; i < c.count; i++) write_row(a.f, run, &c.items[i]);
        rc = kvq_afile_commit(&a, err);
    }
    kvq_congruence_free(&c);
    return rc;
}
