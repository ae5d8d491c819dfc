/* Symmetric 8-bit absmax quantization (backends/absmax8.h), in loops the compiler vectorises.
 * Known answer (tests/test_backend_known.c, int8): (1, -0.5, 0.25, 0) -> scale 1/127, codes
 * (127, -64, 32, 0). */
#include "absmax8.h"
#include "dotf.h"

#include <string.h>

/* max_j |x_j| on the bit patterns: with the sign bit cleared, finite floats order like unsigned
 * integers, a max the compiler vectorises (fmaxf does not, for its NaN rules). */
static KVQ_VECTOR_CLONES float absmax8_max(const float *x, size_t dim)
{
    uint32_t m = 0;
    for (size_t j = 0; j < dim; j++) {
        uint32_t u;
        memcpy(&u, &x[j], sizeof u);
        u &= 0x7fffffffu;
        m = u > m ? u : m;
    }
    float f;
    memcpy(&f, &m, sizeof f);
    return f;
}

/* q_j = round(x_j * inv), ties away from zero, as roundf but in a form that vectorises:
 * truncate, then step away from zero when the dropped fraction is at least a half. */
static KVQ_VECTOR_CLONES void absmax8_round(const float *x, size_t dim, float inv, uint8_t *q)
{
    for (size_t j = 0; j < dim; j++) {
        float v = x[j] * inv;
        int32_t t = (int32_t)v;
        float frac = v - (float)t;
        t += (frac >= 0.5f) - (frac <= -0.5f);
        t = t > 127 ? 127 : t < -127 ? -127 : t;
        q[j] = (uint8_t)(int8_t)t;
    }
}

float kvq_absmax8_quantize(const float *x, size_t dim, uint8_t *q)
{
    float scale = absmax8_max(x, dim) / 127.0f;
    absmax8_round(x, dim, scale > 0.0f ? 1.0f / scale : 0.0f, q);
    return scale;
}
