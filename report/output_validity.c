/* validity.csv (analysis/validity.h): run,population,role,proxy,criterion,rho,ci_low,ci_high,
 * n_variants,label,layer,tensor; written only by runs with a model population, removed otherwise (a
 * rewritten run keeps no stale table). */
#include "io/atomic_file.h"
#include "io/csv.h"
#include "report/writers.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int kvq_write_validity_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err)
{
    if (an->validity.count == 0) {
        char path[4200];
        snprintf(path, sizeof path, "%s/validity.csv", run->dir);
        if (unlink(path) != 0 && errno != ENOENT)
            return kvq_fail(err, KVQ_EIO, "cannot remove '%s': %s", path, strerror(errno));
        return KVQ_OK;
    }
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, run->dir, "validity.csv", err);
    if (rc) return rc;
    fprintf(a.f, "run,population,role,proxy,criterion,rho,ci_low,ci_high,n_variants,%s\n",
            kvq_population_columns);
    for (size_t i = 0; i < an->validity.count; i++) {
        const kvq_validity_row *r = &an->validity.items[i];
        const kvq_population *pop = &run->pops[r->population];
        const char *fields[] = {run->name, pop->name, kvq_role_name(pop->role), r->proxy,
                                r->criterion};
        for (size_t k = 0; k < 5; k++) kvq_csv_text(a.f, fields[k]), fputc(',', a.f);
        const double nums[] = {r->rho, r->ci_low, r->ci_high};
        for (size_t k = 0; k < 3; k++) {
            if (!isnan(nums[k]) || k == 0) kvq_csv_number(a.f, nums[k]);
            fputc(',', a.f);
        }
        fprintf(a.f, "%zu,", r->n_variants);
        kvq_write_population_columns(a.f, pop);
        fputc('\n', a.f);
    }
    return kvq_afile_commit(&a, err);
}
