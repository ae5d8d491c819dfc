/* One cell's evaluation: the codec fitted, encoded and scored on a population, every per-cell
 * metric computed (harness/cell_eval.c). */
#ifndef KVQ_CELL_EVAL_H
#define KVQ_CELL_EVAL_H

#include "harness/cell.h"
#include "harness/reference.h"

/* Evaluates cell->variant on ref->pop: fit on the rows, encode them, score the queries against
 * the codes and compare with the exact scores, decode when the codec can. The cell's random stream
 * derives from run_seed and the cell's identity (variant and population key,
 * include/kvq/population_key.h) only. Fills cell->metrics and the subject arrays, or cell->status
 * and cell->error on failure; returns cell->status. */
int kvq_cell_run(kvq_cell *cell, const kvq_reference *ref, uint64_t run_seed);

#endif
