/* The codec x population tables of the headline metrics, with the population legend: on stdout
 * after a run, and in report.md. */
#ifndef KVQ_TABLE_H
#define KVQ_TABLE_H

#include "harness/run.h"
#include <stdio.h>

typedef enum kvq_table_style { KVQ_TABLE_CONSOLE, KVQ_TABLE_MARKDOWN } kvq_table_style;

void kvq_print_tables(const kvq_run *run, kvq_table_style style, FILE *out);

#endif
