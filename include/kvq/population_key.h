/* The identity of a population that its random streams derive from: what was sampled, never where
 * the file lies (populations/population_key.c). */
#ifndef KVQ_POPULATION_KEY_H
#define KVQ_POPULATION_KEY_H

#include "kvq/population.h"
#include "kvq/rng.h"
#include <stddef.h>
#include <stdint.h>

#define KVQ_POPULATION_KEY_MAX (2 * KVQ_TEXT_MAX + 8)

/* The population's canonical key in out[size] (KVQ_POPULATION_KEY_MAX is always enough): for a
 * synthetic population its spec as given; for a population read from a file or folder
 * (safetensors:, npy:, gguf:, model:) the scheme, the file or folder's base name (trailing '/'
 * dropped), '#', the options after its last '#' as given, '|' and the tensors sampled
 * (pop->tensor): safetensors:/data/a/model.safetensors#role=k_proj has the key
 *     safetensors:model.safetensors#role=k_proj|layers.0.attention.wk.weight (+4 more)
 * The same checkpoint copied to another folder has the same key, so every stream derived from it
 * (a cell's codec, bootstrap and chain, the psychometric subjects, the identity probes) draws the
 * same numbers; the spec itself stays the population's name in the outputs. */
void kvq_population_key(const kvq_population *pop, char *out, size_t size);

/* The random stream of one part of the work on pop that does not depend on a codec (its
 * psychometric subjects, identity probes, parallel analysis, ...): derived from the run seed and
 * the label "PART|KEY", KEY the population's key. */
void kvq_population_stream(kvq_rng *rng, uint64_t run_seed, const char *part,
                           const kvq_population *pop);

#endif
