/* The epiphany x population table (DESIGN.md §6; README, "Epiphanies").
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

#include "facts.h"
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

/* The spec shipped with kvqeval (harness/epiphanies.json, embedded at build time). */
extern const unsigned char kvq_default_epiphanies[];

/* Loads the spec at path, or the default when path is NULL, evaluates it on the run in dir and
 * writes dir/epiphanies.md and dir/epiphanies.csv. */
int kvq_epiphanies_write(const char *dir, const char *run_name, const char *spec_path,
                         kvq_error *err);

#endif
