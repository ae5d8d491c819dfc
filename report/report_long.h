/* Reading back a run's long files (reliability.csv, factors.csv, gtheory.csv: the columns of
 * analysis/stat_rows.h) for the sections of report.md. */
#ifndef KVQ_REPORT_LONG_H
#define KVQ_REPORT_LONG_H

#include "harness/run.h"
#include "io/csv_read.h"

#include <stdio.h>

/* A long file and the columns the sections read (-1 when absent). */
typedef struct kvq_long_table {
    kvq_csv_table t;
    long pop, analysis, item, statistic, value;
} kvq_long_table;

/* Reads run's file name; 0 when it could be read (then kvq_csv_free(&l->t)). */
int kvq_long_read(const kvq_run *run, const char *name, kvq_long_table *l);

/* 1 when row r of l is population pop's analysis (and statistic, when not NULL). */
int kvq_long_row_is(const kvq_long_table *l, size_t r, const char *pop, const char *analysis,
                    const char *statistic);

/* The number in row r, column c (NaN when it is not one). */
double kvq_long_number(const kvq_long_table *l, size_t r, long c);

/* The value of pop's analysis / item / statistic (NaN when absent). */
double kvq_long_value(const kvq_long_table *l, const char *pop, const char *analysis,
                      const char *item, const char *statistic);

/* report.md's sections on the strata of subjects (report/report_strata.c) and on the G studies
 * (report/report_gtheory.c); nothing when their file is absent. */
void kvq_report_strata(FILE *f, const kvq_run *run);
void kvq_report_gtheory(FILE *f, const kvq_run *run);

#endif
