/* The writers of a run's files (report/output_*.c, manifest.c, report.c), each writing one file
 * of the run folder atomically; report/outputs.c calls them in order. */
#ifndef KVQ_WRITERS_H
#define KVQ_WRITERS_H

#include "analysis/analysis.h"
#include "harness/run.h"
#include <cjson/cJSON.h>

/* "label,layer,tensor", and the three fields of pop (no separator before or after): the short
 * label (kvq_population_label), its layer (empty when none or several) and its tensor, which every
 * CSV that names a population appends to its rows (report/population_columns.c). */
extern const char kvq_population_columns[];
void kvq_write_population_columns(FILE *f, const kvq_population *pop);

int kvq_write_cells_csv(const kvq_run *run, kvq_error *err);
int kvq_write_summary_csv(const kvq_run *run, kvq_error *err);
int kvq_write_populations_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err);
int kvq_write_reliability_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err);
int kvq_write_factors_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err);
int kvq_write_gtheory_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err);
int kvq_write_chain_csv(const kvq_run *run, kvq_error *err);
/* congruence.csv: Tucker's phi of every pair of populations' first score and error factors
 * (report/output_congruence.c). */
int kvq_write_congruence_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err);
/* subjects.csv, ratings.csv and samples.csv (report/output_subjects.c). */
int kvq_write_subjects_csv(const kvq_run *run, kvq_error *err);
/* queries.csv (report/output_subjects.c). */
int kvq_write_queries_csv(const kvq_run *run, kvq_error *err);
int kvq_write_validity_csv(const kvq_run *run, const kvq_analysis *an, kvq_error *err);
int kvq_write_manifest(const kvq_run *run, kvq_error *err);

/* Evaluates spec (which it takes over) on the run in dir, from its cells.csv and
 * populations.csv, and writes dir/epiphanies.md and dir/epiphanies.csv. */
int kvq_epiphanies_write(const char *dir, const char *run_name, cJSON *spec, const char *spec_name,
                         kvq_error *err);

/* Writes report.md: what ran, the tables, the epiphany table and the figures (after every other
 * output is written). */
int kvq_write_report(const kvq_run *run, kvq_error *err);

#endif
