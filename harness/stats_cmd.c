/* kvqeval stats: reliability calculator on a CSV of subjects x raters (issue 3; not yet built). */
#include "commands.h"
#include "run.h"

#include <stdio.h>

int kvq_stats_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("kvqeval: 'stats' is not available in this build yet\n", stderr);
    return KVQ_EXIT_USAGE;
}
