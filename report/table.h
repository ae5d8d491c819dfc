/* The codec x population tables of the headline metrics, with the population legend: on stdout
 * after a run, and in report.md. */
#ifndef KVQ_TABLE_H
#define KVQ_TABLE_H

#include "harness/run.h"
#include <stdio.h>

/* console: aligned text (the default on stdout); markdown: as in report.md; csv: one row per
 * headline metric and cell, metric,variant,population,role,status,value (value empty unless the
 * status is ok); json: {"tables": [{"metric", "title", "rows": [{"variant", "values": [one per
 * population, null unless ok]}]}], "populations": [{"label", "spec", "role", "rows", "dim",
 * "queries"}]}. */
typedef enum kvq_table_style {
    KVQ_TABLE_CONSOLE,
    KVQ_TABLE_MARKDOWN,
    KVQ_TABLE_CSV,
    KVQ_TABLE_JSON
} kvq_table_style;

/* The style named table, md, csv or json; -1 for another name. */
int kvq_table_style_parse(const char *name);

void kvq_print_tables(const kvq_run *run, kvq_table_style style, FILE *out);

#endif
