/* Rows of the population-level analyses (analysis/stat_rows.h). */
#include "analysis/stat_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kvq_stat_add(kvq_stat_rows *rows, size_t population, const char *analysis, const char *item,
                 const char *statistic, double value, double ci_low, double ci_high)
{
    if (rows->count == rows->cap) {
        size_t cap = rows->cap ? 2 * rows->cap : 256;
        kvq_stat_row *grown = realloc(rows->items, cap * sizeof *grown);
        if (!grown) return KVQ_ENOMEM;
        rows->items = grown;
        rows->cap = cap;
    }
    kvq_stat_row *r = &rows->items[rows->count++];
    r->population = population;
    snprintf(r->analysis, sizeof r->analysis, "%s", analysis);
    snprintf(r->item, sizeof r->item, "%s", item);
    snprintf(r->statistic, sizeof r->statistic, "%s", statistic);
    r->value = value;
    r->ci_low = ci_low;
    r->ci_high = ci_high;
    return KVQ_OK;
}

int kvq_stat_rows_append(kvq_stat_rows *rows, const kvq_stat_rows *more)
{
    if (rows->count + more->count > rows->cap) {
        size_t cap = rows->count + more->count;
        kvq_stat_row *grown = realloc(rows->items, (cap ? cap : 1) * sizeof *grown);
        if (!grown) return KVQ_ENOMEM;
        rows->items = grown;
        rows->cap = cap;
    }
    if (more->count)
        memcpy(rows->items + rows->count, more->items, more->count * sizeof *more->items);
    rows->count += more->count;
    return KVQ_OK;
}

void kvq_stat_rows_free(kvq_stat_rows *rows)
{
    free(rows->items);
    memset(rows, 0, sizeof *rows);
}
