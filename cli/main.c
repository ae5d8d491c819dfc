/* kvqeval: the program. Everything happens in kvq_cli_main (cli/cli.c); this file only turns
 * GSL's abort-on-error handler off, so every GSL failure comes back as a status, and ignores
 * SIGXFSZ, so that a write past the file size limit (ulimit -f) fails with EFBIG and is reported
 * like a full disk instead of killing the run with a file half-written. */
#include "cli/cli.h"

#include <gsl/gsl_errno.h>
#include <signal.h>

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    signal(SIGXFSZ, SIG_IGN);
    return kvq_cli_main(argc, argv);
}
