/* The psychometric layer: per population, across every codec variant whose cell
 * succeeded (codecs are the items / raters, the population's sampled query-row pairs the
 * subjects, their scores the ratings):
 *   - Cronbach's alpha (raw, standardised, average r, Feldt 95% CI), alpha if each item is
 *     deleted, corrected item-total r;
 *   - ICC, the six Shrout-Fleiss forms among all codecs; ICC2 (absolute agreement) and ICC3
 *     (consistency) of each codec against the exact scores;
 *   - factor structure: eigenvalues of the codec x codec correlation matrix, share of the first
 *     factor, first-factor loadings, factors by Kaiser and by Horn's parallel analysis
 * (factors.csv);
 *   - the error structure: which codecs err together (analysis/error_structure.h, factors.csv);
 *   - Cohen's kappa of each codec against exact on top-decile membership (is the pair's row in the
 *     top 10% of its query?) and on quintile bins of each rater's own scores (unweighted and
 *     quadratic); Fleiss' kappa of all codecs on the quintile bins;
 * Each codec's numbers join its cell's metrics; the whole-set numbers join the population's facts;
 * every number goes to reliability.csv. */
#ifndef KVQ_PSYCHOMETRICS_H
#define KVQ_PSYCHOMETRICS_H

#include "analysis/population_facts.h"
#include "analysis/stat_rows.h"
#include "harness/run.h"

/* The query-cluster bootstrap replicates of one population's first-factor loadings: values[r * k
 * + i] is replicate r's loading of the run's variant variant[i] (NULL arrays when not computed). */
typedef struct kvq_loading_boot {
    size_t k, reps;
    size_t *variant;
    double *values;
} kvq_loading_boot;

void kvq_loading_boot_free(kvq_loading_boot *b);

/* Runs the layer on population p of run: each codec's numbers join its cell, the whole-set
 * numbers join facts (the population's), every row goes to reliability or factors_rows, and the
 * loadings' bootstrap replicates to boot (which the caller frees). An
 * analysis that is undefined here (fewer than two codecs, a constant rater) is skipped with its
 * numbers left out; only running out of memory fails. */
int kvq_psychometrics_run(kvq_run *run, size_t p, kvq_population_facts *facts,
                          kvq_stat_rows *reliability, kvq_stat_rows *factors_rows,
                          kvq_loading_boot *boot, kvq_error *err);

#endif
