/* kvqeval compare RUN_DIR --metric M [--codec A --codec B] [--population GLOB]...: paired
 * comparisons of codec variants on a finished run (analysis/comparisons.h). With --codec A --codec
 * B, that pair on every selected population where both ran; without, every pair of variants of
 * each selected population at matched bits (bits_per_coord_total within 10%). Each comparison is
 * the paired bootstrap over the population's queries of A - B; the p-values of everything compared
 * are adjusted as one family (Holm, Benjamini-Hochberg). Prints a table and writes
 * RUN_DIR/comparisons.csv:
 *     population,metric,codec_a,codec_b,bits_a,bits_b,n_queries,mean_a,mean_b,diff,ci_low,
 *     ci_high,p,p_holm,p_bh,label
 * Exit 0; 2 for a usage error, a run kvqeval cannot read, a metric that is not query-averaged or
 * a selection that matches nothing (named); 3 when comparisons.csv cannot be written. */
#include "analysis/comparisons.h"
#include "cli/commands.h"
#include "harness/cell.h"
#include "harness/run.h"
#include "io/atomic_file.h"
#include "io/csv.h"
#include "io/message.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "usage: kvqeval compare RUN_DIR --metric M [--codec A --codec B] "
                            "[--population GLOB]...\n";

typedef struct request {
    const char *dir, *metric, *codec[2];
    const char **pops; /* globs over the label or the spec */
    size_t npops, ncodecs;
} request;

static int selected(const request *r, const kvq_facts *f, size_t p)
{
    for (size_t g = 0; g < r->npops; g++)
        if (kvq_facts_population_matches(f, p, r->pops[g])) return 1;
    return r->npops == 0;
}

/* The variants of population p with per-query values, in queries.csv's order. */
static size_t variants_of(const kvq_facts *f, const char *population, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nquery_cells; i++)
        if (!strcmp(f->query_cells[i].population, population)) out[n++] = f->query_cells[i].variant;
    return n;
}

/* Appends the comparison of a and b on population to list (grown as needed). */
static int add(kvq_comparison **list, size_t *n, const kvq_facts *f, const char *population,
               const char *a, const char *b, const char *metric, kvq_error *err)
{
    kvq_comparison *grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown) return kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu comparisons", *n + 1);
    *list = grown;
    int rc = kvq_compare_pair(f, population, a, b, metric, 1.0, &grown[*n], err);
    if (rc == KVQ_EINVAL) return KVQ_OK; /* no query defined in both: nothing to compare */
    if (!rc) (*n)++;
    return rc;
}

static int gather(const request *r, const kvq_facts *f, kvq_comparison **list, size_t *n,
                  kvq_error *err)
{
    const char **vars = malloc((f->nquery_cells + 1) * sizeof *vars);
    if (!vars) return kvq_fail(err, KVQ_ENOMEM, "out of memory");
    int rc = KVQ_OK;
    for (size_t p = 0; p < f->npopulations && !rc; p++) {
        if (!selected(r, f, p)) continue;
        const char *pop = f->populations[p];
        size_t nv = variants_of(f, pop, vars);
        if (r->ncodecs) {
            int has[2] = {0, 0};
            for (size_t v = 0; v < nv; v++)
                for (size_t k = 0; k < 2; k++) has[k] |= !strcmp(vars[v], r->codec[k]);
            if (has[0] && has[1])
                rc = add(list, n, f, pop, r->codec[0], r->codec[1], r->metric, err);
            continue;
        }
        for (size_t i = 0; i < nv && !rc; i++)
            for (size_t j = i + 1; j < nv && !rc; j++)
                if (kvq_compare_matched(kvq_facts_value(f, vars[i], pop, "bits_per_coord_total"),
                                        kvq_facts_value(f, vars[j], pop, "bits_per_coord_total")))
                    rc = add(list, n, f, pop, vars[i], vars[j], r->metric, err);
    }
    free(vars);
    return rc;
}

static void write_csv(FILE *out, const kvq_comparison *c, size_t n)
{
    fputs("population,metric,codec_a,codec_b,bits_a,bits_b,n_queries,mean_a,mean_b,diff,ci_low,"
          "ci_high,p,p_holm,p_bh,label\n",
          out);
    for (size_t i = 0; i < n; i++) {
        const char *texts[] = {c[i].population, c[i].metric, c[i].a, c[i].b};
        for (size_t k = 0; k < 4; k++) kvq_csv_text(out, texts[k]), fputc(',', out);
        const double x[] = {c[i].bits_a,
                            c[i].bits_b,
                            (double)c[i].n,
                            c[i].mean_a,
                            c[i].mean_b,
                            c[i].paired.diff.estimate,
                            c[i].paired.diff.lo,
                            c[i].paired.diff.hi,
                            c[i].paired.p,
                            c[i].p_holm,
                            c[i].p_bh};
        for (size_t k = 0; k < sizeof x / sizeof *x; k++)
            kvq_csv_number(out, x[k]), fputc(',', out);
        kvq_csv_text(out, c[i].label ? c[i].label : c[i].population);
        fputc('\n', out);
    }
}

static void print_table(const kvq_comparison *c, size_t n)
{
    printf("%-28s %-26s %-26s %6s %11s %25s %8s %8s %8s\n", "population", "codec_a", "codec_b", "n",
           "a - b", "95% interval", "p", "p_holm", "p_bh");
    for (size_t i = 0; i < n; i++)
        printf("%-28s %-26s %-26s %6zu %11.4g [%11.4g, %11.4g] %8.2g %8.2g %8.2g%s\n",
               c[i].label ? c[i].label : c[i].population, c[i].a, c[i].b, c[i].n,
               c[i].paired.diff.estimate, c[i].paired.diff.lo, c[i].paired.diff.hi, c[i].paired.p,
               c[i].p_holm, c[i].p_bh, c[i].p_holm < 0.05 ? " *" : "");
    printf("%zu comparisons; * Holm-adjusted p < 0.05; p = 0 means no one of the %d resamples "
           "crossed 0\n",
           n, KVQ_COMPARE_REPS);
}

static int parse(request *r, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int value = i + 1 < argc;
        if (!strcmp(a, "--help")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--metric") && value) {
            r->metric = argv[++i];
        } else if (!strcmp(a, "--codec") && value && r->ncodecs < 2) {
            r->codec[r->ncodecs++] = argv[++i];
        } else if (!strcmp(a, "--population") && value) {
            r->pops[r->npops++] = argv[++i];
        } else if (a[0] != '-' && !r->dir) {
            r->dir = a;
        } else {
            kvq_say("kvqeval compare: unexpected argument '%s'", a);
            return KVQ_EXIT_USAGE;
        }
    }
    const char *missing = !r->dir ? "RUN_DIR" : !r->metric ? "--metric" : NULL;
    if (missing) {
        kvq_say("kvqeval compare: %s is missing\n%s", missing, usage);
        return KVQ_EXIT_USAGE;
    }
    if (r->ncodecs == 1) {
        kvq_say("kvqeval compare: give two --codec variants to compare, or none");
        return KVQ_EXIT_USAGE;
    }
    if (kvq_query_metric_index(r->metric) < 0) {
        kvq_say("kvqeval compare: --metric %s is not averaged over queries; compare takes one of "
                "pearson, spearman, kendall_tau_b, recall@1, recall@10, recall@100, attn_kl, "
                "attn_top1",
                r->metric);
        return KVQ_EXIT_USAGE;
    }
    return KVQ_EXIT_OK;
}

/* A usage error for a selection that names what the run lacks, or 0. */
static int check(const request *r, const kvq_facts *f)
{
    if (!f->nquery_cells) {
        kvq_say("kvqeval compare: %s has no queries.csv (a run older than per-query values)",
                r->dir);
        return KVQ_EXIT_USAGE;
    }
    for (size_t k = 0; k < r->ncodecs; k++) {
        int any = 0;
        for (size_t i = 0; i < f->nquery_cells && !any; i++)
            any = !strcmp(f->query_cells[i].variant, r->codec[k]);
        if (!any) {
            kvq_say("kvqeval compare: --codec '%s' is no codec variant of %s", r->codec[k], r->dir);
            return KVQ_EXIT_USAGE;
        }
    }
    for (size_t g = 0; g < r->npops; g++) {
        int any = 0;
        for (size_t p = 0; p < f->npopulations && !any; p++)
            any = kvq_facts_population_matches(f, p, r->pops[g]);
        if (!any) {
            kvq_say("kvqeval compare: --population '%s' matches no population of %s", r->pops[g],
                    r->dir);
            return KVQ_EXIT_USAGE;
        }
    }
    return KVQ_EXIT_OK;
}

int kvq_compare_main(int argc, char **argv)
{
    request r = {.pops = calloc((size_t)argc, sizeof(char *))};
    if (!r.pops) return KVQ_EXIT_IO;
    int status = parse(&r, argc, argv);
    if (status) {
        free(r.pops);
        return status < 0 ? KVQ_EXIT_OK : status;
    }
    kvq_facts f;
    kvq_error err;
    kvq_comparison *list = NULL;
    size_t n = 0;
    if (kvq_facts_load(&f, r.dir, &err)) {
        kvq_say("kvqeval compare: %s", err.msg);
        free(r.pops);
        return KVQ_EXIT_USAGE;
    }
    status = check(&r, &f);
    if (!status && (gather(&r, &f, &list, &n, &err) || kvq_compare_adjust(list, n, &err))) {
        kvq_say("kvqeval compare: %s", err.msg);
        status = err.code == KVQ_ENOMEM ? KVQ_EXIT_IO : KVQ_EXIT_USAGE;
    }
    kvq_afile a;
    if (!status && kvq_afile_open_in(&a, r.dir, "comparisons.csv", &err) == KVQ_OK) {
        write_csv(a.f, list, n);
        if (kvq_afile_commit(&a, &err)) status = KVQ_EXIT_IO;
    } else if (!status) {
        status = KVQ_EXIT_IO;
    }
    if (status == KVQ_EXIT_IO) kvq_say("kvqeval compare: %s", err.msg);
    if (!status) print_table(list, n);
    free(list);
    kvq_facts_free(&f);
    free(r.pops);
    return status;
}
