/* kvqeval report RUN_DIR [--heatmap METRIC] [--epiphanies FILE]: rewrites every output of a
 * finished run (tables, the psychometric layer, the epiphany table, figures, manifest, report.md)
 * from its stored cells, through the same path a run ends in, e.g. to draw the heatmap of another
 * metric. A run with cells still to run is refused (finish it with --resume). */
#include "cli/commands.h"
#include "io/message.h"
#include "report/table.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: kvqeval report RUN_DIR [--heatmap METRIC] [--epiphanies FILE] [--format F] [--quiet]\n";

int kvq_output_option(kvq_run_command *cmd, int argc, char **argv, int *i, const char *command)
{
    const char *a = argv[*i];
    if ((strcmp(a, "--heatmap") == 0 || strcmp(a, "--epiphanies") == 0) && *i + 1 < argc) {
        *(a[2] == 'h' ? &cmd->heatmap : &cmd->epiphanies) = argv[++*i];
    } else if (strcmp(a, "--format") == 0 && *i + 1 < argc) {
        if ((cmd->format = kvq_table_style_parse(argv[++*i])) < 0) {
            kvq_say("kvqeval %s: --format takes table, md, csv or json", command);
            return -1;
        }
    } else if (strcmp(a, "--quiet") == 0) {
        cmd->quiet = 1;
    } else {
        return 0;
    }
    return 1;
}

int kvq_report_main(int argc, char **argv)
{
    /* argv[-1] is the program: the manifest records the whole command line */
    kvq_run_command cmd = {.run = {.threads = 1, .argc = argc + 1, .argv = argv - 1},
                           .heatmap = "spearman",
                           .finished_only = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int option = kvq_output_option(&cmd, argc, argv, &i, "report");
        if (option < 0) return KVQ_EXIT_USAGE;
        if (option) continue;
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return KVQ_EXIT_OK;
        } else if (a[0] != '-' && !cmd.run.resume_dir) {
            cmd.run.resume_dir = a;
        } else {
            kvq_say("kvqeval report: unexpected argument '%s'", a);
            fputs(usage, stderr);
            return KVQ_EXIT_USAGE;
        }
    }
    if (!cmd.run.resume_dir) {
        fprintf(stderr, "kvqeval report: which run folder?\n%s", usage);
        return KVQ_EXIT_USAGE;
    }
    return kvq_run_main(&cmd);
}
