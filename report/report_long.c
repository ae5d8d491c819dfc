/* Reading back a run's long files (report/report_long.h). */
#include "report/report_long.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

int kvq_long_read(const kvq_run *run, const char *name, kvq_long_table *l)
{
    char path[4200];
    kvq_error err;
    snprintf(path, sizeof path, "%s/%s", run->dir, name);
    if (access(path, F_OK) != 0 || kvq_csv_read(path, &l->t, &err)) return -1;
    l->pop = kvq_csv_column(&l->t, "population"), l->analysis = kvq_csv_column(&l->t, "analysis");
    l->item = kvq_csv_column(&l->t, "item"), l->statistic = kvq_csv_column(&l->t, "statistic");
    l->value = kvq_csv_column(&l->t, "value");
    return 0;
}

int kvq_long_row_is(const kvq_long_table *l, size_t r, const char *pop, const char *analysis,
                    const char *statistic)
{
    return strcmp(kvq_csv_field(&l->t, r, (size_t)l->pop), pop) == 0 &&
           strcmp(kvq_csv_field(&l->t, r, (size_t)l->analysis), analysis) == 0 &&
           (!statistic || strcmp(kvq_csv_field(&l->t, r, (size_t)l->statistic), statistic) == 0);
}

double kvq_long_number(const kvq_long_table *l, size_t r, long c)
{
    double x = NAN;
    kvq_csv_parse_number(kvq_csv_field(&l->t, r, (size_t)c), &x);
    return x;
}

double kvq_long_value(const kvq_long_table *l, const char *pop, const char *analysis,
                      const char *item, const char *statistic)
{
    for (size_t r = 0; r < l->t.nrows; r++)
        if (kvq_long_row_is(l, r, pop, analysis, statistic) &&
            strcmp(kvq_csv_field(&l->t, r, (size_t)l->item), item) == 0)
            return kvq_long_number(l, r, l->value);
    return NAN;
}
