/* Identity in the index regime (include/kvq/identity.h).
 * Known answer (tests/test_identity.c): rows e_0, e_1, e_2 decoded exactly -> 1; all decoded to
 * the same point -> 1/3 (only row 0 wins the tie). */
#include "kvq/identity.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#define BLOCK 2048

int kvq_identity(const float *x, const float *xhat, size_t n, size_t dim, size_t probes,
                 double *out, kvq_error *err)
{
    *out = NAN;
    if (n == 0) return KVQ_OK;
    size_t m = probes < n ? probes : n;
    float *sq = malloc(n * sizeof *sq), *g = malloc(m * BLOCK * sizeof *g);
    float *best = malloc(m * sizeof *best);
    size_t *arg = malloc(m * sizeof *arg);
    if (!sq || !g || !best || !arg) {
        free(sq), free(g), free(best), free(arg);
        return kvq_fail(err, KVQ_ENOMEM, "identity: out of memory for %zu x %d scores", m, BLOCK);
    }
    for (size_t j = 0; j < n; j++)
        sq[j] = cblas_sdot((int)dim, xhat + j * dim, 1, xhat + j * dim, 1);
    for (size_t i = 0; i < m; i++) best[i] = -INFINITY, arg[i] = 0;
    for (size_t j0 = 0; j0 < n; j0 += BLOCK) {
        size_t nb = n - j0 < BLOCK ? n - j0 : BLOCK;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)nb, (int)dim, 2.0f, x,
                    (int)dim, xhat + j0 * dim, (int)dim, 0.0f, g, (int)nb);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < nb; j++) {
                float s = g[i * nb + j] - sq[j0 + j];
                if (s > best[i]) best[i] = s, arg[i] = j0 + j;
            }
    }
    size_t hits = 0;
    for (size_t i = 0; i < m; i++) hits += arg[i] == i;
    *out = (double)hits / (double)m;
    free(sq), free(g), free(best), free(arg);
    return KVQ_OK;
}
