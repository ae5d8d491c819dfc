/* Identity in the index regime: does each row, decoded, stay the nearest to itself? */
#ifndef KVQ_IDENTITY_H
#define KVQ_IDENTITY_H

#include "kvq/error.h"
#include "kvq/rng.h"
#include <stddef.h>

/* A near-duplicate of row i is another row j with |x_i - x_j|^2 <= KVQ_NEAR_DUPLICATE_R2 |x_i|^2,
 * i.e. within 2^-8 (bf16's relative precision) of |x_i|; exact copies included. */
#define KVQ_NEAR_DUPLICATE_R2 (1.0 / 65536.0)

typedef struct kvq_identity_result {
    double identity;        /* fraction of the probes i whose nearest decoded row is xhat_i */
    double ceiling;         /* fraction of the probes i with no exact copy x_j == x_i at j < i: the
                               identity of an exact codec, the most any codec can reach */
    size_t near_duplicates; /* probes that have a near-duplicate among the n rows */
    size_t near_first[8];   /* the first (up to 8) such probes ... */
    size_t near_other[8];   /* ... and, for each, its nearest other row */
    size_t probes;          /* probes evaluated */
} kvq_identity_result;

/* Draws min(n, m) distinct probe rows of [0, n) uniformly without replacement (Knuth's selection
 * sampling, Algorithm S) from rng into probes[], ascending; returns their count. When m >= n it
 * takes every row and draws nothing. */
size_t kvq_identity_probes(kvq_rng *rng, size_t n, size_t m, size_t *probes);

/* Identity over the probe rows probes[0..m) (distinct indices < n): the fraction of probes i whose
 * nearest decoded row, argmin_j |x_i - xhat_j|^2 over all n decoded rows, is xhat_i itself; a tie
 * goes to the lower index. 1 for an exact codec when no row repeats; about 1/(rows per centroid)
 * for a palette that merges rows. Also fills the ceiling and the near-duplicates (above) of the
 * same probes. x and xhat: n x dim, row-major.
 *
 * Distances are decided in double precision: candidates come from CBLAS dgemm (2<x_i, xhat_j> -
 * |xhat_j|^2), and every candidate within dgemm's rounding bound of the decision is recomputed
 * coordinate by coordinate, so rows that float32 scores cannot tell apart (a vocabulary's
 * near-duplicate rows) are still told apart, and exact copies tie exactly. KVQ_ENOMEM; the
 * fractions NaN when m == 0. */
int kvq_identity(const float *x, const float *xhat, size_t n, size_t dim, const size_t *probes,
                 size_t m, kvq_identity_result *out, kvq_error *err);

#endif
