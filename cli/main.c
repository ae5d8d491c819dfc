/* kvqeval: the program. Everything happens in kvq_cli_main (cli/cli.c); this file only turns
 * GSL's abort-on-error handler off, so every GSL failure comes back as a status, and ignores
 * SIGXFSZ, so that a write past the file size limit (ulimit -f) fails with EFBIG and is reported
 * like a full disk instead of killing the run with a file half-written. Under mpirun (a build
 * with -Dmpi=enabled) rank 0 runs the command and every other rank serves it cells
 * (harness/mpi_queue.h); without MPI the process is rank 0. */
#include "cli/cli.h"
#include "harness/mpi_queue.h"

#include <gsl/gsl_errno.h>
#include <signal.h>

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    signal(SIGXFSZ, SIG_IGN);
    int status = kvq_mpi_start(&argc, &argv) ? kvq_mpi_serve() : kvq_cli_main(argc, argv);
    kvq_mpi_end();
    return status;
}
