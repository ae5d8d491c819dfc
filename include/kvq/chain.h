/* Chain collapse: what happens when a codec's scores feed the next layer, as attention and MLP
 * layers do. Definition in README, "Metrics", and metrics/chain.c.
 *
 * Layers W_1..W_L (each dim x dim, row-major, its rows the "keys" a codec encodes) and starting
 * vectors h_0 (nh x dim). Depth l = 1..depth uses layer W_((l-1) mod L) + 1, cycling through the
 * given layers when depth > L.
 *     exact:        h_l = normalize(h_(l-1) W_l^T)
 *     through codec: h^_l[i] = normalize(score(h^_(l-1)[i], codes of W_l)), h^_0 = h_0
 * where score is the codec's asymmetric estimate of <query, row> and normalize divides by the L2
 * norm (a zero vector stays zero). rho_l = mean over the nh starting vectors of
 * Spearman(h_l[i], h^_l[i]); a Spearman that is undefined (a constant vector: the codec's output
 * carries no ranking) counts as 0. The collapse depth is the first l with rho_l < tau, or 0 when
 * rho stays >= tau for all depth layers.
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

typedef struct kvq_chain {
    size_t depth;    /* layers applied */
    double tau;      /* threshold */
    size_t collapse; /* first l with rho_l < tau; 0 = did not collapse within depth */
    double rho[KVQ_CHAIN_MAX_DEPTH]; /* rho[l - 1] for l = 1..depth: the whole curve */
} kvq_chain;

/* Runs the chain of nlayers given layers (nlayers >= 1) for depth layers (1 <= depth <=
 * KVQ_CHAIN_MAX_DEPTH) from the nh >= 1 starting vectors h0, with threshold tau. One codec instance
 * of backend b with parameters p (registered or not; kvq_codec_open_backend) is opened per given
 * layer, with its random stream drawn from rng in layer order, fitted on and encoding that layer's
 * dim rows. Codec failures come back with the layer named; bad sizes -> KVQ_EINVAL; depth above the
 * cap -> KVQ_ERANGE; KVQ_ENOMEM. */
int kvq_chain_collapse(const kvq_backend *b, const kvq_params *p, const float *layers,
                       size_t nlayers, size_t dim, const float *h0, size_t nh, size_t depth,
                       double tau, kvq_rng *rng, kvq_chain *out, kvq_error *err);

#endif
