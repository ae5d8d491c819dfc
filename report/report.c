/* report.md: a run explained to someone who never saw the command — what ran and how, the
 * headline tables, failures, the epiphany table, the figures, and what each file holds. */
#include "analysis/left_out.h"
#include "io/atomic_file.h"
#include "io/csv_read.h"
#include "io/jsonfile.h"
#include "kvq/population.h"
#include "kvq/version.h"
#include "report/report_long.h"
#include "report/table.h"
#include "report/writers.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void what_ran(FILE *f, const kvq_run *run, size_t failed)
{
    fprintf(f, "# kvqeval run `%s`\n\n", run->name);
    fputs("kvqeval measures how faithfully each codec (a quantizer of tensor rows) keeps the inner "
          "products of real or synthetic tensors. In the tables below every codec variant is a "
          "row and every population of rows a column (P1, P2, ... as in the legend); each cell "
          "compares the codec's scores of held-out queries against the exact ones.\n\n",
          f);
    fputs("| | |\n|---|---|\n", f);
    fputs("| command | `", f);
    for (int i = 0; i < run->argc; i++) fprintf(f, "%s%s", i ? " " : "", run->argv[i]);
    fputs("` |\n", f);
    fprintf(f, "| seed | %llu |\n", (unsigned long long)run->spec.seed);
    fprintf(f, "| started | %s |\n| kvqeval | %s |\n", run->started, KVQ_VERSION);
    fprintf(f, "| cells | %zu codec variants x %zu populations = %zu (%zu failed) |\n",
            run->spec.nvariants, run->npops, run->ncells, failed);
    fprintf(f, "| threads | %d |\n| wall time | %.1f s |\n| peak memory | %.0f MiB |\n\n",
            run->threads, run->wall_s, (double)run->peak_rss_kb / 1024.0);
}

static void failures(FILE *f, const kvq_run *run, size_t failed)
{
    if (!failed) return;
    fputs("## Failed cells\n\n", f);
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        if (kvq_cell_failed(c))
            fprintf(f, "- `%s` on `%s`: %s\n", c->variant, run->pops[c->population].name, c->error);
    }
    fputc('\n', f);
}

/* The tensors of the run's checkpoints that no population covers, with role and reason (the first
 * 40; the manifest lists every one). */
static void left_out(FILE *f, const kvq_run *run)
{
    kvq_left_out *items;
    size_t n;
    kvq_error err;
    if (kvq_left_out_compute(run, &items, &n, &err) || n == 0) return;
    fprintf(f,
            "## Tensors left out (%zu)\n\nTensors of the checkpoints read that no population "
            "covers, and why (`manifest.json`, `left_out`, lists them all):\n\n",
            n);
    for (size_t i = 0; i < n && i < 40; i++)
        fprintf(f, "- `%s` (%s): %s\n", items[i].tensor, items[i].role, items[i].reason);
    if (n > 40) fprintf(f, "- ... and %zu more\n", n - 40);
    fputc('\n', f);
    free(items);
}

/* Cells whose codec does not apply to the population, with the reason. */
static void skipped(FILE *f, const kvq_run *run)
{
    size_t n = 0;
    for (size_t i = 0; i < run->ncells; i++) n += run->cells[i].skipped;
    if (!n) return;
    fprintf(f, "## Cells skipped (%zu: the codec does not apply to the population)\n\n", n);
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        if (c->skipped)
            fprintf(f, "- `%s` on `%s`: %s\n", c->variant, run->pops[c->population].name, c->error);
    }
    fputc('\n', f);
}

/* Degenerate cells (harness/cell_eval.c), marked '*' in the tables, with the reason from each
 * one's note. */
static void degenerate(FILE *f, const kvq_run *run)
{
    size_t n = 0;
    for (size_t i = 0; i < run->ncells; i++)
        n += !run->cells[i].status && kvq_cell_metric(&run->cells[i], "degenerate") == 1.0;
    if (!n) return;
    fprintf(f,
            "## Degenerate cells (%zu: marked \\* in the tables, left out of the figures' lines "
            "and frontiers)\n\n",
            n);
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        if (c->status || kvq_cell_metric(c, "degenerate") != 1.0) continue;
        const char *why = strstr(c->note, "degenerate: ");
        size_t len = why ? strcspn(why + 12, ";") : 0;
        fprintf(f, "- `%s` on `%s`: %.*s\n", c->variant, run->pops[c->population].name, (int)len,
                why ? why + 12 : "");
    }
    fputc('\n', f);
}

/* The layer of population p when its label names one, with the label's family in family. */
static long pop_layer(const kvq_run *run, size_t p, char *family, size_t size)
{
    char label[KVQ_TEXT_MAX + 32];
    size_t len;
    kvq_population_label(&run->pops[p], label, sizeof label);
    long layer = kvq_label_layer(label, &len);
    snprintf(family, size, "%.*s", (int)len, label);
    return layer;
}

/* Spearman's rho by layer: a table for each family of single-layer populations (the same file or
 * model and role, one population per layer) with at least two layers; rows the codec variants,
 * columns the layers in the run's order. */
static void per_layer(FILE *f, const kvq_run *run)
{
    char family[KVQ_TEXT_MAX + 32], other[KVQ_TEXT_MAX + 32];
    int heading = 0;
    for (size_t p = 0; p < run->npops; p++) {
        if (pop_layer(run, p, family, sizeof family) < 0) continue;
        size_t members = 0, first = p;
        for (size_t q = 0; q < run->npops; q++)
            if (pop_layer(run, q, other, sizeof other) >= 0 && strcmp(other, family) == 0 &&
                members++ == 0)
                first = q;
        if (members < 2 || first != p) continue;
        if (!heading++)
            fputs("\n## By layer\n\nSpearman rho of scores vs exact (mean over queries) for each "
                  "layer of a tensor family (the figures `layers_<n>` draw the same).\n",
                  f);
        fprintf(f, "\n**`%s`**\n\n| codec variant |", family);
        for (size_t q = 0; q < run->npops; q++) {
            long layer = pop_layer(run, q, other, sizeof other);
            if (layer >= 0 && strcmp(other, family) == 0) fprintf(f, " layer %ld |", layer);
        }
        fputs("\n|---|", f);
        for (size_t k = 0; k < members; k++) fputs("---:|", f);
        for (size_t v = 0; v < run->spec.nvariants; v++) {
            fprintf(f, "\n| `%s` |", run->spec.variants[v]);
            for (size_t q = 0; q < run->npops; q++) {
                if (pop_layer(run, q, other, sizeof other) < 0 || strcmp(other, family) != 0)
                    continue;
                const kvq_cell *c = kvq_run_cell(run, q, v);
                double x = kvq_cell_metric(c, "spearman");
                if (c->skipped || c->status || isnan(x))
                    fputs(c->skipped ? " n/a |" : c->status ? " FAILED |" : " - |", f);
                else
                    fprintf(f, " %.4f |", x);
            }
        }
        fputc('\n', f);
    }
}

/* Copies epiphanies.md into the report one heading level down. */
static void epiphanies(FILE *f, const kvq_run *run)
{
    char path[4200], *text;
    snprintf(path, sizeof path, "%s/epiphanies.md", run->dir);
    if (kvq_read_text(path, &text, NULL, NULL)) return;
    fputs("\n#", f);
    fputs(text, f);
    free(text);
    fputc('\n', f);
}

/* One proxy's row of the validity table: rho with next_kl and with delta_nll. */
typedef struct proxy_rho {
    const char *proxy;
    double rho[2], lo[2], hi[2];
    long n;
} proxy_rho;

static int by_abs_rho(const void *a, const void *b)
{
    double x = fabs(((const proxy_rho *)a)->rho[0]), y = fabs(((const proxy_rho *)b)->rho[0]);
    if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
    return (x < y) - (x > y);
}

static void rho_text(FILE *f, double rho, double lo, double hi)
{
    if (isnan(rho))
        fputs(" n/a |", f);
    else if (isnan(lo))
        fprintf(f, " %.3f |", rho);
    else
        fprintf(f, " %.3f [%.3f, %.3f] |", rho, lo, hi);
}

/* The proxies of population pop, best predictor of next_kl first. */
static void validity_population(FILE *f, const kvq_csv_table *t, const char *pop, proxy_rho *rows)
{
    long cp = kvq_csv_column(t, "population"), cx = kvq_csv_column(t, "proxy"),
         cc = kvq_csv_column(t, "criterion"), cr = kvq_csv_column(t, "rho"),
         cl = kvq_csv_column(t, "ci_low"), ch = kvq_csv_column(t, "ci_high"),
         cn = kvq_csv_column(t, "n_variants");
    size_t n = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        if (strcmp(kvq_csv_field(t, r, (size_t)cp), pop) != 0) continue;
        int which = strcmp(kvq_csv_field(t, r, (size_t)cc), "next_kl") == 0 ? 0 : 1;
        const char *proxy = kvq_csv_field(t, r, (size_t)cx);
        size_t k = 0;
        while (k < n && strcmp(rows[k].proxy, proxy) != 0) k++;
        if (k == n) rows[n++] = (proxy_rho){proxy, {NAN, NAN}, {NAN, NAN}, {NAN, NAN}, 0};
        rows[k].rho[which] = rows[k].lo[which] = rows[k].hi[which] = NAN;
        kvq_csv_parse_number(kvq_csv_field(t, r, (size_t)cr), &rows[k].rho[which]);
        kvq_csv_parse_number(kvq_csv_field(t, r, (size_t)cl), &rows[k].lo[which]);
        kvq_csv_parse_number(kvq_csv_field(t, r, (size_t)ch), &rows[k].hi[which]);
        rows[k].n = strtol(kvq_csv_field(t, r, (size_t)cn), NULL, 10);
    }
    qsort(rows, n, sizeof *rows, by_abs_rho);
    fprintf(f, "### `%s`\n\n", pop);
    if (n && !isnan(rows[0].rho[0]))
        fprintf(f,
                "Best predictor of next_kl: **%s**, rho = %.3f (95%% CI %.3f to %.3f, %ld "
                "variants).\n\n",
                rows[0].proxy, rows[0].rho[0], rows[0].lo[0], rows[0].hi[0], rows[0].n);
    else
        fputs("Fewer than 3 codec variants with a criterion: no correlation.\n\n", f);
    fputs("| proxy | rho with next_kl [95% CI] | rho with delta_nll [95% CI] | variants |\n"
          "|---|---|---|---|\n",
          f);
    for (size_t k = 0; k < n; k++) {
        fprintf(f, "| %s |", rows[k].proxy);
        for (int c = 0; c < 2; c++) rho_text(f, rows[k].rho[c], rows[k].lo[c], rows[k].hi[c]);
        fprintf(f, " %ld |\n", rows[k].n);
    }
    fputc('\n', f);
}

/* "Which proxy predicts the model's loss", from validity.csv (absent without model
 * populations). */
static void validity(FILE *f, const kvq_run *run)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/validity.csv", run->dir);
    kvq_csv_table t;
    kvq_error err;
    if (access(path, F_OK) != 0 || kvq_csv_read(path, &t, &err)) return;
    proxy_rho *rows = malloc((t.nrows + 1) * sizeof *rows);
    long cp = kvq_csv_column(&t, "population");
    if (rows && cp >= 0 && kvq_csv_column(&t, "n_variants") >= 0) {
        fputs("\n## Which proxy predicts the model's loss\n\n"
              "For each population taken from a model that runs, every codec variant was also "
              "applied inside the model, and the model's next-token distribution compared with the "
              "exact model's on held-out sequences: next_kl is the mean KL divergence (nats), "
              "delta_nll the mean increase of the negative log-likelihood. Below, Spearman's rho "
              "between each proxy metric and these criteria across the codec variants, with a "
              "95% bootstrap interval over variants. A proxy that predicts the loss well has "
              "|rho| near 1 (negative for a proxy where higher is better).\n\n",
              f);
        for (size_t p = 0; p < run->npops; p++) {
            int present = 0;
            for (size_t r = 0; r < t.nrows && !present; r++)
                present = strcmp(kvq_csv_field(&t, r, (size_t)cp), run->pops[p].name) == 0;
            if (present) validity_population(f, &t, run->pops[p].name, rows);
        }
    }
    free(rows);
    kvq_csv_free(&t);
}

/* The value of pop's error_summary statistic (NaN when absent). */
static double error_summary(const kvq_long_table *l, const char *pop, const char *statistic)
{
    return kvq_long_value(l, pop, "error_summary", "", statistic);
}

/* A list of pop's codecs, "`a`, `b`": the items of the rows of analysis and statistic whose value
 * is want (any value when want is NaN). */
static void codec_list(FILE *f, const kvq_long_table *l, const char *pop, const char *analysis,
                       const char *statistic, double want)
{
    int first = 1;
    for (size_t r = 0; r < l->t.nrows; r++)
        if (kvq_long_row_is(l, r, pop, analysis, statistic) &&
            (isnan(want) || kvq_long_number(l, r, l->value) == want))
            fprintf(f, "%s`%s`", first ? "" : ", ", kvq_csv_field(&l->t, r, (size_t)l->item)),
                first = 0;
}

/* Which codecs load together: each codec under the error factor it loads most on (largest
 * |loading|), "(-)" after it when that loading is negative. error_loading rows come codec by
 * codec, factor1 first. */
static void loading_groups(FILE *f, const kvq_long_table *l, const char *pop, size_t retained)
{
    for (size_t j = 1; j <= retained; j++) {
        fprintf(f, "%s factor %zu: ", j == 1 ? "" : ";", j);
        int first = 1;
        for (size_t r = 0, end; r < l->t.nrows; r = end) {
            end = r + 1;
            if (!kvq_long_row_is(l, r, pop, "error_loading", NULL)) continue;
            const char *item = kvq_csv_field(&l->t, r, (size_t)l->item);
            size_t best = 1;
            double most = kvq_long_number(l, r, l->value);
            for (end = r; end < l->t.nrows && kvq_long_row_is(l, end, pop, "error_loading", NULL) &&
                          strcmp(kvq_csv_field(&l->t, end, (size_t)l->item), item) == 0;
                 end++)
                if (fabs(kvq_long_number(l, end, l->value)) > fabs(most))
                    most = kvq_long_number(l, end, l->value), best = end - r + 1;
            if (best != j) continue;
            fprintf(f, "%s`%s`%s", first ? "" : ", ", item, most < 0 ? " (-)" : "");
            first = 0;
        }
        if (first) fputs("none", f);
    }
}

static void error_population(FILE *f, const kvq_long_table *l, const kvq_run *run, size_t p)
{
    const char *pop = run->pops[p].name;
    double codecs = error_summary(l, pop, "codecs"), excluded = error_summary(l, pop, "excluded");
    double retained = error_summary(l, pop, "factors_retained");
    fprintf(f, "### P%zu `%s`\n\n", p + 1, pop);
    if (isnan(codecs)) {
        fputs("No codec of this population succeeded.\n\n", f);
        return;
    }
    fprintf(f, "- codecs analysed: %.0f", codecs);
    if (excluded > 0) {
        fputs("; left out, their error never varies (exact on every subject, or a constant "
              "error): ",
              f);
        codec_list(f, l, pop, "error_summary", "zero_variance", NAN);
    }
    fputs("\n", f);
    if (isnan(retained)) {
        fputs("- fewer than two codecs whose errors vary: no error structure.\n\n", f);
        return;
    }
    fprintf(f,
            "- error factors retained: %.0f (parallel analysis: %.0f; the first factor holds "
            "%.0f%% of the error variance)\n- codecs loading together:",
            retained, error_summary(l, pop, "factors_parallel"),
            100.0 * error_summary(l, pop, "first_share"));
    loading_groups(f, l, pop, (size_t)retained);
    double clusters = error_summary(l, pop, "clusters");
    fprintf(f, "\n- %.0f cluster%s at 1 - r <= %g:", clusters, clusters == 1 ? "" : "s",
            error_summary(l, pop, "cut_height"));
    for (double c = 1; c <= clusters; c++) {
        fputs(c > 1 ? "; {" : " {", f);
        codec_list(f, l, pop, "error_cluster", "cluster", c);
        fputc('}', f);
    }
    fputs("\n\n", f);
}

/* "Which codecs err together", from factors.csv. */
static void error_structure(FILE *f, const kvq_run *run)
{
    kvq_long_table l;
    if (kvq_long_read(run, "factors.csv", &l)) return;
    if (l.pop >= 0 && l.analysis >= 0 && l.item >= 0 && l.statistic >= 0 && l.value >= 0) {
        fputs("\n## Which codecs err together\n\n"
              "For each population, the errors of the codecs on the psychometric layer's subjects "
              "(each codec's score minus the exact score), every codec's errors scaled to unit "
              "variance: their correlations say which codecs err on the same subjects in the "
              "same direction, whatever the size of each codec's errors. Error factors are "
              "retained by parallel analysis (at least one), principal components rotated by "
              "varimax when there are several; a codec is listed under the factor it loads most "
              "on, (-) after it when its errors run against the factor's. The clusters come from "
              "average-linkage clustering on 1 - r, cut at the height "
              "given (the codecs of one cluster were joined at an average error correlation of at "
              "least 1 minus that height). `factors.csv` (analyses `error_*`) holds every number; "
              "the figures `error_cluster_P<n>` draw the correlations and the tree.\n\n",
              f);
        for (size_t p = 0; p < run->npops; p++) error_population(f, &l, run, p);
    }
    kvq_csv_free(&l.t);
}

/* The number (from 1) of the population whose spec is name, 0 when none. */
static size_t pop_number(const kvq_run *run, const char *name)
{
    for (size_t p = 0; p < run->npops; p++)
        if (strcmp(run->pops[p].name, name) == 0) return p + 1;
    return 0;
}

/* One factor's summary line: how many pairs are equal, fair, different, and the answer. */
static void congruence_summary(FILE *f, const kvq_csv_table *t, const char *factor,
                               const char *what)
{
    static const char *const verdicts[] = {"equal", "fair", "different", "n/a"};
    size_t count[4] = {0}, pairs = 0;
    long cf = kvq_csv_column(t, "factor"), cv = kvq_csv_column(t, "verdict");
    for (size_t r = 0; r < t->nrows; r++) {
        if (strcmp(kvq_csv_field(t, r, (size_t)cf), factor) != 0) continue;
        for (size_t v = 0; v < 4; v++)
            count[v] += !strcmp(kvq_csv_field(t, r, (size_t)cv), verdicts[v]);
        pairs++;
    }
    size_t decided = pairs - count[3];
    fprintf(f, "- **%s** (`%s`): %zu pair%s: %zu equal, %zu fair, %zu different, %zu undecided: ",
            what, factor, pairs, pairs == 1 ? "" : "s", count[0], count[1], count[2], count[3]);
    if (!decided)
        fputs("no pair of populations could be compared.\n", f);
    else if (count[0] + count[1] == decided)
        fprintf(f, "the structure holds across %s pair compared%s.\n",
                decided == 1 ? "the" : "every", count[1] ? " (some only fairly)" : "");
    else if (count[2] == decided)
        fputs("the structure differs in every pair compared.\n", f);
    else
        fprintf(f, "the structure holds for %zu of the %zu pairs compared.\n", count[0] + count[1],
                decided);
}

/* "Does the codecs' factor structure hold across populations", from congruence.csv. */
static void congruence(FILE *f, const kvq_run *run)
{
    char path[4200];
    kvq_csv_table t;
    kvq_error err;
    snprintf(path, sizeof path, "%s/congruence.csv", run->dir);
    if (access(path, F_OK) != 0 || kvq_csv_read(path, &t, &err)) return;
    long c[6] = {kvq_csv_column(&t, "factor"),       kvq_csv_column(&t, "population_a"),
                 kvq_csv_column(&t, "population_b"), kvq_csv_column(&t, "n_variants"),
                 kvq_csv_column(&t, "phi"),          kvq_csv_column(&t, "verdict")};
    int ok = 1;
    for (size_t i = 0; i < 6; i++) ok &= c[i] >= 0;
    if (ok) {
        fputs("\n## Does the codecs' factor structure hold across populations?\n\n"
              "Tucker's congruence coefficient phi between two populations' first-factor "
              "loadings, over the codec variants both ran, each population's loadings signed so "
              "that they sum >= 0; |phi| >= 0.95 the factors are equal, 0.85 to 0.95 fairly "
              "similar, below that different (Lorenzo-Seva & ten Berge 2006). A negative phi "
              "of large size is the same factor with its sign reversed (the sum rule cannot "
              "orient a factor on which codecs load with both signs). Undecided: fewer than two "
              "codec variants in common, or a population without the factor (`congruence.csv`; "
              "the figures `congruence_<factor>`).\n\n",
              f);
        if (!t.nrows) fputs("One population: nothing to compare.\n", f);
    }
    if (ok && t.nrows) {
        congruence_summary(f, &t, "score_factor1", "scores");
        congruence_summary(f, &t, "error_factor1", "errors");
        fputs("\n| factor | population a | population b | variants | phi | verdict |\n"
              "|---|---|---|---:|---:|---|\n",
              f);
        for (size_t r = 0; r < t.nrows; r++) {
            double phi = NAN;
            kvq_csv_parse_number(kvq_csv_field(&t, r, (size_t)c[4]), &phi);
            fprintf(f, "| %s | P%zu | P%zu | %s |", kvq_csv_field(&t, r, (size_t)c[0]),
                    pop_number(run, kvq_csv_field(&t, r, (size_t)c[1])),
                    pop_number(run, kvq_csv_field(&t, r, (size_t)c[2])),
                    kvq_csv_field(&t, r, (size_t)c[3]));
            rho_text(f, phi, NAN, NAN);
            fprintf(f, " %s |\n", kvq_csv_field(&t, r, (size_t)c[5]));
        }
    }
    kvq_csv_free(&t);
}

/* The significant differences of comparisons.csv (written by `kvqeval compare`), when present:
 * every comparison whose Holm-adjusted p is below 0.05, in the file's order. */
static void comparisons(FILE *f, const kvq_run *run)
{
    char path[4200];
    kvq_csv_table t;
    kvq_error err;
    snprintf(path, sizeof path, "%s/comparisons.csv", run->dir);
    if (access(path, F_OK) != 0 || kvq_csv_read(path, &t, &err)) return;
    static const char *const names[] = {"population", "label",  "metric",  "codec_a", "codec_b",
                                        "diff",       "ci_low", "ci_high", "p_holm",  "p_bh"};
    long c[10];
    int ok = 1;
    for (size_t k = 0; k < 10; k++) ok &= (c[k] = kvq_csv_column(&t, names[k])) >= 0;
    size_t significant = 0;
    for (size_t r = 0; ok && r < t.nrows; r++) {
        double x[5];
        for (size_t k = 0; k < 5; k++)
            if (kvq_csv_parse_number(kvq_csv_field(&t, r, (size_t)c[5 + k]), &x[k])) x[k] = NAN;
        if (!(x[3] < 0.05)) continue;
        if (!significant++)
            fprintf(f,
                    "\n## Paired comparisons\n\nFrom `comparisons.csv` (`kvqeval compare`, %zu "
                    "comparisons): the differences whose Holm-adjusted p is below 0.05, the "
                    "difference A - B with its 95%% paired bootstrap interval over queries.\n\n"
                    "| population | metric | A | B | A - B [95%% interval] | p (Holm) | p (BH) "
                    "|\n|---|---|---|---|---|---|---|\n",
                    t.nrows);
        fprintf(f, "| P%zu `%s` | %s | `%s` | `%s` | %.4g [%.4g, %.4g] | %.2g | %.2g |\n",
                pop_number(run, kvq_csv_field(&t, r, (size_t)c[0])),
                kvq_csv_field(&t, r, (size_t)c[1]), kvq_csv_field(&t, r, (size_t)c[2]),
                kvq_csv_field(&t, r, (size_t)c[3]), kvq_csv_field(&t, r, (size_t)c[4]), x[0], x[1],
                x[2], x[3], x[4]);
    }
    if (ok && !significant && t.nrows)
        fprintf(f,
                "\n## Paired comparisons\n\nNone of the %zu comparisons of `comparisons.csv` has "
                "a Holm-adjusted p below 0.05.\n",
                t.nrows);
    kvq_csv_free(&t);
}

static int png_name(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 4 && strcmp(e->d_name + len - 4, ".png") == 0;
}

static void figures(FILE *f, const kvq_run *run)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/plots", run->dir);
    struct dirent **names;
    int n = scandir(path, &names, png_name, alphasort);
    if (n <= 0) {
        fputs("\n## Figures\n\nNo figures were drawn (see the run's messages: gnuplot may be "
              "missing).\n",
              f);
        return;
    }
    fputs("\n## Figures\n\nEach figure is also in `plots/` as SVG, beside the TSV data it was "
          "drawn from.\n\n",
          f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "![%s](plots/%s)\n\n", names[i]->d_name, names[i]->d_name);
        free(names[i]);
    }
    free(names);
}

static void files(FILE *f)
{
    fputs("\n## Files\n\n"
          "| file | contents |\n|---|---|\n"
          "| `cells.csv` | every metric of every cell, long format: "
          "run,codec,variant,population,role,metric,value,ci_low,ci_high,rep_low,rep_high |\n"
          "| `summary.csv` | the same, one row per cell and one column per metric |\n"
          "| `epiphanies.md`, `epiphanies.csv` | the epiphany x population table |\n"
          "| `subjects.csv`, `ratings.csv` | the psychometric layer's subjects ((query, row) "
          "pairs with their strata and exact scores) and each codec's score of them, for "
          "re-analysis (with `--replicates`, `replicates.csv` the other fits' scores) |\n"
          "| `reliability.csv`, `factors.csv`, `congruence.csv`, `gtheory.csv` | every number "
          "of the psychometric layer, the factor structure, its congruence across populations "
          "and the G studies |\n"
          "| `validity.csv` | with model populations: Spearman rho of each proxy metric with the "
          "model's loss, per population |\n"
          "| `manifest.json` | command, seed, versions, machine, populations' provenance, each "
          "cell's status and time |\n"
          "| `run.json`, `cells/` | the selection and each finished cell, for `--resume` |\n"
          "| `plots/` | figures (PNG, SVG) and their data (TSV) |\n"
          "\nMetric definitions: README.md of kvqeval, section \"Metrics\".\n",
          f);
}

int kvq_write_report(const kvq_run *run, kvq_error *err)
{
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, run->dir, "report.md", err);
    if (rc) return rc;
    what_ran(a.f, run, run->failed);
    fputs("## Results\n", a.f);
    kvq_print_tables(run, KVQ_TABLE_MARKDOWN, a.f);
    per_layer(a.f, run);
    failures(a.f, run, run->failed);
    skipped(a.f, run);
    degenerate(a.f, run);
    left_out(a.f, run);
    epiphanies(a.f, run);
    validity(a.f, run);
    error_structure(a.f, run);
    congruence(a.f, run);
    kvq_report_strata(a.f, run);
    kvq_report_gtheory(a.f, run);
    comparisons(a.f, run);
    figures(a.f, run);
    files(a.f);
    return kvq_afile_commit(&a, err);
}
