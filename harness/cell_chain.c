/* Chain collapse of one cell (harness/cell_chain.h; definition in include/kvq/chain.h).
 *
 * The layers are the population's own chain when it has one (all layers of a square role of a
 * checkpoint), else consecutive square blocks of its rows: W_l = rows [(l-1) dim, l dim), as many
 * as the rows hold, at most the depth cap. The chain runs to the cap (cycling through the layers),
 * from the first min(nq, 64) queries. Each layer gets its own instance of the cell's codec, fitted
 * on and encoding that layer's rows.
 *
 * chain_depth = the number of layers applied before rho first falls below tau: 0 when it collapses
 * at the first layer, the cap (33) when it never does. A chain that cannot run (fewer rows than
 * dim, or a codec that cannot fit dim rows, e.g. 256 centroids from 128 rows) is left out, with
 * the reason in the cell's note: a skipped part never fails the cell. */
#include "harness/cell_chain.h"
#include "kvq/backend.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CHAIN_STARTS 64

int kvq_cell_chain(kvq_cell *cell, const kvq_codec *codec, const kvq_population *pop, kvq_rng *rng,
                   kvq_error *err)
{
    const float *layers = pop->chain;
    size_t nlayers = pop->chain_len;
    if (!layers) {
        layers = pop->rows;
        nlayers = pop->n / pop->dim;
        if (nlayers > KVQ_CHAIN_MAX_DEPTH) nlayers = KVQ_CHAIN_MAX_DEPTH;
    }
    if (nlayers == 0) {
        kvq_cell_note(cell, "chain collapse skipped: %zu rows do not make one %zu x %zu layer",
                      pop->n, pop->dim, pop->dim);
        return KVQ_OK;
    }
    size_t starts = pop->nq < CHAIN_STARTS ? pop->nq : CHAIN_STARTS;
    kvq_chain chain;
    kvq_error why;
    kvq_error_clear(&why);
    if (kvq_chain_collapse(codec->backend, &codec->params, layers, nlayers, pop->dim, pop->queries,
                           starts, KVQ_CHAIN_MAX_DEPTH, KVQ_CHAIN_TAU, rng, &chain, &why)) {
        if (why.code == KVQ_ENOMEM) return kvq_fail(err, KVQ_ENOMEM, "%s", why.msg);
        kvq_cell_note(cell, "chain collapse skipped: %s", why.msg);
        return KVQ_OK;
    }
    cell->chain_len = chain.depth;
    memcpy(cell->chain_rho, chain.rho, chain.depth * sizeof *chain.rho);
    double survived = chain.collapse ? (double)chain.collapse - 1.0 : (double)chain.depth;
    kvq_cell_add(cell, "chain_depth", survived, NAN, NAN);
    kvq_cell_add(cell, "chain_rho_final", chain.rho[chain.depth - 1], NAN, NAN);
    return KVQ_OK;
}
