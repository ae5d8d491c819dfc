/* The long-format files beside cells.csv:
 *   populations.csv   run,population,role,metric,value,ci_low,ci_high,label,layer,tensor
 *                     (facts about each population itself and the psychometric layer's
 *                     whole-set numbers)
 *   reliability.csv   run,population,role,analysis,item,statistic,value,ci_low,ci_high,label,
 *                     layer,tensor
 *                     (every number of the psychometric layer)
 *   factors.csv       the same columns: the factor structure (scree, parallel, loading, summary)
 *   gtheory.csv       the same columns: the G studies (analysis/generalizability.h)
 *   chain.csv         run,codec,variant,population,role,depth,rho,ci_low,ci_high,label,layer,
 *                     tensor (the chain-collapse curve of every cell that ran one, with its 95%
 *                     interval over the starting vectors) */
#include "harness/run.h"
#include "io/atomic_file.h"
#include "io/csv.h"
#include "report/writers.h"

#include <math.h>
#include <stdio.h>

/* value,ci_low,ci_high (empty where no interval), then pop's label, layer and tensor. */
static void write_value(FILE *f, double value, double lo, double hi, const kvq_population *pop)
{
    kvq_csv_number(f, value);
    fputc(',', f);
    if (!isnan(lo)) kvq_csv_number(f, lo);
    fputc(',', f);
    if (!isnan(hi)) kvq_csv_number(f, hi);
    fputc(',', f);
    kvq_write_population_columns(f, pop);
    fputc('\n', f);
}

static void write_texts(FILE *f, const char *const *fields, size_t count)
{
    for (size_t k = 0; k < count; k++) kvq_csv_text(f, fields[k]), fputc(',', f);
}

/* Opens run's file name and writes its header: the columns given, then the population columns. */
static int open_in_run(kvq_afile *a, const kvq_run *run, const char *name, const char *header,
                       kvq_error *err)
{
    int rc = kvq_afile_open_in(a, run->dir, name, err);
    if (!rc) fprintf(a->f, "%s,%s\n", header, kvq_population_columns);
    return rc;
}

int kvq_write_populations_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err)
{
    kvq_afile a;
    int rc = open_in_run(&a, run, "populations.csv",
                         "run,population,role,metric,value,ci_low,ci_high", err);
    if (rc) return rc;
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population_facts *f = &an->pop_facts[p];
        for (size_t i = 0; i < f->count; i++) {
            const kvq_metric_value *m = &f->items[i];
            const char *fields[] = {run->name, run->pops[p].name, kvq_role_name(run->pops[p].role),
                                    m->name};
            write_texts(a.f, fields, 4);
            write_value(a.f, m->value, m->ci_low, m->ci_high, &run->pops[p]);
        }
    }
    return kvq_afile_commit(&a, err);
}

static int write_stat_rows(const kvq_run *run, const kvq_stat_rows *rows, const char *name,
                           kvq_error *err)
{
    kvq_afile a;
    int rc = open_in_run(&a, run, name,
                         "run,population,role,analysis,item,statistic,value,ci_low,ci_high", err);
    if (rc) return rc;
    for (size_t i = 0; i < rows->count; i++) {
        const kvq_stat_row *r = &rows->items[i];
        const kvq_population *pop = &run->pops[r->population];
        const char *fields[] = {run->name,   pop->name, kvq_role_name(pop->role),
                                r->analysis, r->item,   r->statistic};
        write_texts(a.f, fields, 6);
        write_value(a.f, r->value, r->ci_low, r->ci_high, pop);
    }
    return kvq_afile_commit(&a, err);
}

int kvq_write_reliability_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err)
{
    return write_stat_rows(run, &an->reliability, "reliability.csv", err);
}

int kvq_write_factors_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err)
{
    return write_stat_rows(run, &an->factors, "factors.csv", err);
}

int kvq_write_gtheory_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err)
{
    return write_stat_rows(run, &an->gtheory, "gtheory.csv", err);
}

int kvq_write_chain_csv(const kvq_run *run, kvq_error *err)
{
    kvq_afile a;
    int rc = open_in_run(&a, run, "chain.csv",
                         "run,codec,variant,population,role,depth,rho,ci_low,ci_high", err);
    if (rc) return rc;
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        const kvq_population *pop = &run->pops[c->population];
        for (size_t l = 0; l < c->chain_len; l++) {
            const char *fields[] = {run->name, c->codec, c->variant, pop->name,
                                    kvq_role_name(pop->role)};
            write_texts(a.f, fields, 5);
            fprintf(a.f, "%zu,", l + 1);
            const double values[] = {c->chain_rho[l], c->chain_rho_low[l], c->chain_rho_high[l]};
            for (size_t k = 0; k < 3; k++) {
                kvq_csv_number(a.f, values[k]);
                fputc(',', a.f);
            }
            kvq_write_population_columns(a.f, pop);
            fputc('\n', a.f);
        }
    }
    return kvq_afile_commit(&a, err);
}
