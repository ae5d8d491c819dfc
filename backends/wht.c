/* Fast Walsh–Hadamard transform and the randomised rotation (backends/wht.h). */
#include "wht.h"

#include "kvq/rng.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>

void kvq_wht(float *x, size_t n)
{
    for (size_t h = 1; h < n; h *= 2) {
        for (size_t i = 0; i < n; i += 2 * h) {
            for (size_t j = i; j < i + h; j++) {
                float a = x[j], b = x[j + h];
                x[j] = a + b;
                x[j + h] = a - b;
            }
        }
    }
    if (n > 1) {
        float scale = (float)(1.0 / sqrt((double)n));
        for (size_t i = 0; i < n; i++) x[i] *= scale;
    }
}

size_t kvq_pow2_floor(size_t n)
{
    size_t p = 1;
    while (p <= n / 2) p *= 2;
    return p;
}

size_t kvq_pow2_ceil(size_t n)
{
    size_t p = 1;
    while (p < n) p *= 2;
    return p;
}

int kvq_rotation_init(kvq_rotation *r, size_t dim, uint64_t seed, const char *codec, kvq_error *err)
{
    float *signs = kvq_state_calloc(codec, 3 * dim * sizeof *signs, err);
    if (!signs) return KVQ_ENOMEM;
    kvq_rng rng;
    kvq_rng_derive(&rng, seed, "kvq-rotation");
    for (size_t i = 0; i < 3 * dim; i++) signs[i] = (kvq_rng_u32(&rng) >> 31) ? -1.0f : 1.0f;
    r->dim = dim;
    r->block = kvq_pow2_floor(dim);
    r->seed = seed;
    r->signs = signs;
    return KVQ_OK;
}

void kvq_rotation_free(kvq_rotation *r)
{
    if (!r) return;
    free(r->signs);
    r->signs = NULL;
}

static void flip_signs(float *x, const float *signs, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] *= signs[i];
}

void kvq_rotation_apply(const kvq_rotation *r, float *x)
{
    size_t d = r->dim, p = r->block;
    flip_signs(x, r->signs, d);
    kvq_wht(x, p);
    flip_signs(x, r->signs + d, d);
    kvq_wht(x + (d - p), p);
    flip_signs(x, r->signs + 2 * d, d);
    kvq_wht(x, p);
}

void kvq_rotation_invert(const kvq_rotation *r, float *x)
{
    size_t d = r->dim, p = r->block;
    kvq_wht(x, p);
    flip_signs(x, r->signs + 2 * d, d);
    kvq_wht(x + (d - p), p);
    flip_signs(x, r->signs + d, d);
    kvq_wht(x, p);
    flip_signs(x, r->signs, d);
}
