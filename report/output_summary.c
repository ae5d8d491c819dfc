/* summary.csv: the wide view, one row per cell and one column per metric:
 *     run,codec,variant,population,role,status,label,layer,tensor,<metric>,<metric>,...
 * The metric columns are every metric any cell reported, in order of first appearance (cells in
 * population-major order), so the header is the same for the same run whatever the thread count.
 * A failed cell has status "failed" and empty metric cells; a metric a cell does not report (e.g.
 * rel_mse of a signature codec) is empty. */
#include "harness/run.h"
#include "io/atomic_file.h"
#include "io/csv.h"
#include "report/writers.h"

#include <stdlib.h>
#include <string.h>

/* The distinct metric names of the run in first-seen order (pointers into the cells). */
static const char **metric_columns(const kvq_run *run, size_t *count)
{
    const char **names = NULL;
    *count = 0;
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        for (size_t m = 0; m < c->nmetrics; m++) {
            size_t k = 0;
            while (k < *count && strcmp(names[k], c->metrics[m].name) != 0) k++;
            if (k < *count) continue;
            const char **grown = realloc(names, (*count + 1) * sizeof *grown);
            if (!grown) {
                free(names);
                *count = 0;
                return NULL;
            }
            names = grown;
            names[(*count)++] = c->metrics[m].name;
        }
    }
    return names;
}

static const kvq_metric_value *find_metric(const kvq_cell *c, const char *name)
{
    for (size_t m = 0; m < c->nmetrics; m++)
        if (strcmp(c->metrics[m].name, name) == 0) return &c->metrics[m];
    return NULL;
}

int kvq_write_summary_csv(const kvq_run *run, kvq_error *err)
{
    size_t ncols;
    const char **cols = metric_columns(run, &ncols);
    if (!cols && ncols) return kvq_fail(err, KVQ_ENOMEM, "out of memory writing summary.csv");
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, run->dir, "summary.csv", err);
    if (rc) {
        free(cols);
        return rc;
    }
    fprintf(a.f, "run,codec,variant,population,role,status,%s", kvq_population_columns);
    for (size_t k = 0; k < ncols; k++) fputc(',', a.f), kvq_csv_text(a.f, cols[k]);
    fputc('\n', a.f);
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        const kvq_population *pop = &run->pops[c->population];
        const char *fields[] = {run->name,
                                c->codec,
                                c->variant,
                                pop->name,
                                kvq_role_name(pop->role),
                                kvq_cell_status_name(c)};
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
            if (f) fputc(',', a.f);
            kvq_csv_text(a.f, fields[f]);
        }
        fputc(',', a.f);
        kvq_write_population_columns(a.f, pop);
        for (size_t k = 0; k < ncols; k++) {
            fputc(',', a.f);
            const kvq_metric_value *m = find_metric(c, cols[k]);
            if (m) kvq_csv_number(a.f, m->value);
        }
        fputc('\n', a.f);
    }
    free(cols);
    return kvq_afile_commit(&a, err);
}
