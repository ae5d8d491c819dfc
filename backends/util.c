/* Helpers shared by codec files (backends/util.h). */
#include "util.h"

#include <stdlib.h>

void *kvq_state_calloc(const char *codec, size_t size, kvq_error *err)
{
    void *p = calloc(1, size);
    if (!p) kvq_fail(err, KVQ_ENOMEM, "%s: out of memory allocating %zu bytes", codec, size);
    return p;
}

int kvq_dim_state_create(const char *codec, size_t dim, void **state, kvq_error *err)
{
    kvq_dim_state *s = kvq_state_calloc(codec, sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    *state = s;
    return KVQ_OK;
}

void kvq_state_free(void *state)
{
    free(state);
}

float kvq_dot(const float *a, const float *b, size_t n)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) acc += (double)a[i] * (double)b[i];
    return (float)acc;
}
