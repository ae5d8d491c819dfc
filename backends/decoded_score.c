/* Scoring by decoding (backends/decoded_score.h). */
#include "decoded_score.h"
#include "dotf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Decoded rows held at once: at most this many floats (64 KiB), so that a block stays in cache
 * while every query is dotted with it. */
#define BLOCK_FLOATS 16384

int kvq_decoded_score_many(const kvq_decoded_score *d, const void *state, const float *queries,
                           size_t nq, const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    size_t dim = d->dim, block = BLOCK_FLOATS / dim ? BLOCK_FLOATS / dim : 1;
    if (block > n) block = n;
    int prepared = d->prepare || d->query_dim != dim;
    size_t floats = block * dim + (prepared ? nq * dim : 0) + (d->scaled ? block : 0);
    float *rows = kvq_state_calloc(d->codec, floats * sizeof *rows, err);
    void *scratch =
        rows && d->scratch_bytes ? kvq_state_calloc(d->codec, d->scratch_bytes, err) : NULL;
    if (!rows || (d->scratch_bytes && !scratch)) {
        free(rows);
        return KVQ_ENOMEM;
    }
    const float *q = queries;
    float *factor = d->scaled ? rows + floats - block : NULL;
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
