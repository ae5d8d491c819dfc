/* The kvqeval command line: subcommands, flags and the run they start (README, "Usage"). */
#include "cli/cli.h"
#include "cli/commands.h"
#include "harness/run.h"
#include "io/message.h"
#include "kvq/backend.h"
#include "kvq/commit.h"
#include "kvq/model.h"
#include "kvq/population.h"
#include "kvq/version.h"
#include "report/table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: kvqeval --matrix all [options]          every codec ladder x the built-in populations\n"
    "       kvqeval --resume DIR [--threads N]      finish an interrupted run\n"
    "       kvqeval --codec SPEC... --population SPEC... [options]\n"
    "       kvqeval list backends|populations\n"
    "       kvqeval epiphanies RUN_DIR [--spec FILE]   re-evaluate a run's epiphany table\n"
    "       kvqeval report RUN_DIR [--heatmap METRIC]  rewrite a finished run's outputs\n"
    "       kvqeval merge OUT SHARD_DIR...            one run from the shards of a run\n"
    "       kvqeval plot RUN_DIR [--metric M] [--codec GLOB] [--population GLOB] [--kind K]\n"
    "                            [--out DIR]          draw chosen figures of a finished run\n"
    "       kvqeval diff RUN_A RUN_B                  cells in one run only, metrics that moved\n"
    "       kvqeval compare RUN_DIR --metric M [--codec A --codec B] [--population GLOB]\n"
    "                                                paired bootstrap comparisons, Holm and BH\n"
    "       kvqeval stats alpha|icc|kappa|corr|factors --csv FILE [--format table|json|csv]\n"
    "       kvqeval inspect FILE|DIR [--format table|json]\n"
    "       kvqeval model DIR --tokens FILE.npy        log-probabilities of token sequences\n"
    "       kvqeval model DIR --sample N --length T [--seed S] --out FILE.npy\n"
    "       kvqeval encode --codec SPEC --npy IN.npy --out CODES.bin [--seed S]\n"
    "       kvqeval decode --codec SPEC --codes CODES.bin --dim D --out OUT.npy [--seed S]\n"
    "       kvqeval --help | --version\n"
    "\n"
    "selection (repeatable; a missing side defaults to everything built in):\n"
    "  --codec SPEC         codec variant name[:key=value,...], e.g. int8, turboquant:bits=3;\n"
    "                       name:ladder = its default ladder; key=A..B = one variant per integer\n"
    "  --population SPEC    population, e.g. synthetic:gaussian?n=4096&dim=128,\n"
    "                       safetensors:model.safetensors#role=k_proj&layer=3, npy:keys.npy\n"
    "  --model PATH         every encodable role of a checkpoint (file or sharded folder)\n"
    "  --per-layer          with --model: one population per role and layer\n"
    "  --matrix all         every registered codec at its ladder x the built-in populations\n"
    "options:\n"
    "  --out DIR            run folder (default results/run-<UTC time>)\n"
    "  --resume DIR         finish an interrupted run: only the cells not yet saved run\n"
    "  --shard I/N          evaluate shard I of N only (1 <= I <= N): its cells and manifest;\n"
    "                       kvqeval merge makes one run of the N shards\n"
    "  --threads N          cells evaluated at once (default: the number of CPUs); results\n"
    "                       do not depend on it\n"
    "  --seed N             run seed, 0 <= N < 2^53 (default 1)\n"
    "  --replicates R       fit and encode every codec R times from independent streams\n"
    "                       (default 1): across-fit intervals and gtheory.csv\n"
    "  --hash-inputs        the manifest hashes every input file whole (reads all of it),\n"
    "                       not only its first MiB\n"
    "  --quiet              no tables on stdout, no progress line\n"
    "  --format F           the tables on stdout: table (default), md, csv or json\n"
    "  --epiphanies FILE    epiphany spec for epiphanies.md (default: the built-in one)\n"
    "  --heatmap METRIC     metric of the heatmap figure (default spearman)\n"
    "exit status: 0 ok, 1 some cells failed, 2 usage or spec error, 3 output not writable\n";

static int usage_error(const char *fmt, const char *arg)
{
    char text[4096];
    snprintf(text, sizeof text, fmt, arg);
    kvq_say("kvqeval: %s (see kvqeval --help)", text);
    return KVQ_EXIT_USAGE;
}

static int list_backends(void)
{
    for (const kvq_backend *const *b = kvq_backends; *b; b++) {
        printf("%-14s %s\n", (*b)->name, (*b)->summary);
        for (const kvq_param_doc *d = (*b)->params; d->key; d++)
            printf("%14s   %s=%s  %s\n", "", d->key, d->fallback, d->help);
        printf("%14s   ladder: %s\n", "", (*b)->variants[0] ? (*b)->variants : "(defaults)");
    }
    return KVQ_EXIT_OK;
}

static int list_populations(void)
{
    for (const kvq_synthetic *const *g = kvq_synthetics; *g; g++)
        printf("synthetic:%-12s %s (default %zu x %zu)\n", (*g)->name, (*g)->summary,
               (*g)->default_n, (*g)->default_dim);
    printf("built in (--matrix all):");
    for (const char *const *p = kvq_builtin_populations; *p; p++) printf(" %s", *p);
    printf(", and the shipped model's (--model %s): model:%s#role=ROLE and #kind=k, #kind=v\n",
           KVQ_SHIPPED_MODEL, KVQ_SHIPPED_MODEL);
    return KVQ_EXIT_OK;
}

static int is_flag(const char *arg, const char *flag)
{
    size_t len = strlen(flag);
    return strncmp(arg, flag, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

static const char *const value_flags[] = {
    "--matrix",     "--codec",   "--population", "--out",    "--seed",  "--threads",    "--resume",
    "--epiphanies", "--heatmap", "--model",      "--format", "--shard", "--replicates", NULL};

/* The value-taking flag arg is (given as "--flag VALUE" or "--flag=VALUE"), or NULL. */
static const char *match_value_flag(const char *arg)
{
    for (const char *const *f = value_flags; *f; f++)
        if (is_flag(arg, *f)) return *f;
    return NULL;
}

static int parse_threads(const char *text, int *threads)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < 1 || v > KVQ_MAX_THREADS) return -1;
    *threads = (int)v;
    return 0;
}

/* The value of flag at argv[*i], advancing *i past a separate value; NULL when missing. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t len = strlen(flag);
    if (argv[*i][len] == '=') return argv[*i] + len + 1;
    if (*i + 1 >= argc) return NULL;
    return argv[++*i];
}

/* Applies one value flag; -1 when fine, else the exit status of a usage error. */
static int apply_value_flag(kvq_run_command *cmd, const char *flag, const char *v, int *matrix)
{
    if (strcmp(flag, "--matrix") == 0) {
        if (strcmp(v, "all") != 0) return usage_error("--matrix takes 'all' (got '%s')", v);
        *matrix = 1;
    } else if (strcmp(flag, "--codec") == 0) {
        cmd->run.codecs[cmd->run.ncodecs++] = v;
    } else if (strcmp(flag, "--population") == 0) {
        cmd->run.populations[cmd->run.npopulations++] = v;
    } else if (strcmp(flag, "--model") == 0) {
        cmd->run.models[cmd->run.nmodels++] = v;
    } else if (strcmp(flag, "--out") == 0) {
        cmd->run.out_dir = v;
    } else if (strcmp(flag, "--resume") == 0) {
        cmd->run.resume_dir = v;
    } else if (strcmp(flag, "--epiphanies") == 0) {
        cmd->epiphanies = v;
    } else if (strcmp(flag, "--format") == 0) {
        if ((cmd->format = kvq_table_style_parse(v)) < 0)
            return usage_error("--format takes table, md, csv or json (got '%s')", v);
    } else if (strcmp(flag, "--heatmap") == 0) {
        cmd->heatmap = v;
    } else if (strcmp(flag, "--shard") == 0) {
        if (kvq_parse_shard(v, &cmd->run.shard_index, &cmd->run.shard_count) != 0)
            return usage_error("--shard takes I/N with 1 <= I <= N <= 100000 (got '%s')", v);
    } else if (strcmp(flag, "--replicates") == 0) {
        char *end;
        errno = 0;
        long r = strtol(v, &end, 10);
        if (errno || end == v || *end || r < 1 || r > KVQ_REPLICATES_MAX)
            return usage_error("--replicates takes an integer in [1, 1000] (got '%s')", v);
        cmd->run.replicates = (size_t)r;
    } else if (strcmp(flag, "--threads") == 0) {
        if (parse_threads(v, &cmd->run.threads) != 0)
            return usage_error("--threads takes an integer in [1, 256] (got '%s')", v);
    } else if (kvq_parse_seed(v, &cmd->run.seed) != 0) {
        return usage_error("--seed takes an integer in [0, 2^53) (got '%s')", v);
    }
    return -1;
}

int kvq_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return KVQ_EXIT_USAGE;
    }
    if (strcmp(argv[1], "stats") == 0) return kvq_stats_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "inspect") == 0) return kvq_inspect_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "model") == 0) return kvq_model_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "diff") == 0) return kvq_diff_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "compare") == 0) return kvq_compare_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "plot") == 0) return kvq_plot_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "encode") == 0 || strcmp(argv[1], "decode") == 0)
        return kvq_codec_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "epiphanies") == 0) return kvq_epiphanies_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "report") == 0) return kvq_report_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "merge") == 0) return kvq_merge_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0) {
        if (argc == 3 && strcmp(argv[2], "backends") == 0) return list_backends();
        if (argc == 3 && strcmp(argv[2], "populations") == 0) return list_populations();
        return usage_error("'list' takes 'backends' or 'populations'%s", "");
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    kvq_run_command cmd = {.run = {.seed = 1,
                                   .threads = cpus < 1                 ? 1
                                              : cpus > KVQ_MAX_THREADS ? KVQ_MAX_THREADS
                                                                       : (int)cpus,
                                   .argc = argc,
                                   .argv = argv},
                           .heatmap = "spearman"};
    const char **codecs = calloc((size_t)argc, sizeof *codecs);
    const char **pops = calloc((size_t)argc, sizeof *pops);
    const char **models = calloc((size_t)argc, sizeof *models);
    if (!codecs || !pops || !models) {
        free(codecs);
        free(pops);
        free(models);
        fputs("kvqeval: out of memory\n", stderr);
        return KVQ_EXIT_IO;
    }
    cmd.run.codecs = codecs;
    cmd.run.populations = pops;
    cmd.run.models = models;
    int matrix = 0, status = -1;
    for (int i = 1; i < argc && status < 0; i++) {
        const char *a = argv[i], *flag;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            status = KVQ_EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("kvqeval %s (commit %s, %s build)\n", KVQ_VERSION, KVQ_COMMIT, KVQ_BUILD_TYPE);
            status = KVQ_EXIT_OK;
        } else if (strcmp(a, "--quiet") == 0) {
            cmd.quiet = 1;
        } else if (strcmp(a, "--per-layer") == 0) {
            cmd.run.per_layer = 1;
        } else if (strcmp(a, "--hash-inputs") == 0) {
            cmd.run.hash_inputs = 1;
        } else if ((flag = match_value_flag(a))) {
            const char *v = flag_value(argc, argv, &i, flag);
            status = v ? apply_value_flag(&cmd, flag, v, &matrix)
                       : usage_error("flag '%s' needs a value", flag);
        } else {
            status = usage_error(a[0] == '-' ? "unknown flag '%s'" : "unexpected argument '%s'", a);
        }
    }
    if (status < 0 && cmd.run.resume_dir &&
        (matrix || cmd.run.ncodecs || cmd.run.npopulations || cmd.run.nmodels || cmd.run.out_dir ||
         cmd.run.shard_count || cmd.run.replicates))
        status = usage_error("--resume takes the selection, shard and folder from "
                             "'%s/run.json'; drop --matrix, --codec, --population, --model, "
                             "--shard, --replicates and --out",
                             cmd.run.resume_dir);
    if (status < 0 && cmd.run.per_layer && cmd.run.nmodels == 0)
        status =
            usage_error("--per-layer splits the populations of --model; give --model PATH%s", "");
    if (status < 0 && !cmd.run.resume_dir && !matrix && cmd.run.ncodecs == 0 &&
        cmd.run.npopulations == 0 && cmd.run.nmodels == 0)
        status = usage_error("nothing to run: give --matrix all, or --codec/--population%s", "");
    if (status < 0) status = kvq_run_main(&cmd);
    free(codecs);
    free(pops);
    free(models);
    return status;
}
