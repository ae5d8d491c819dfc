/* The 1-bit QJL sketch (backends/sketch.h). */
#include "sketch.h"

#include "bitpack.h"
#include "dotf.h"
#include "kvq/rng.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

int kvq_sketch_init(kvq_sketch *sk, size_t m, size_t dim, uint64_t seed, const char *codec,
                    kvq_error *err)
{
    if (m > KVQ_SKETCH_MAX_FLOATS / dim)
        return kvq_fail(err, KVQ_ERANGE,
                        "%s: a %zu x %zu Gaussian projection exceeds the %zu MiB kept in memory",
                        codec, m, dim, KVQ_SKETCH_MAX_FLOATS * sizeof(float) >> 20);
    float *s = kvq_state_calloc(codec, m * dim * sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    kvq_rng rng;
    kvq_rng_derive(&rng, seed, "kvq-qjl");
    for (size_t i = 0; i < m * dim; i++) s[i] = (float)kvq_rng_gaussian(&rng);
    sk->m = m;
    sk->dim = dim;
    sk->s = s;
    return KVQ_OK;
}

void kvq_sketch_free(kvq_sketch *sk)
{
    if (!sk) return;
    free(sk->s);
    sk->s = NULL;
}

void kvq_sketch_project(const kvq_sketch *sk, const float *v, float *out)
{
    for (size_t i = 0; i < sk->m; i++) out[i] = kvq_dotf(sk->s + i * sk->dim, v, sk->dim);
}

void kvq_sketch_signs(const kvq_sketch *sk, const float *v, float *proj, uint8_t *dst,
                      size_t offset)
{
    kvq_sketch_project(sk, v, proj);
    kvq_pack_signs(proj, sk->m, dst, offset);
}

float kvq_sketch_estimate(const kvq_sketch *sk, const float *sq, float norm, const uint8_t *src,
                          size_t offset, float *signs)
{
    kvq_unpack_signs(src, offset, sk->m, signs);
    double scale = sqrt(acos(-1.0) / 2.0) / (double)sk->m;
    return (float)(scale * norm) * kvq_dotf(sq, signs, sk->m);
}
