/* Runs the cells of a run that are not done yet on a pool of threads. */
#ifndef KVQ_SCHEDULER_H
#define KVQ_SCHEDULER_H

#include "run.h"

/* Evaluates every cell with done == 0 on `threads` POSIX threads, saving each to the run folder
 * the moment it ends. Cells are independent and read only their population and reference, so
 * the results do not depend on the thread count or order. *failed counts failed cells (of this
 * run and earlier ones), *unsaved the cells whose file could not be written. */
void kvq_run_cells(kvq_run *run, int threads, int progress, size_t *failed, size_t *unsaved);

#endif
