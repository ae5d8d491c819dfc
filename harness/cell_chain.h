/* Chain collapse of one cell (harness/cell_chain.c; definition in include/kvq/chain.h). */
#ifndef KVQ_CELL_CHAIN_H
#define KVQ_CELL_CHAIN_H

#include "harness/cell.h"
#include "harness/reference.h"
#include "kvq/backend.h"
#include "kvq/population.h"
#include "kvq/rng.h"

/* Runs the chain of codec's variant on the layers of ref's population (its exact side from the
 * reference, kvq_reference_chain) and adds chain_depth and chain_rho_final to cell (or the reason
 * it was skipped to cell->note). */
int kvq_cell_chain(kvq_cell *cell, const kvq_codec *codec, const kvq_reference *ref, kvq_rng *rng,
                   kvq_error *err);

#endif
