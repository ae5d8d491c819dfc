/* kvqeval merge OUT SHARD_DIR... [--heatmap METRIC] [--epiphanies FILE] [--format F] [--quiet]:
 * one run from the N shards of a run (--shard I/N). The shards must be all N of one selection,
 * seed and kvqeval build, each finished; OUT becomes a run folder holding their cells, and every
 * output is written through the path a run ends in, so that it is the same bytes as the run
 * done whole (apart from times and throughputs). */
#include "cli/commands.h"
#include "io/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "usage: kvqeval merge OUT SHARD_DIR... [--heatmap METRIC] "
                            "[--epiphanies FILE] [--format F] [--quiet]\n";

/* Parses the options into cmd and the folders into shards; -1 when fine, else the exit status. */
static int parse_merge(int argc, char **argv, kvq_run_command *cmd, const char **shards,
                       size_t *nshards)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int option = kvq_output_option(cmd, argc, argv, &i, "merge");
        if (option < 0) return KVQ_EXIT_USAGE;
        if (option) continue;
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return KVQ_EXIT_OK;
        } else if (a[0] != '-' && !cmd->run.out_dir) {
            cmd->run.out_dir = a;
        } else if (a[0] != '-') {
            shards[(*nshards)++] = a;
        } else {
            kvq_say("kvqeval merge: unexpected argument '%s'", a);
            fputs(usage, stderr);
            return KVQ_EXIT_USAGE;
        }
    }
    if (!*nshards) {
        fprintf(stderr, "kvqeval merge: give the new run folder, then every shard's folder\n%s",
                usage);
        return KVQ_EXIT_USAGE;
    }
    return -1;
}

int kvq_merge_main(int argc, char **argv)
{
    const char **shards = calloc((size_t)argc, sizeof *shards);
    if (!shards) {
        kvq_say("kvqeval merge: out of memory");
        return KVQ_EXIT_IO;
    }
    /* argv[-1] is the program: the manifest records the whole command line */
    kvq_run_command cmd = {.run = {.threads = 1, .argc = argc + 1, .argv = argv - 1},
                           .heatmap = "spearman",
                           .finished_only = 1};
    size_t nshards = 0;
    int status = parse_merge(argc, argv, &cmd, shards, &nshards);
    if (status < 0) {
        cmd.run.merge_dirs = shards;
        cmd.run.nmerge = nshards;
        status = kvq_run_main(&cmd);
    }
    free(shards);
    return status;
}
