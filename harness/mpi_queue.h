/* A run's cells over MPI ranks (`mpirun -n N kvqeval ...` of a build with -Dmpi=enabled; README,
 * "MPI"). Rank 0 runs the command as a single process would and keeps the queue of pending cells;
 * every other rank only evaluates the cells rank 0 sends it. harness/mpi_queue.c implements this
 * with MPI; harness/mpi_none.c, the default build's, is one process: rank 0 of a world of one. */
#ifndef KVQ_MPI_QUEUE_H
#define KVQ_MPI_QUEUE_H

#include "harness/run.h"

/* Joins the MPI world, before anything else runs. Returns this process's rank (0 without MPI). */
int kvq_mpi_start(int *argc, char ***argv);

/* A rank other than 0: evaluates each cell rank 0 sends and sends it back, until rank 0 ends the
 * world; prints nothing and writes no file. Returns the process's exit status. */
int kvq_mpi_serve(void);

/* Rank 0: evaluates run's pending cells as kvq_run_execute does (saved as they end, the same
 * progress, messages and tally), on the other ranks when there are any, else on `threads`
 * threads here. */
void kvq_mpi_execute(kvq_run *run, int threads, int progress);

/* Ends this process's part: rank 0 releases the other ranks; then the world is left. */
void kvq_mpi_end(void);

#endif
