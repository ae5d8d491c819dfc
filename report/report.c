/* report.md: a run explained to someone who never saw the command — what ran and how, the
 * headline tables, failures, the epiphany table, the figures, and what each file holds. */
#include "io/atomic_file.h"
#include "io/jsonfile.h"
#include "kvq/version.h"
#include "report/table.h"
#include "report/writers.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

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
        if (c->status)
            fprintf(f, "- `%s` on `%s`: %s\n", c->variant, run->pops[c->population].name, c->error);
    }
    fputc('\n', f);
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
          "run,codec,variant,population,role,metric,value,ci_low,ci_high |\n"
          "| `summary.csv` | the same, one row per cell and one column per metric |\n"
          "| `epiphanies.md`, `epiphanies.csv` | the epiphany x population table |\n"
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
    failures(a.f, run, run->failed);
    epiphanies(a.f, run);
    figures(a.f, run);
    files(a.f);
    return kvq_afile_commit(&a, err);
}
