/* passthrough: the exact f32 baseline. A code is the row itself, dim little-endian f32 values
 * (4 * dim bytes, 32 bits per coordinate). Reconstruction and scores are exact, so every fidelity
 * metric is at its ideal value (Pearson = Spearman = recall@k = 1, relative MSE = 0): the
 * known answer its test checks. */
#include "kvq/backend.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const kvq_param_doc passthrough_params[] = {{NULL, NULL, NULL}};

static int passthrough_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                              kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_dim_state_create("passthrough", dim, state, err);
}

static int passthrough_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                              kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    memcpy(codes, rows, n * s->dim * sizeof(float));
    return KVQ_OK;
}

static int passthrough_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                                   kvq_error *err)
{
    (void)err;
    const kvq_dim_state *s = state;
    memcpy(rows, codes, n * s->dim * sizeof(float));
    return KVQ_OK;
}

/* Codes are the rows' own bytes; copied into an aligned row before the dot product, which is
 * accumulated in double like the exact scores, so passthrough reproduces them exactly. */
static int passthrough_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                             float *out, kvq_error *err)
{
    const kvq_dim_state *s = state;
    float *row = malloc(s->dim * sizeof *row);
    if (!row) return kvq_fail(err, KVQ_ENOMEM, "passthrough: out of memory");
    for (size_t i = 0; i < n; i++) {
        memcpy(row, codes + i * s->dim * sizeof(float), s->dim * sizeof(float));
        out[i] = kvq_dot(query, row, s->dim);
    }
    free(row);
    return KVQ_OK;
}

static size_t passthrough_bytes_per_row(const void *state)
{
    const kvq_dim_state *s = state;
    return s->dim * sizeof(float);
}

const kvq_backend kvq_backend_passthrough = {
    .name = "passthrough",
    .summary = "exact f32 baseline (32 bits per coordinate)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = passthrough_params,
    .variants = "",
    .tolerance = 0.0,
    .create = passthrough_create,
    .encode = passthrough_encode,
    .score = passthrough_score,
    .reconstruct = passthrough_reconstruct,
    .bytes_per_row = passthrough_bytes_per_row,
    .destroy = kvq_state_free,
};
