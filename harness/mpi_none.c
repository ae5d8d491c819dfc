/* No MPI (harness/mpi_queue.h): the default build, where every command is one process. */
#include "harness/mpi_queue.h"
#include "harness/scheduler.h"

int kvq_mpi_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int kvq_mpi_serve(void)
{
    return KVQ_EXIT_OK;
}

void kvq_mpi_execute(kvq_run *run, int threads, int progress)
{
    kvq_run_execute(run, threads, progress);
}

void kvq_mpi_end(void) {}
