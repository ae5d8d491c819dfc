/* Helpers shared by codec files (backends/util.h). */
#include "util.h"
#include "kvq/vector_clones.h"

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

void kvq_dot_rows(const float *a, const float *rows, size_t count, size_t n, float *out)
{
    size_t c = 0;
    for (; c + KVQ_DOT_ROWS <= count; c += KVQ_DOT_ROWS) {
        const float *r = rows + c * n;
        double acc[KVQ_DOT_ROWS] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < KVQ_DOT_ROWS; k++) acc[k] += (double)a[i] * (double)r[k * n + i];
        for (size_t k = 0; k < KVQ_DOT_ROWS; k++) out[c + k] = (float)acc[k];
    }
    for (; c < count; c++) out[c] = kvq_dot(a, rows + c * n, n);
}

/* acc[k] = the double sum over i in order of a[i] t[i * KVQ_DOT_ROWS + k], rounded to out[k]. */
KVQ_VECTOR_CLONES static void dot_tile(const float *a, const double *t, size_t n, float *out)
{
    double acc[KVQ_DOT_ROWS] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < KVQ_DOT_ROWS; k++) acc[k] += (double)a[i] * t[i * KVQ_DOT_ROWS + k];
    for (size_t k = 0; k < KVQ_DOT_ROWS; k++) out[k] = (float)acc[k];
}

void kvq_dot_rows_many(const float *queries, size_t nq, const float *rows, size_t count, size_t n,
                       float *out, size_t ldo, double *tile)
{
    size_t c = 0;
    for (; c + KVQ_DOT_ROWS <= count; c += KVQ_DOT_ROWS) {
        for (size_t k = 0; k < KVQ_DOT_ROWS; k++)
            for (size_t i = 0; i < n; i++) tile[i * KVQ_DOT_ROWS + k] = rows[(c + k) * n + i];
        for (size_t q = 0; q < nq; q++) dot_tile(queries + q * n, tile, n, out + q * ldo + c);
    }
    for (; c < count; c++)
        for (size_t q = 0; q < nq; q++)
            out[q * ldo + c] = kvq_dot(queries + q * n, rows + c * n, n);
}
