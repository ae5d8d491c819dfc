/* The epiphany x population table (README, "Epiphanies").
 *
 * An epiphany is a claim from research with falsifiable predictions. A spec (JSON) lists them:
 *   {"epiphanies": [{"id": "two_regimes", "claim_id": "A1", "title": "...", "claim": "...",
 *     "predictions": [{"id": "A1b", "when": {"role": ["vocab"], "population": "synthetic:*"},
 *                      "codec": "palette*", "where": {"metric": "bits_per_coord_total",
 *                      "op": "<=", "value": 4}, "metric": "identity", "aggregate": "all",
 *                      "op": "<", "value": 0.98}, ...]}]}
 * A prediction applies to the populations its `when` selects (every population without one). It
 * gathers the facts of the selected population whose metric is `metric`, whose codec variant
 * matches the glob `codec` (fnmatch; a glob without wildcards is taken by its canonical name;
 * without `codec`, the population's own facts) and whose variant meets `where` (another metric of
 * the same cell compared by its value), leaving out NaN and degenerate cells (metric `degenerate`
 * = 1). Each fact carries its 95% interval when the cell has one (a point otherwise). It is
 * compared with `value`, or with `versus` ({"codec", "metric", "aggregate" (default mean),
 * "scale" (default 1), "matched_bits" (a relative band)}: another selection of the same
 * population reduced to one number times scale; with matched_bits, each gathered variant is
 * compared only with the versus variants whose bits_per_coord_total lies within that relative
 * band of its own). ops: <, <=, >, >=, ==, !=.
 *
 * One value decides by its interval: CONFIRMED when the whole interval lies on the predicted side
 * of the threshold (of the threshold's interval, for a versus of one cell that has one), REFUTED
 * when it lies wholly on the other side, INCONCLUSIVE when it straddles. `aggregate` combines the
 * gathered values:
 *   all (default)  CONFIRMED if every value is, REFUTED if one is, else INCONCLUSIVE
 *   any            CONFIRMED if one value is, REFUTED if every value is, else INCONCLUSIVE
 *   min, max       the value that is the least / greatest, with its interval
 *   mean, median, count   one number, no interval
 * A prediction with nothing gathered (or nothing to compare with) is NO DATA. For one epiphany and
 * one population: REFUTED if an applicable prediction is, CONFIRMED if every one is, NO DATA if
 * none had data, else INCONCLUSIVE; "n/a" when no prediction applies to that population.
 */
#ifndef KVQ_EPIPHANY_H
#define KVQ_EPIPHANY_H

#include "analysis/facts.h"
#include "kvq/error.h"
#include <cjson/cJSON.h>

typedef enum kvq_verdict {
    KVQ_NA,
    KVQ_CONFIRMED,
    KVQ_REFUTED,
    KVQ_INCONCLUSIVE,
    KVQ_NO_DATA
} kvq_verdict;

/* One prediction on one population. */
typedef struct kvq_outcome {
    kvq_verdict verdict;
    double value, ci_low, ci_high;                   /* the deciding value (NaN when none) */
    double threshold, threshold_low, threshold_high; /* what it was compared with */
    char codecs[160]; /* the deciding variant ("int8", "besicovitch:... vs lloydmax:...") */
    double diff, diff_low, diff_high; /* a codec against one other on a query-averaged metric:
                                         the paired difference value - scale * other over the
                                         queries and its 95% interval, which decided; else NaN */
} kvq_outcome;

/* One epiphany on one population: its verdict and the prediction that decided it. */
typedef struct kvq_verdict_cell {
    kvq_verdict verdict;
    long decided; /* index into the table's predictions, -1 for n/a */
} kvq_verdict_cell;

typedef struct kvq_epiphany_table {
    cJSON *spec; /* the parsed spec (owns the strings below) */
    size_t nepiphanies;
    const char **ids, **claim_ids, **titles, **claims;
    size_t npredictions; /* every prediction of every epiphany, in spec order */
    const char **prediction_ids, **metrics, **ops;
    size_t *epiphany_of;     /* the epiphany of each prediction */
    size_t npopulations;     /* columns: the facts' populations */
    kvq_verdict_cell *cells; /* nepiphanies x npopulations */
    kvq_outcome *outcomes;   /* npredictions x npopulations; KVQ_NA where it does not apply */
} kvq_epiphany_table;

/* Parses and validates a spec; errors name the source and the JSON path ("epiphanies[2].op"). */
int kvq_epiphany_parse(cJSON **spec, const char *text, const char *source, kvq_error *err);

/* Evaluates the spec (which the table takes over) against facts. */
int kvq_epiphany_evaluate(kvq_epiphany_table *table, cJSON *spec, const kvq_facts *facts,
                          kvq_error *err);
void kvq_epiphany_table_free(kvq_epiphany_table *table);

const char *kvq_verdict_name(kvq_verdict v);

/* The spec shipped with kvqeval (analysis/epiphanies.json, embedded at build time). */
extern const unsigned char kvq_default_epiphanies[];

/* Reads and validates the spec at spec_path, or the built-in one when it is NULL, into *spec:
 * done before a run's first cell, so that a bad spec costs nothing. KVQ_EIO when the file cannot
 * be read, KVQ_EINVAL when it is not a valid spec. */
int kvq_epiphany_load(cJSON **spec, const char *spec_path, kvq_error *err);

/* How the spec at spec_path (NULL: the built-in one) is named in the table and in messages. */
const char *kvq_epiphany_source(const char *spec_path);

#endif
