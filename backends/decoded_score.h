/* Scoring by decoding (internal to backends/): for codecs whose estimate of <q, x_i> is the float
 * inner product kvq_dotf(q', y_i) of the query as the codec prepares it (q' = q, or q rotated)
 * and code i decoded into floats (y_i = the row, or the rotated row), or, for codecs marked
 * sequential, the plain float sum of q'_j y_ij in coordinate order. One function scores one
 * query or many, so that score and score_many give the same numbers bit for bit: every query is
 * prepared once, then a block of codes is decoded once for all of them. */
#ifndef KVQ_BACKENDS_DECODED_SCORE_H
#define KVQ_BACKENDS_DECODED_SCORE_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

typedef struct kvq_decoded_score {
    const char *codec; /* for the out-of-memory message */
    size_t dim;        /* the length of the dot product */
    size_t query_dim;  /* the queries' (<= dim; a query is padded with zeros to dim) */
    size_t code_bytes;
    /* Makes q' of the query in place (dim floats); NULL: the query as given. */
    void (*prepare)(const void *state, float *query);
    /* Decodes the m codes at codes into rows (m x dim floats) and, when factor is not NULL, the
     * factor each row's dot product is multiplied by; scratch: scratch_bytes. */
    void (*decode)(const void *state, const uint8_t *codes, size_t m, float *rows, float *factor,
                   void *scratch);
    size_t scratch_bytes;
    int scaled;     /* out = factor_i * kvq_dotf(q', y_i) */
    int sequential; /* the dot product is one float sum from 0 in coordinate order */
} kvq_decoded_score;

/* out[q * n + i] = kvq_dotf(q'_q, y_i), or the sequential sum, (times factor_i when scaled) for the
 * nq queries (nq x query_dim) and n codes. */
int kvq_decoded_score_many(const kvq_decoded_score *d, const void *state, const float *queries,
                           size_t nq, const uint8_t *codes, size_t n, float *out, kvq_error *err);

#endif
