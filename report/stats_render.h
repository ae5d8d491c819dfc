/* Output of `kvqeval stats`: the long rows of one analysis (stat_rows.h: analysis, item, statistic,
 * value, interval) rendered as an aligned table, as JSON, or as CSV. */
#ifndef KVQ_STATS_RENDER_H
#define KVQ_STATS_RENDER_H

#include "analysis/stat_rows.h"
#include <stdio.h>

typedef enum kvq_stats_format { KVQ_STATS_TABLE, KVQ_STATS_JSON, KVQ_STATS_CSV } kvq_stats_format;

/* What the rows are about, printed above them (table) or around them (JSON). */
typedef struct kvq_stats_meta {
    const char *command; /* alpha, icc, kappa, corr, factors */
    const char *file;
    size_t subjects, raters;
    double level;
} kvq_stats_meta;

/* Writes rows to out. Table: one block per analysis, a line per item, a column per statistic,
 * intervals as [lo, hi] beside their value. JSON: {"command", "file", "subjects", "raters",
 * "level", "results": {analysis: [{"item": ..., statistic: value, statistic + "_ci": [lo, hi]}]}}
 * with null for NaN. CSV: analysis,item,statistic,value,ci_low,ci_high. KVQ_ENOMEM (JSON); KVQ_EIO
 * when out cannot be written (checked with fflush, so a full disk is not missed). */
int kvq_stats_render(const kvq_stat_rows *rows, const kvq_stats_meta *meta, kvq_stats_format format,
                     FILE *out, kvq_error *err);

#endif
