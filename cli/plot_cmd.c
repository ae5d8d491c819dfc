/* kvqeval plot RUN_DIR [--metric M] [--codec GLOB]... [--population GLOB]... [--kind K]...
 * [--out DIR]: draws figures of a finished run from its files, choosing the metric, the codec
 * variants (globs over variant names: 'turboquant*'), the populations (globs over the short label
 * or the full spec: 'stories260K:k@*') and the kinds of figure. The figures go to DIR (default
 * the run's plots/), under the names a run gives them. Exit 0 when every figure asked for was
 * drawn, 1 when gnuplot is missing or a figure could not be completed, 2 for a usage error, a run
 * kvqeval cannot read or a selection that matches nothing (named). */
#include "analysis/facts.h"
#include "cli/commands.h"
#include "io/message.h"
#include "report/plot.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: kvqeval plot RUN_DIR [--metric M] [--codec GLOB]... [--population GLOB]...\n"
    "                    [--kind heatmap|rate|pareto|layers|chain|scree|alpha|validity]... [--out "
    "DIR]\n";

/* A usage error for what the selection names but the run lacks, or 0. */
static int check_selection(const kvq_facts *f, const kvq_plot_options *o, const char *dir)
{
    int metric = 0;
    for (size_t i = 0; i < f->count && !metric; i++)
        metric = !strcmp(f->items[i].metric, o->metric);
    if (!metric) {
        kvq_say("kvqeval plot: %s/cells.csv has no metric '%s'", dir, o->metric);
        return KVQ_EXIT_USAGE;
    }
    for (size_t g = 0; g < o->ncodecs; g++) {
        int any = 0;
        for (size_t i = 0; i < f->count && !any; i++)
            any = fnmatch(o->codecs[g], f->items[i].variant, 0) == 0;
        if (!any) {
            kvq_say("kvqeval plot: --codec '%s' matches no codec variant of %s", o->codecs[g], dir);
            return KVQ_EXIT_USAGE;
        }
    }
    for (size_t g = 0; g < o->npopulations; g++) {
        int any = 0;
        for (size_t p = 0; p < f->npopulations && !any; p++)
            any = kvq_facts_population_matches(f, p, o->populations[g]);
        if (!any) {
            kvq_say("kvqeval plot: --population '%s' matches no population of %s",
                    o->populations[g], dir);
            return KVQ_EXIT_USAGE;
        }
    }
    return KVQ_EXIT_OK;
}

int kvq_plot_main(int argc, char **argv)
{
    const char *dir = NULL;
    const char **codecs = calloc((size_t)argc, sizeof *codecs),
               **pops = calloc((size_t)argc, sizeof *pops);
    kvq_plot_options o = {.metric = "spearman", .codecs = codecs, .populations = pops};
    int status = codecs && pops ? KVQ_EXIT_OK : KVQ_EXIT_IO;
    for (int i = 1; i < argc && status == KVQ_EXIT_OK; i++) {
        const char *a = argv[i];
        int value = i + 1 < argc;
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            free(codecs);
            free(pops);
            return KVQ_EXIT_OK;
        } else if (strcmp(a, "--metric") == 0 && value) {
            o.metric = o.rate_metric = argv[++i];
        } else if (strcmp(a, "--codec") == 0 && value) {
            codecs[o.ncodecs++] = argv[++i];
        } else if (strcmp(a, "--population") == 0 && value) {
            pops[o.npopulations++] = argv[++i];
        } else if (strcmp(a, "--out") == 0 && value) {
            o.out = argv[++i];
        } else if (strcmp(a, "--kind") == 0 && value) {
            unsigned kind = kvq_plot_kind_parse(argv[++i]);
            if (!kind) {
                kvq_say("kvqeval plot: unknown --kind '%s'", argv[i]);
                status = KVQ_EXIT_USAGE;
            }
            o.kinds |= kind;
        } else if (a[0] != '-' && !dir) {
            dir = a;
        } else {
            kvq_say("kvqeval plot: unexpected argument '%s'", a);
            status = KVQ_EXIT_USAGE;
        }
    }
    if (status == KVQ_EXIT_OK && !dir) {
        kvq_say("kvqeval plot: which run folder?");
        status = KVQ_EXIT_USAGE;
    }
    kvq_error err;
    kvq_facts f;
    if (status == KVQ_EXIT_OK) {
        if (kvq_facts_load(&f, dir, &err)) {
            kvq_say("kvqeval plot: %s", err.msg);
            status = KVQ_EXIT_USAGE;
        } else {
            status = check_selection(&f, &o, dir);
            kvq_facts_free(&f);
        }
    }
    int drawn = 0;
    if (status == KVQ_EXIT_OK) {
        if (kvq_plots_draw(dir, &o, &drawn, &err)) {
            kvq_say("kvqeval plot: %s", err.msg);
            status = KVQ_EXIT_CELLS_FAILED;
        } else if (drawn == 0) {
            kvq_say("kvqeval plot: no figure drawn (gnuplot missing, or the run has no data for "
                    "the kinds asked for)");
            status = KVQ_EXIT_CELLS_FAILED;
        } else {
            printf("kvqeval plot: %d figure%s in %s%s\n", drawn, drawn == 1 ? "" : "s",
                   o.out ? o.out : dir, o.out ? "" : "/plots");
        }
    } else if (status == KVQ_EXIT_USAGE && !dir) {
        fputs(usage, stderr);
    }
    free(codecs);
    free(pops);
    return status;
}
