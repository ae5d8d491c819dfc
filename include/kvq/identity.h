/* Identity in the index regime: does each row, decoded, stay the nearest to itself? */
#ifndef KVQ_IDENTITY_H
#define KVQ_IDENTITY_H

#include "kvq/error.h"
#include <stddef.h>

/* identity = the fraction of probe rows i (the first min(n, probes) rows) whose nearest decoded
 * row, argmin_j |x_i - xhat_j|^2 over all n decoded rows, is xhat_i itself; a tie goes to the
 * lower index. 1 for an exact codec (unless rows repeat); about 1/(rows per centroid) for a
 * palette that merges rows. x and xhat: n x dim, row-major. Computed as argmax_j 2<x_i, xhat_j> -
 * |xhat_j|^2 with CBLAS sgemm in blocks of rows. KVQ_ENOMEM; *out NaN when n == 0. */
int kvq_identity(const float *x, const float *xhat, size_t n, size_t dim, size_t probes,
                 double *out, kvq_error *err);

#endif
