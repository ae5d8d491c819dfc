/* Scoring by decoding (backends/decoded_score.h). */
#include "decoded_score.h"
#include "dotf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Decoded rows held at once: at most this many floats (64 KiB), so that a block stays in cache
 * while every query is dotted with it. */
#define BLOCK_FLOATS 16384

/* Rows and queries whose sequential sums advance together: each (query, row) pair keeps its own
 * float sum over the coordinates in order, the sum it would have alone, and the SEQ_QUERIES x
 * SEQ_ROWS sums of a tile advance side by side, which vectorises across the rows and keeps the
 * additions of different queries overlapping. */
#define SEQ_ROWS 8
#define SEQ_QUERIES 4

/* Copies rows [r0, r0 + SEQ_ROWS) of the m decoded rows into t (dim x SEQ_ROWS, coordinate-major),
 * rows past m as zeros. */
static void transpose_tile(const float *rows, size_t m, size_t r0, size_t dim, float *t)
{
    for (size_t r = 0; r < SEQ_ROWS; r++)
        for (size_t j = 0; j < dim; j++)
            t[j * SEQ_ROWS + r] = r0 + r < m ? rows[(r0 + r) * dim + j] : 0.0f;
}

/* acc[k * SEQ_ROWS + r] = the float sum over j in order of q_k[j] t[j * SEQ_ROWS + r], for the
 * nk <= SEQ_QUERIES queries q_k = q + k * dim. */
KVQ_VECTOR_CLONES static void sequential_tile(const float *q, size_t nk, const float *t, size_t dim,
                                              float *restrict acc)
{
    float a[SEQ_QUERIES][SEQ_ROWS] = {{0}};
    if (nk == SEQ_QUERIES) {
        for (size_t j = 0; j < dim; j++)
            for (size_t k = 0; k < SEQ_QUERIES; k++)
                for (size_t r = 0; r < SEQ_ROWS; r++)
                    a[k][r] += q[k * dim + j] * t[j * SEQ_ROWS + r];
    } else {
        for (size_t k = 0; k < nk; k++)
            for (size_t j = 0; j < dim; j++)
                for (size_t r = 0; r < SEQ_ROWS; r++)
                    a[k][r] += q[k * dim + j] * t[j * SEQ_ROWS + r];
    }
    memcpy(acc, a, sizeof a);
}

/* The sequential sums of the nq queries q with the m decoded rows, times factor when given, into
 * out + i0 (row stride n); t: dim x SEQ_ROWS floats. */
static void sequential_block(const float *q, size_t nq, const float *rows, const float *factor,
                             size_t m, size_t dim, size_t n, size_t i0, float *t, float *out)
{
    float acc[SEQ_QUERIES * SEQ_ROWS];
    for (size_t r0 = 0; r0 < m; r0 += SEQ_ROWS) {
        transpose_tile(rows, m, r0, dim, t);
        size_t mr = m - r0 < SEQ_ROWS ? m - r0 : SEQ_ROWS;
        for (size_t k0 = 0; k0 < nq; k0 += SEQ_QUERIES) {
            size_t nk = nq - k0 < SEQ_QUERIES ? nq - k0 : SEQ_QUERIES;
            sequential_tile(q + k0 * dim, nk, t, dim, acc);
            for (size_t k = 0; k < nk; k++)
                for (size_t r = 0; r < mr; r++) {
                    float dot = acc[k * SEQ_ROWS + r];
                    out[(k0 + k) * n + i0 + r0 + r] = factor ? factor[r0 + r] * dot : dot;
                }
        }
    }
}

int kvq_decoded_score_many(const kvq_decoded_score *d, const void *state, const float *queries,
                           size_t nq, const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    size_t dim = d->dim, block = BLOCK_FLOATS / dim ? BLOCK_FLOATS / dim : 1;
    if (block > n) block = n;
    int prepared = d->prepare || d->query_dim != dim;
    size_t floats = block * dim + (prepared ? nq * dim : 0) + (d->scaled ? block : 0) +
                    (d->sequential ? SEQ_ROWS * dim : 0);
    float *rows = kvq_state_calloc(d->codec, floats * sizeof *rows, err);
    void *scratch =
        rows && d->scratch_bytes ? kvq_state_calloc(d->codec, d->scratch_bytes, err) : NULL;
    if (!rows || (d->scratch_bytes && !scratch)) {
        free(rows);
        return KVQ_ENOMEM;
    }
    const float *q = queries;
    float *factor = d->scaled ? rows + block * dim + (prepared ? nq * dim : 0) : NULL;
    float *tile = d->sequential ? rows + floats - SEQ_ROWS * dim : NULL;
    if (prepared) { /* after the rows: every query padded and prepared once */
        float *p = rows + block * dim;
        for (size_t k = 0; k < nq; k++) {
            memcpy(p + k * dim, queries + k * d->query_dim, d->query_dim * sizeof *p);
            if (d->prepare) d->prepare(state, p + k * dim);
        }
        q = p;
    }
    for (size_t i0 = 0; i0 < n; i0 += block) {
        size_t m = n - i0 < block ? n - i0 : block;
        d->decode(state, codes + i0 * d->code_bytes, m, rows, factor, scratch);
        if (tile) {
            sequential_block(q, nq, rows, factor, m, dim, n, i0, tile, out);
            continue;
        }
        for (size_t k = 0; k < nq; k++)
            for (size_t r = 0; r < m; r++) {
                float dot = kvq_dotf(q + k * dim, rows + r * dim, dim);
                out[k * n + i0 + r] = factor ? factor[r] * dot : dot;
            }
    }
    free(rows);
    free(scratch);
    return KVQ_OK;
}
