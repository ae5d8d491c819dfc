/* Rows of the population-level analyses (reliability.csv, factors.csv), long format:
 *     run,population,role,analysis,item,statistic,value,ci_low,ci_high
 * analysis names the computation (alpha, icc_all, icc_vs_exact, kappa_top_decile, ...), item the
 * codec variant it is about ("" for the whole set of codecs), statistic the number. */
#ifndef KVQ_STAT_ROWS_H
#define KVQ_STAT_ROWS_H

#include "kvq/error.h"
#include <stddef.h>

#define KVQ_STAT_NAME_MAX 48 /* analysis and statistic names, with their NUL */

typedef struct kvq_stat_row {
    size_t population;
    char analysis[KVQ_STAT_NAME_MAX];
    char item[256];
    char statistic[KVQ_STAT_NAME_MAX];
    double value, ci_low, ci_high;
} kvq_stat_row;

typedef struct kvq_stat_rows {
    kvq_stat_row *items;
    size_t count, cap;
} kvq_stat_rows;

/* Appends a row; KVQ_ENOMEM when it cannot grow. */
int kvq_stat_add(kvq_stat_rows *rows, size_t population, const char *analysis, const char *item,
                 const char *statistic, double value, double ci_low, double ci_high);
/* Appends a copy of every row of more; KVQ_ENOMEM when rows cannot grow. */
int kvq_stat_rows_append(kvq_stat_rows *rows, const kvq_stat_rows *more);

void kvq_stat_rows_free(kvq_stat_rows *rows);

#endif
