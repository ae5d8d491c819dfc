/* The `seed` parameter of rotation and projection codecs (backends/seed.h). */
#include "seed.h"

/* Seeds stay below 2^53 so that they are exact wherever a run records them as JSON numbers. */
#define SEED_MAX ((1LL << 53) - 1)

int kvq_codec_seed(const kvq_params *p, kvq_rng *rng, uint64_t *seed, kvq_error *err)
{
    long value;
    int rc = kvq_params_int(p, "seed", 0, SEED_MAX, &value, err);
    if (rc) return rc;
    if (value != 0) {
        *seed = (uint64_t)value;
        return KVQ_OK;
    }
    if (!rng)
        return kvq_fail(err, KVQ_EINVAL, "%s: seed=0 needs a random stream to draw the seed from",
                        p->name);
    uint64_t high = kvq_rng_u32(rng);
    *seed = high << 32 | kvq_rng_u32(rng);
    return KVQ_OK;
}
