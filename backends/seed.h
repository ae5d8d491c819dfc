/* The `seed` parameter shared by codecs that draw a random rotation or projection (turboquant,
 * turboquant_prod, qjl, polarquant, rabitq, and any codec built on backends/wht.h).
 *
 * Such a codec stores only a 64-bit seed and regenerates its rotation or projection from it, so
 * its shared_bytes counts 8 bytes for it (include/kvq/backend.h). The seed is the parameter's value
 * when it is non-zero, so that `turboquant:seed=7` uses one rotation in every cell of a run;
 * seed=0 (the default) draws it from the instance's random stream, which depends on the run seed
 * and the cell (README, "Reproducibility"). */
#ifndef KVQ_BACKENDS_SEED_H
#define KVQ_BACKENDS_SEED_H

#include "kvq/error.h"
#include "kvq/params.h"
#include "kvq/rng.h"
#include <stdint.h>

/* The kvq_param_doc row every such codec lists. */
#define KVQ_SEED_PARAM                                                                             \
    {                                                                                              \
        "seed", "0", "seed of the random rotation/projection; 0 draws it from the cell's stream"   \
    }

/* Bytes shared_bytes counts for a rotation or projection regenerated from its seed. */
#define KVQ_SEED_BYTES sizeof(uint64_t)

/* *seed = the `seed` parameter of p when non-zero, else a 64-bit draw from rng. KVQ_EINVAL naming
 * the codec when the value is not an integer in [0, 2^53), or when it is 0 and rng is NULL. */
int kvq_codec_seed(const kvq_params *p, kvq_rng *rng, uint64_t *seed, kvq_error *err);

#endif
