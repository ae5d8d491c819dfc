/* The population-level files, long format:
 *   populations.csv   run,population,role,metric,value,ci_low,ci_high
 *                     (facts about each population itself and the psychometric layer's
 *                     whole-set numbers)
 *   reliability.csv   run,population,role,analysis,item,statistic,value,ci_low,ci_high
 *                     (every number of the psychometric layer) */
#include "atomic_file.h"
#include "csv.h"
#include "run.h"

#include <math.h>

static void write_value(FILE *f, double value, double lo, double hi)
{
    kvq_csv_number(f, value);
    fputc(',', f);
    if (!isnan(lo)) kvq_csv_number(f, lo);
    fputc(',', f);
    if (!isnan(hi)) kvq_csv_number(f, hi);
    fputc('\n', f);
}

static void write_texts(FILE *f, const char *const *fields, size_t count)
{
    for (size_t k = 0; k < count; k++) kvq_csv_text(f, fields[k]), fputc(',', f);
}

static int open_in_run(kvq_afile *a, const kvq_run *run, const char *name, const char *header,
                       kvq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", run->dir, name);
    int rc = kvq_afile_open(a, path, err);
    if (!rc) fputs(header, a->f);
    return rc;
}

int kvq_write_populations_csv(const kvq_run *run, kvq_error *err)
{
    kvq_afile a;
    int rc = open_in_run(&a, run, "populations.csv",
                         "run,population,role,metric,value,ci_low,ci_high\n", err);
    if (rc) return rc;
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population_facts *f = &run->pop_facts[p];
        for (size_t i = 0; i < f->count; i++) {
            const kvq_metric_value *m = &f->items[i];
            const char *fields[] = {run->name, run->pops[p].name, kvq_role_name(run->pops[p].role),
                                    m->name};
            write_texts(a.f, fields, 4);
            write_value(a.f, m->value, m->ci_low, m->ci_high);
        }
    }
    return kvq_afile_commit(&a, err);
}

int kvq_write_reliability_csv(const kvq_run *run, kvq_error *err)
{
    kvq_afile a;
    int rc = open_in_run(&a, run, "reliability.csv",
                         "run,population,role,analysis,item,statistic,value,ci_low,ci_high\n", err);
    if (rc) return rc;
    for (size_t i = 0; i < run->reliability.count; i++) {
        const kvq_stat_row *r = &run->reliability.items[i];
        const kvq_population *pop = &run->pops[r->population];
        const char *fields[] = {run->name,   pop->name, kvq_role_name(pop->role),
                                r->analysis, r->item,   r->statistic};
        write_texts(a.f, fields, 6);
        write_value(a.f, r->value, r->ci_low, r->ci_high);
    }
    return kvq_afile_commit(&a, err);
}
