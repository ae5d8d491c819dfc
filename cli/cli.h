/* The kvqeval command line (cli/cli.c). */
#ifndef KVQ_CLI_H
#define KVQ_CLI_H

/* Runs kvqeval with the given arguments; returns the process exit status (KVQ_EXIT_*). */
int kvq_cli_main(int argc, char **argv);

#endif
