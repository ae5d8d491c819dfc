/* Chain collapse of one cell (harness/cell_chain.h; definition in include/kvq/chain.h).
 *
 * The layers are the population's own chain when it has one (every layer of a square role of a
 * checkpoint or model, in layer order, each whole; a model's residual chain also carries the
 * RMSNorm weights of the sub-block each matrix belongs to). A population without layers (a
 * synthetic generator, an npy file) makes its chain of consecutive square blocks of its rows: W_l =
 * rows [(l-1) dim, l dim), as many as the rows hold, at most the depth cap. A checkpoint's or
 * model's population whose role has no chain gets none: blocks of sampled rows are not its
 * layers. The chain runs to the cap (cycling through the layers), from the first min(nq, 64)
 * queries. Each layer gets its own instance of the cell's codec, fitted on and encoding that whole
 * layer.
 *
 * chain_depth = the number of layers applied before rho first falls below tau: 0 when it collapses
 * at the first layer, the cap (33) when it never does. Its interval, chain_rho_final's and the
 * curve's at every depth come from the bootstrap over the starting vectors (each resample's curve
 * is the mean of its vectors' curves, and its depth that curve's). A chain that cannot run (fewer
 * rows than dim, a codec that cannot fit dim rows, or one whose tables could hold every row of a
 * layer) is left out, with the reason in the cell's note: a skipped part never fails the cell. */
#include "harness/cell_chain.h"
#include "kvq/backend.h"
#include "kvq/bootstrap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHAIN_STARTS 64
#define CHAIN_REPS 1000
#define LEVEL 0.95

/* The curves of the starting vectors (each[i * depth + l]) and what a resample reads of them. */
typedef struct curves {
    const double *each;
    size_t depth;
    double tau;
    double *mean;
} curves;

static void mean_curve(const curves *c, const size_t *idx, size_t n)
{
    for (size_t l = 0; l < c->depth; l++) c->mean[l] = 0.0;
    for (size_t k = 0; k < n; k++)
        for (size_t l = 0; l < c->depth; l++) c->mean[l] += c->each[idx[k] * c->depth + l];
    for (size_t l = 0; l < c->depth; l++) c->mean[l] /= (double)n;
}

/* Layers survived by a curve: collapse depth - 1, or the depth when it never collapses. */
static double survived(const double *rho, size_t depth, double tau)
{
    size_t collapse = kvq_chain_collapse_depth(rho, depth, tau);
    return collapse ? (double)collapse - 1.0 : (double)depth;
}

static double resample_depth(const size_t *idx, size_t n, void *ctx)
{
    const curves *c = ctx;
    mean_curve(c, idx, n);
    return survived(c->mean, c->depth, c->tau);
}

/* The intervals of chain_depth, chain_rho_final and the curve over the nh starting vectors. */
static int intervals(kvq_cell *cell, const kvq_chain *chain, const double *each, size_t nh,
                     kvq_rng *rng, kvq_error *err)
{
    double mean[KVQ_CHAIN_MAX_DEPTH];
    curves c = {each, chain->depth, chain->tau, mean};
    kvq_interval depth, rho;
    int rc = kvq_bootstrap(nh, resample_depth, &c, CHAIN_REPS, LEVEL, rng, &depth, err);
    double column[CHAIN_STARTS];
    for (size_t l = 0; !rc && l < chain->depth; l++) {
        /* the mean of the vectors' rho at depth l: resample_rho's statistic, as a plain mean */
        for (size_t i = 0; i < nh; i++) column[i] = each[i * chain->depth + l];
        rc = kvq_bootstrap_mean(column, nh, CHAIN_REPS, LEVEL, rng, &rho, err);
        cell->chain_rho_low[l] = rho.lo;
        cell->chain_rho_high[l] = rho.hi;
    }
    if (rc) return rc;
    kvq_cell_add(cell, "chain_depth", survived(chain->rho, chain->depth, chain->tau), depth.lo,
                 depth.hi);
    kvq_cell_add(cell, "chain_rho_final", chain->rho[chain->depth - 1], rho.lo, rho.hi);
    return KVQ_OK;
}

int kvq_cell_chain(kvq_cell *cell, const kvq_codec *codec, const kvq_reference *ref, kvq_rng *rng,
                   kvq_error *err)
{
    const kvq_population *pop = ref->pop;
    kvq_chain_layers layers = {pop->chain, pop->chain_len, pop->chain_norm, pop->chain_eps};
    if (!layers.w && !pop->chain_blocks) {
        kvq_cell_note(cell, "chain collapse skipped: %s",
                      pop->chain_why[0] ? pop->chain_why : "the population has no chain");
        return KVQ_OK;
    }
    if (!layers.w) {
        layers.w = pop->rows;
        layers.n = pop->n / pop->dim;
        if (layers.n > KVQ_CHAIN_MAX_DEPTH) layers.n = KVQ_CHAIN_MAX_DEPTH;
    }
    if (layers.n == 0) {
        kvq_cell_note(cell, "chain collapse skipped: %zu rows do not make one %zu x %zu layer",
                      pop->n, pop->dim, pop->dim);
        return KVQ_OK;
    }
    size_t starts = pop->nq < CHAIN_STARTS ? pop->nq : CHAIN_STARTS;
    const kvq_chain_exact *ex;
    if (kvq_reference_chain(ref, &layers, starts, &ex, err)) return KVQ_ENOMEM;
    double *each = malloc(starts * KVQ_CHAIN_MAX_DEPTH * sizeof *each);
    if (!each) return kvq_fail(err, KVQ_ENOMEM, "chain: no memory for %zu curves", starts);
    kvq_chain chain;
    kvq_error why;
    kvq_error_clear(&why);
    int rc = kvq_chain_collapse_with(ex, codec->backend, &codec->params, &layers, pop->dim,
                                     pop->queries, starts, KVQ_CHAIN_MAX_DEPTH, KVQ_CHAIN_TAU, rng,
                                     &chain, each, &why);
    if (rc == KVQ_ENOMEM) {
        rc = kvq_fail(err, KVQ_ENOMEM, "%s", why.msg);
    } else if (rc) {
        kvq_cell_note(cell, "chain collapse skipped: %s", why.msg);
        rc = KVQ_OK;
    } else if (chain.degenerate) {
        kvq_cell_note(cell,
                      "chain collapse skipped: degenerate at layer %zu (the codec's shared bytes "
                      "reach the layer's %zu x %zu values in bf16)",
                      chain.degenerate, pop->dim, pop->dim);
    } else {
        cell->chain_len = chain.depth;
        memcpy(cell->chain_rho, chain.rho, chain.depth * sizeof *chain.rho);
        rc = intervals(cell, &chain, each, starts, rng, err);
    }
    free(each);
    return rc;
}
