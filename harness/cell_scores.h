/* Agreement of a codec's scores with the exact ones, for one cell (harness/cell_scores.c). */
#ifndef KVQ_CELL_SCORES_H
#define KVQ_CELL_SCORES_H

#include "harness/cell.h"
#include "harness/reference.h"
#include "kvq/rng.h"

/* Adds the score-agreement metrics of est (the codec's nq x n scores of ref->pop) to cell, and
 * its view of the psychometric subjects; rng draws the bootstrap. */
int kvq_cell_score_metrics(kvq_cell *cell, const kvq_reference *ref, const float *est, kvq_rng *rng,
                           kvq_error *err);

#endif
