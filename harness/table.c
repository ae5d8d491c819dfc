/* The codec x population tables printed at the end of a run: one per headline metric, rows the
 * codec variants, columns the populations (numbered; the legend below gives their specs). */
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct headline {
    const char *metric;
    const char *title;
    const char *format;
} headline;

static const headline headlines[] = {
    {"bits_per_coord", "bits per coordinate (code bytes * 8 / dim; shared tables not included)",
     "%10.3f"},
    {"spearman", "Spearman rho of scores vs exact (mean over queries; 1 = same ranking)", "%10.4f"},
    {"recall@10", "recall@10 (mean over queries; 1 = same top 10)", "%10.4f"},
    {"rel_mse", "relative MSE of reconstructed rows (0 = exact; - = signature codec)", "%10.3g"},
};

static size_t variant_width(const kvq_run *run)
{
    size_t w = strlen("codec variant");
    for (size_t v = 0; v < run->spec.nvariants; v++)
        if (strlen(run->spec.variants[v]) > w) w = strlen(run->spec.variants[v]);
    return w;
}

static void print_one(const kvq_run *run, const headline *h, int width, FILE *out)
{
    fprintf(out, "\n%s\n%-*s", h->title, width, "codec variant");
    for (size_t p = 0; p < run->npops; p++) fprintf(out, " %9s%zu", "P", p + 1);
    fputc('\n', out);
    for (size_t v = 0; v < run->spec.nvariants; v++) {
        fprintf(out, "%-*s", width, run->spec.variants[v]);
        for (size_t p = 0; p < run->npops; p++) {
            const kvq_cell *c = kvq_run_cell(run, p, v);
            double x = kvq_cell_metric(c, h->metric);
            if (c->status)
                fprintf(out, " %10s", "FAILED");
            else if (isnan(x))
                fprintf(out, " %10s", "-");
            else
                fputc(' ', out), fprintf(out, h->format, x);
        }
        fputc('\n', out);
    }
}

void kvq_print_tables(const kvq_run *run, FILE *out)
{
    int width = (int)variant_width(run);
    for (size_t i = 0; i < sizeof headlines / sizeof *headlines; i++)
        print_one(run, &headlines[i], width, out);
    fputs("\npopulations:\n", out);
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population *pop = &run->pops[p];
        fprintf(out, "  P%zu = %s  (%s, %zu rows x %zu, %zu queries)\n", p + 1, pop->name,
                kvq_role_name(pop->role), pop->n, pop->dim, pop->nq);
    }
}
