/* Loaders behind kvq_population_load (internal to populations/). Each fills pop (already zeroed,
 * layer = -1) from the part of the spec after its scheme, or fails leaving pop for the caller to
 * free. spec is the whole spec, for messages. */
#ifndef KVQ_POPULATIONS_INTERNAL_H
#define KVQ_POPULATIONS_INTERNAL_H

#include "kvq/population.h"

int kvq_synthetic_load(kvq_population *pop, const char *spec, const char *rest, uint64_t seed,
                       kvq_error *err);

#endif
