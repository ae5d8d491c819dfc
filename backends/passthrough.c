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

/* Rows copied at once into an aligned block (16 KiB), which every query is then dotted with. */
#define BLOCK_FLOATS 4096

/* Codes are the rows' own bytes; copied into aligned rows before the dot products, which are
 * accumulated in double like the exact scores (kvq_dot_rows_many: kvq_dot's sums), so passthrough
 * reproduces them exactly. */
static int passthrough_score_many(const void *state, const float *queries, size_t nq,
                                  const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const kvq_dim_state *s = state;
    size_t block = BLOCK_FLOATS / s->dim ? BLOCK_FLOATS / s->dim : 1;
    float *rows = malloc((block < n ? block : n) * s->dim * sizeof *rows);
    double *tile = malloc(KVQ_DOT_ROWS * s->dim * sizeof *tile);
    if (!rows || !tile) {
        free(rows), free(tile);
        return kvq_fail(err, KVQ_ENOMEM, "passthrough: out of memory");
    }
    for (size_t i0 = 0; i0 < n; i0 += block) {
        size_t m = n - i0 < block ? n - i0 : block;
        memcpy(rows, codes + i0 * s->dim * sizeof(float), m * s->dim * sizeof(float));
        kvq_dot_rows_many(queries, nq, rows, m, s->dim, out + i0, n, tile);
    }
    free(rows), free(tile);
    return KVQ_OK;
}

static int passthrough_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                             float *out, kvq_error *err)
{
    return passthrough_score_many(state, query, 1, codes, n, out, err);
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
    .score_many = passthrough_score_many,
    .reconstruct = passthrough_reconstruct,
    .bytes_per_row = passthrough_bytes_per_row,
    .destroy = kvq_state_free,
};
