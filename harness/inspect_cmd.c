/* kvqeval inspect: list a checkpoint's tensors with role and layer (issue 4; not yet built). */
#include "commands.h"
#include "run.h"

#include <stdio.h>

int kvq_inspect_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("kvqeval: 'inspect' is not available in this build yet\n", stderr);
    return KVQ_EXIT_USAGE;
}
