/* The TurboQuant-mse stage (backends/turbo.h). */
#include "turbo.h"

#include "util.h"

#include <math.h>
#include <string.h>

int kvq_turbo_init(kvq_turbo *t, size_t dim, unsigned bits, uint64_t seed, const char *codec,
                   kvq_error *err)
{
    int rc = kvq_lloyd_gaussian(bits, &t->codebook, codec, err);
    if (rc) return rc;
    t->dim = dim;
    return kvq_rotation_init(&t->rotation, dim, seed, codec, err);
}

void kvq_turbo_free(kvq_turbo *t)
{
    kvq_rotation_free(&t->rotation);
}

float kvq_turbo_quantize(const kvq_turbo *t, const float *x, float *y, uint8_t *index)
{
    memcpy(y, x, t->dim * sizeof *y);
    kvq_rotation_apply(&t->rotation, y);
    double norm = sqrt((double)kvq_dot(x, x, t->dim));
    float to_unit = norm > 0.0 ? (float)(sqrt((double)t->dim) / norm) : 0.0f;
    for (size_t j = 0; j < t->dim; j++)
        index[j] = (uint8_t)kvq_lloyd_index(&t->codebook, y[j] * to_unit);
    return (float)norm;
}

void kvq_turbo_dequantize(const kvq_turbo *t, const uint8_t *index, float norm, float *y)
{
    float scale = norm / (float)sqrt((double)t->dim);
    for (size_t j = 0; j < t->dim; j++) y[j] = scale * t->codebook.centroid[index[j]];
}
