/* One cell's evaluation: the codec fitted, encoded and scored on a population, every per-cell
 * metric computed (harness/cell_eval.c). */
#ifndef KVQ_CELL_EVAL_H
#define KVQ_CELL_EVAL_H

#include "harness/cell.h"
#include "harness/reference.h"

/* Evaluates cell->variant on ref->pop: fit on the rows, encode them, score the queries against
 * the codes and compare with the exact scores, decode when the codec can; with replicates > 1,
 * replicates - 1 more independent fits (their subject scores and the metrics' across-replicate
 * intervals: cell.h). The cell's random streams derive from run_seed and the cell's identity
 * (variant and population key, include/kvq/population_key.h) only. Fills cell->metrics and the
 * subject arrays, or cell->status and cell->error on failure; returns cell->status. */
int kvq_cell_run(kvq_cell *cell, const kvq_reference *ref, uint64_t run_seed, size_t replicates);

#endif
