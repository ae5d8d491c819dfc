/* cells.csv: one row per (cell, metric), tidy long format:
 *     run,codec,variant,population,role,metric,value,ci_low,ci_high,rep_low,rep_high,label,layer,
 *     tensor
 * ci_low and ci_high (the interval within the fit) are empty when no interval was computed;
 * rep_low and rep_high (the interval across the fits of --replicates R) are empty when R is 1.
 * Failed cells have no rows here; the manifest records their errors. */
#include "harness/run.h"
#include "io/atomic_file.h"
#include "io/csv.h"
#include "report/writers.h"

#include <math.h>

static void write_row(FILE *f, const kvq_run *run, const kvq_cell *c, const kvq_metric_value *m)
{
    const kvq_population *pop = &run->pops[c->population];
    const char *fields[] = {run->name, c->codec, c->variant, pop->name, kvq_role_name(pop->role),
                            m->name};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        kvq_csv_text(f, fields[i]);
        fputc(',', f);
    }
    kvq_csv_number(f, m->value);
    fputc(',', f);
    if (!isnan(m->ci_low)) kvq_csv_number(f, m->ci_low);
    fputc(',', f);
    if (!isnan(m->ci_high)) kvq_csv_number(f, m->ci_high);
    fputc(',', f);
    if (!isnan(m->rep_low)) kvq_csv_number(f, m->rep_low);
    fputc(',', f);
    if (!isnan(m->rep_high)) kvq_csv_number(f, m->rep_high);
    fputc(',', f);
    kvq_write_population_columns(f, pop);
    fputc('\n', f);
}

int kvq_write_cells_csv(const kvq_run *run, kvq_error *err)
{
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, run->dir, "cells.csv", err);
    if (rc) return rc;
    fprintf(a.f,
            "run,codec,variant,population,role,metric,value,ci_low,ci_high,rep_low,rep_high,%s\n",
            kvq_population_columns);
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        for (size_t m = 0; m < c->nmetrics; m++) write_row(a.f, run, c, &c->metrics[m]);
    }
    return kvq_afile_commit(&a, err);
}
