/* The epiphany x population table (README, "Epiphanies").
 *
 * An epiphany is a claim from research with falsifiable predictions. A spec (JSON) lists them:
 *   {"epiphanies": [{"id": "two_regimes", "title": "...", "claim": "...",
 *     "predictions": [{"when": {"role": ["vocab"], "population": "synthetic:*"},
 *                      "codec": "palette*", "metric": "identity", "aggregate": "max",
 *                      "op": "<", "value": 0.95}, ...]}]}
 * A prediction applies to the populations its `when` selects (every population without one). It
 * gathers the facts of the selected population whose metric is `metric` and whose codec variant
 * matches the glob `codec` (fnmatch; without `codec`, the population's own facts), drops NaN, and
 * reduces them with `aggregate`:
 *   all (default)  every value must satisfy the comparison; the measured number is the worst one
 *   min, max, mean, median   one number
 *   count          how many facts matched
 * and compares with `value`, or with `versus` ({"codec", "metric", "aggregate" (default mean),
 * "scale" (default 1)}: another selection of the same population, reduced to one number and
 * multiplied by scale). ops: <, <=, >, >=, ==, !=.
 * For one epiphany and one population: REFUTED if an applicable prediction fails, else NO DATA if
 * one found no facts, else CONFIRMED; "n/a" when no prediction applies to that population.
 */
#ifndef KVQ_EPIPHANY_H
#define KVQ_EPIPHANY_H

#include "analysis/facts.h"
#include "kvq/error.h"
#include <cjson/cJSON.h>

typedef enum kvq_verdict { KVQ_NA, KVQ_CONFIRMED, KVQ_REFUTED, KVQ_NO_DATA } kvq_verdict;

typedef struct kvq_verdict_cell {
    kvq_verdict verdict;
    double measured;    /* the deciding prediction's measured number (NaN when none) */
    double threshold;   /* what it was compared with */
    const char *metric; /* the deciding prediction's metric and op (NULL for n/a) */
    const char *op;
} kvq_verdict_cell;

typedef struct kvq_epiphany_table {
    cJSON *spec; /* the parsed spec (owns the strings below) */
    size_t nepiphanies;
    const char **ids, **titles, **claims;
    size_t npopulations;     /* columns: the facts' populations */
    kvq_verdict_cell *cells; /* nepiphanies x npopulations */
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
