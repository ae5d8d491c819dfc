/* The subcommands of kvqeval (cli/, one file each). Each prints for the user and returns the exit
 * status (KVQ_EXIT_* of harness/run.h). */
#ifndef KVQ_COMMANDS_H
#define KVQ_COMMANDS_H

#include "harness/run.h"

/* A run as the command line asks for it: the runner's configuration and what the outputs need. */
typedef struct kvq_run_command {
    kvq_run_config run;
    const char *epiphanies; /* epiphany spec; NULL -> the built-in one */
    const char *heatmap;    /* metric of the heatmap figure */
    int quiet;              /* no tables on stdout, no progress line */
    int format;             /* the stdout tables' kvq_table_style (report/table.h) */
    int finished_only;      /* refuse a run folder with cells still to run, or a shard (kvqeval
                               report, kvqeval merge) */
} kvq_run_command;

/* Runs a matrix (or resumes one): checks everything, evaluates the cells, writes every output,
 * prints the tables. */
int kvq_run_main(kvq_run_command *cmd);

/* The other subcommands take the arguments after their name (argv[0] is the subcommand itself). */

/* The options of the commands that write a run's outputs (report, merge): --heatmap M,
 * --epiphanies FILE, --format F, --quiet. Reads the one at argv[*i] into cmd (moving *i past its
 * value): 1 when it was one, 0 when argv[*i] is something else, -1 (said, naming command) for a
 * bad value. (cli/report_cmd.c) */
int kvq_output_option(kvq_run_command *cmd, int argc, char **argv, int *i, const char *command);

/* kvqeval report RUN_DIR [--heatmap METRIC] [--epiphanies FILE] */
int kvq_report_main(int argc, char **argv);

/* kvqeval merge OUT SHARD_DIR... [--heatmap METRIC] [--epiphanies FILE]: one run from the
 * shards of a run */
int kvq_merge_main(int argc, char **argv);

/* kvqeval stats alpha|icc|kappa|corr|factors --csv FILE [--format table|json|csv] */
int kvq_stats_main(int argc, char **argv);

/* kvqeval inspect FILE|DIR [--format table|json] */
int kvq_inspect_main(int argc, char **argv);

/* kvqeval model DIR --tokens FILE.npy | --sample N --length T [--seed S] --out FILE.npy */
int kvq_model_main(int argc, char **argv);

/* kvqeval encode|decode (argv[0] says which): codes of a codec to and from files. */
int kvq_codec_main(int argc, char **argv);

/* kvqeval plot RUN_DIR [--metric M] [--codec GLOB]... [--population GLOB]... [--kind K]...
 * [--out DIR] */
int kvq_plot_main(int argc, char **argv);

/* kvqeval compare RUN_DIR --metric M [--codec A --codec B] [--population GLOB]... */
int kvq_compare_main(int argc, char **argv);

/* kvqeval diff RUN_A RUN_B */
int kvq_diff_main(int argc, char **argv);

/* kvqeval epiphanies RUN_DIR [--spec FILE] */
int kvq_epiphanies_main(int argc, char **argv);

#endif
