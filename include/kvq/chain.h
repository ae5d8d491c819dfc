/* Chain collapse: what happens when a codec's scores feed the next layer, as attention and MLP
 * layers do. Definition in README, "Metrics", and metrics/chain.c.
 *
 * Layers W_1..W_L (each dim x dim, row-major, its rows the "keys" a codec encodes) and starting
 * vectors h_0 (nh x dim). Depth l = 1..depth uses layer W_((l-1) mod L) + 1, cycling through the
 * given layers when depth > L. The bare chain:
 *     exact:        h_l = normalize(h_(l-1) W_l^T)
 *     through codec: h^_l[i] = normalize(score(h^_(l-1)[i], codes of W_l)), h^_0 = h_0
 * where score is the codec's asymmetric estimate of <query, row> and normalize divides by the L2
 * norm (a zero vector stays zero). The residual chain (norm weights g_l given), as a pre-norm
 * transformer block applies a square matrix:
 *     exact:        h_l = h_(l-1) + rmsnorm_l(h_(l-1)) W_l^T
 *     through codec: h^_l[i] = h^_(l-1)[i] + score(rmsnorm_l(h^_(l-1)[i]), codes of W_l)
 * with rmsnorm_l(x) = x / sqrt(mean(x^2) + eps) * g_l. rho_l = mean over the nh starting vectors
 * of Spearman(h_l[i], h^_l[i]); a Spearman that is undefined (a constant vector: the codec's
 * output carries no ranking) counts as 0. The collapse depth is the first l with rho_l < tau, or 0
 * when rho stays >= tau for all depth layers.
 */
#ifndef KVQ_CHAIN_H
#define KVQ_CHAIN_H

#include "kvq/backend.h"
#include "kvq/error.h"
#include "kvq/params.h"
#include "kvq/rng.h"
#include <stddef.h>

#define KVQ_CHAIN_MAX_DEPTH 33 /* the cap on layers applied */
#define KVQ_CHAIN_TAU 0.5      /* the default collapse threshold */

/* The layers of a chain: n matrices dim x dim in order; norm NULL for the bare chain, else n
 * RMSNorm weight vectors of dim (layer l's at norm + l * dim) for the residual chain, with eps. */
typedef struct kvq_chain_layers {
    const float *w;
    size_t n;
    const float *norm;
    double eps;
} kvq_chain_layers;

typedef struct kvq_chain {
    size_t depth;    /* layers applied */
    double tau;      /* threshold */
    size_t collapse; /* first l with rho_l < tau; 0 = did not collapse within depth */
    double rho[KVQ_CHAIN_MAX_DEPTH]; /* rho[l - 1] for l = 1..depth: the whole curve */
    size_t degenerate; /* 0, or 1 + the first given layer whose codec's shared bytes reach the
                          layer's dim x dim values in bf16 (every row can be its own centroid):
                          the chain then measures nothing and is not run */
} kvq_chain;

/* Runs the chain of the given layers (n >= 1) for depth layers (1 <= depth <=
 * KVQ_CHAIN_MAX_DEPTH) from the nh >= 1 starting vectors h0, with threshold tau. One codec instance
 * of backend b with parameters p (registered or not; kvq_codec_open_backend) is opened per given
 * layer, with its random stream drawn from rng in layer order, fitted on and encoding that layer's
 * dim rows. each, when not NULL, receives every starting vector's Spearman: each[i * depth + l - 1]
 * for vector i at depth l (undefined ones 0, as in the mean). Codec failures come back with the
 * layer named; bad sizes -> KVQ_EINVAL; depth above the cap -> KVQ_ERANGE; KVQ_ENOMEM. */
int kvq_chain_collapse(const kvq_backend *b, const kvq_params *p, const kvq_chain_layers *layers,
                       size_t dim, const float *h0, size_t nh, size_t depth, double tau,
                       kvq_rng *rng, kvq_chain *out, double *each, kvq_error *err);

/* The exact side of a chain, which every codec's chain on the same layers from the same starting
 * vectors shares: h_l for l = 1..depth (h + (l - 1) * nh * dim) and, when ranks is not NULL, each
 * h_l[i] ranked (kvq_ranks_of_f, KVQ_RANKS_OF_BYTES(dim) bytes each, in the same order). */
typedef struct kvq_chain_exact {
    size_t depth, nh, dim;
    float *h;
    void *ranks;
} kvq_chain_exact;

/* Computes ex for the layers from h0 (the exact half of kvq_chain_collapse), with the ranks when
 * ranked. Bad sizes -> KVQ_EINVAL or KVQ_ERANGE as kvq_chain_collapse; KVQ_ENOMEM, nothing held. */
int kvq_chain_exact_compute(const kvq_chain_layers *layers, size_t dim, const float *h0, size_t nh,
                            size_t depth, int ranked, kvq_chain_exact *ex, kvq_error *err);
void kvq_chain_exact_free(kvq_chain_exact *ex);

/* kvq_chain_collapse with the exact side read from ex (NULL: computed as it goes): the same numbers
 * bit for bit. ex must come from the same layers and h0, at least depth deep (else KVQ_EINVAL). */
int kvq_chain_collapse_with(const kvq_chain_exact *ex, const kvq_backend *b, const kvq_params *p,
                            const kvq_chain_layers *layers, size_t dim, const float *h0, size_t nh,
                            size_t depth, double tau, kvq_rng *rng, kvq_chain *out, double *each,
                            kvq_error *err);

/* The collapse depth of a curve rho[0..depth): the first l with rho[l - 1] < tau, 0 if none. */
size_t kvq_chain_collapse_depth(const double *rho, size_t depth, double tau);

#endif
