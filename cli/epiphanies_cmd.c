/* kvqeval epiphanies RUN_DIR [--spec FILE]: re-evaluates the epiphany table of a finished run
 * (its cells.csv and populations.csv), e.g. with a new or edited spec, and rewrites
 * epiphanies.md and epiphanies.csv there. */
#include "analysis/epiphany.h"
#include "cli/commands.h"
#include "harness/run.h"
#include "io/message.h"
#include "report/writers.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: kvqeval epiphanies RUN_DIR [--spec FILE]\n";

int kvq_epiphanies_main(int argc, char **argv)
{
    const char *dir = NULL, *spec = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--spec") == 0 && i + 1 < argc) {
            spec = argv[++i];
        } else if (strncmp(argv[i], "--spec=", 7) == 0) {
            spec = argv[i] + 7;
        } else if (strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return KVQ_EXIT_OK;
        } else if (argv[i][0] != '-' && !dir) {
            dir = argv[i];
        } else {
            kvq_say("kvqeval epiphanies: unexpected argument '%s'", argv[i]);
            fputs(usage, stderr);
            return KVQ_EXIT_USAGE;
        }
    }
    if (!dir) {
        fprintf(stderr, "kvqeval epiphanies: which run folder?\n%s", usage);
        return KVQ_EXIT_USAGE;
    }
    const char *slash = strrchr(dir, '/');
    const char *name = slash && slash[1] ? slash + 1 : dir;
    kvq_error err;
    kvq_error_clear(&err);
    cJSON *parsed;
    if (kvq_epiphany_load(&parsed, spec, &err)) {
        kvq_say("kvqeval epiphanies: %s", err.msg);
        return KVQ_EXIT_USAGE;
    }
    if (kvq_epiphanies_write(dir, name, parsed, kvq_epiphany_source(spec), &err)) {
        kvq_say("kvqeval epiphanies: %s", err.msg);
        return KVQ_EXIT_IO;
    }
    kvq_say("kvqeval: wrote %s/epiphanies.md and epiphanies.csv", dir);
    return KVQ_EXIT_OK;
}
