/* populations.csv: facts about each population itself, long format:
 *     run,population,role,metric,value */
#include "atomic_file.h"
#include "csv.h"
#include "run.h"

int kvq_write_populations_csv(const kvq_run *run, kvq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/populations.csv", run->dir);
    kvq_afile a;
    int rc = kvq_afile_open(&a, path, err);
    if (rc) return rc;
    fputs("run,population,role,metric,value\n", a.f);
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population_facts *f = &run->pop_facts[p];
        for (size_t i = 0; i < f->count; i++) {
            const char *fields[] = {run->name, run->pops[p].name, kvq_role_name(run->pops[p].role),
                                    f->items[i].name};
            for (size_t k = 0; k < 4; k++) kvq_csv_text(a.f, fields[k]), fputc(',', a.f);
            kvq_csv_number(a.f, f->items[i].value);
            fputc('\n', a.f);
        }
    }
    return kvq_afile_commit(&a, err);
}
