/* Runs the cells of a run that are not done yet on a pool of threads. */
#ifndef KVQ_SCHEDULER_H
#define KVQ_SCHEDULER_H

#include "harness/run.h"

/* Evaluates every cell with done == 0 on `threads` POSIX threads (one OpenBLAS thread each),
 * saving each to the cell store the moment it ends, with a progress line on stderr when progress
 * is set. Cells are independent and read only their population and reference, so the results do
 * not depend on the thread count or order. Then sets run->failed (failed cells of this run and
 * earlier ones), run->unsaved (cells whose file could not be written), the wall time and the peak
 * memory. A shard's run (spec.shard_count) evaluates only its own cells (kvq_run_cell_in_shard). */
void kvq_run_execute(kvq_run *run, int threads, int progress);

#endif
