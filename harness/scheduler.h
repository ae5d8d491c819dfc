/* Runs the cells of a run that are not done yet on a pool of threads, and what every driver of a
 * run's cells shares (the pool here, the MPI work queue of harness/mpi_queue.c): the progress
 * line, each ended cell saved and reported, and the run's tally at the end. */
#ifndef KVQ_SCHEDULER_H
#define KVQ_SCHEDULER_H

#include "harness/progress.h"
#include "harness/run.h"

/* Evaluates every cell with done == 0 on `threads` POSIX threads (one OpenBLAS thread each),
 * saving each to the cell store the moment it ends, with a progress line on stderr when progress
 * is set. Cells are independent and read only their population and reference, so the results do
 * not depend on the thread count or order. Then sets run->failed (failed cells of this run and
 * earlier ones), run->unsaved (cells whose file could not be written), the wall time and the peak
 * memory. A shard's run (spec.shard_count) evaluates only its own cells (kvq_run_cell_in_shard). */
void kvq_run_execute(kvq_run *run, int threads, int progress);

/* 1 when cells[index] is still to be evaluated by this run: not done, and in its shard. */
int kvq_run_cell_pending(const kvq_run *run, size_t index);

/* A driver's account of a run's cells while they run. The driver serialises the calls. */
typedef struct kvq_cell_tally {
    kvq_run *run;
    kvq_progress progress;
    size_t unsaved; /* ended cells the cell store could not save */
} kvq_cell_tally;

/* Starts the account of run's pending cells, with the progress line when progress is set, and
 * leaves OpenBLAS one thread from then on. */
void kvq_tally_start(kvq_cell_tally *t, kvq_run *run, int progress);

/* Cell c starts: its label on the progress line. */
void kvq_tally_started(kvq_cell_tally *t, const kvq_cell *c);

/* Saves ended cell c (done, ok or failed) to its file of the cell store; 0 or an error in err. The
 * pool calls it without its lock. */
int kvq_tally_save(const kvq_cell_tally *t, const kvq_cell *c, kvq_error *err);

/* Cell c ended and save_rc is kvq_tally_save's status: a save that failed (err) and a cell that
 * failed are said on stderr, below the progress line. */
void kvq_tally_ended(kvq_cell_tally *t, const kvq_cell *c, int save_rc, const kvq_error *err);

/* Clears the progress line and sets run->failed, run->unsaved, the wall time and the peak
 * memory. */
void kvq_tally_finish(kvq_cell_tally *t);

#endif
