/* The one path from a run's cells to its outputs: a finished run, --resume, and every command
 * that rewrites a run's files end here, so their outputs are the same bytes by construction. */
#ifndef KVQ_OUTPUTS_H
#define KVQ_OUTPUTS_H

#include "harness/run.h"
#include <cjson/cJSON.h>

typedef struct kvq_output_options {
    cJSON *epiphanies;           /* the epiphany spec, checked before the run (taken over) */
    const char *epiphany_source; /* how the table names it */
    const char *heatmap;         /* metric of the heatmap figure */
    int drawn;                   /* out: figures drawn */
} kvq_output_options;

/* Runs every analysis of the run (analysis/analysis.h) and writes every output file: cells.csv,
 * summary.csv, populations.csv, reliability.csv, factors.csv, congruence.csv, chain.csv, the
 * epiphany table, the figures, manifest.json, report.md. A figure that cannot be completed stops
 * neither the others nor the manifest and the report; the call then returns its KVQ_EIO. Any other
 * failure stops at once. */
int kvq_outputs_write(kvq_run *run, kvq_output_options *opt, kvq_error *err);

#endif
