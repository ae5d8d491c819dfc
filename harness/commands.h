/* Subcommands of kvqeval besides running a matrix. Each takes the arguments after its name
 * (argv[0] is the subcommand itself), prints for the user, and returns the exit status
 * (KVQ_EXIT_* of harness/run.h). */
#ifndef KVQ_COMMANDS_H
#define KVQ_COMMANDS_H

/* kvqeval stats alpha|icc|kappa|corr|factors --csv FILE [--format table|json|csv] */
int kvq_stats_main(int argc, char **argv);

/* kvqeval inspect FILE|DIR [--format table|json] */
int kvq_inspect_main(int argc, char **argv);

/* kvqeval epiphanies RUN_DIR [--spec FILE] */
int kvq_epiphanies_main(int argc, char **argv);

#endif
