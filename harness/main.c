/* kvqeval: the program. Everything happens in kvq_cli_main (harness/cli.c); this file only turns
 * GSL's abort-on-error handler off, so every GSL failure comes back as a status. */
#include "cli.h"

#include <gsl/gsl_errno.h>

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    return kvq_cli_main(argc, argv);
}
