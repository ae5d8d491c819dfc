/* Facts about each population itself (no codec): its size and the signature statistics the
 * research reads (populations/signature.c: norm_cv, norm_max_ratio, mean_abs_cos, kurtosis,
 * eff_rank), mean_abs_cos_null (E|cos| of random directions in the same dimension, the yardstick
 * of near-orthogonality), and the excess kurtosis of the rows scaled to unit RMS before
 * (kurtosis_rows) and after (kurtosis_wht) the randomised Walsh–Hadamard rotation the rotation
 * codecs use. The psychometric layer adds its per-population
 * results to the same list. Written to populations.csv:
 *     run,population,role,metric,value */
#ifndef KVQ_POPULATION_FACTS_H
#define KVQ_POPULATION_FACTS_H

#include "harness/cell.h"
#include "kvq/population.h"

#define KVQ_POPULATION_FACTS_MAX 64

typedef struct kvq_population_facts {
    size_t count;
    kvq_metric_value items[KVQ_POPULATION_FACTS_MAX];
} kvq_population_facts;

/* Appends a fact (ignored beyond KVQ_POPULATION_FACTS_MAX). */
void kvq_population_fact(kvq_population_facts *f, const char *name, double value);

/* Computes the size and signature facts of pop; the rotation derives from run_seed and pop's spec.
 */
int kvq_population_facts_compute(kvq_population_facts *f, const kvq_population *pop,
                                 uint64_t run_seed, kvq_error *err);

#endif
