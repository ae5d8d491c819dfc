/* The codec x population tables of a run: one per headline metric, rows the codec variants,
 * columns the populations (numbered; the legend gives their specs). Printed on the console at the
 * end of a run, and as Markdown in report.md. A degenerate cell's value (harness/cell_eval.c: its
 * shared bytes reach the rows' own size) carries a trailing '*', explained under the tables. */
#include "report/table.h"
#include "io/csv.h"
#include "io/jsonfile.h"
#include "kvq/text.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct headline {
    const char *metric;
    const char *title;
    const char *format;
} headline;

static const headline headlines[] = {
    {"bits_per_coord_total",
     "bits per coordinate, shared bytes included (8 * (code bytes * rows + shared bytes) / (rows * "
     "dim))",
     "%.3f"},
    {"spearman", "Spearman rho of scores vs exact (mean over queries; 1 = same ranking)", "%.4f"},
    {"recall@10", "recall@10 (mean over queries; 1 = same top 10)", "%.4f"},
    {"rel_mse", "relative MSE of reconstructed rows (0 = exact; - = signature codec)", "%.3g"},
};

static size_t variant_width(const kvq_run *run)
{
    size_t w = strlen("codec variant");
    for (size_t v = 0; v < run->spec.nvariants; v++)
        if (strlen(run->spec.variants[v]) > w) w = strlen(run->spec.variants[v]);
    return w;
}

/* 1 when cell c is degenerate (harness/cell_eval.c). */
static int degenerate(const kvq_cell *c)
{
    return !c->status && kvq_cell_metric(c, "degenerate") == 1.0;
}

/* One table cell's text; mark follows a degenerate cell's value. */
static void cell_text(const kvq_run *run, size_t p, size_t v, const headline *h, const char *mark,
                      char *buf, size_t size)
{
    const kvq_cell *c = kvq_run_cell(run, p, v);
    double x = kvq_cell_metric(c, h->metric);
    if (c->skipped)
        snprintf(buf, size, "n/a");
    else if (c->status)
        snprintf(buf, size, "FAILED");
    else if (isnan(x))
        snprintf(buf, size, "-");
    else {
        int used = snprintf(buf, size, h->format, x);
        if (degenerate(c) && used > 0 && (size_t)used < size)
            snprintf(buf + used, size - (size_t)used, "%s", mark);
    }
}

/* The footnote of the '*' marks, when some cell carries one. */
static void degenerate_footnote(const kvq_run *run, int md, FILE *out)
{
    size_t n = 0;
    for (size_t p = 0; p < run->npops; p++)
        for (size_t v = 0; v < run->spec.nvariants; v++) n += degenerate(kvq_run_cell(run, p, v));
    if (!n) return;
    fprintf(
        out,
        "\n%s degenerate cell (%zu): the codec's shared bytes (codebooks, bases) reach the size "
        "of the rows in bf16, room to keep the rows themselves, so its fidelity says nothing "
        "about compression (report.md, \"Degenerate cells\", gives each reason)\n",
        md ? "\\*" : "*", n);
}

static void print_one(const kvq_run *run, const headline *h, int width, kvq_table_style style,
                      FILE *out)
{
    int md = style == KVQ_TABLE_MARKDOWN;
    if (md)
        fprintf(out, "\n**%s**\n\n| codec variant |", h->title);
    else
        fprintf(out, "\n%s\n%-*s", h->title, width, "codec variant");
    for (size_t p = 0; p < run->npops; p++) {
        char label[32];
        snprintf(label, sizeof label, "P%zu", p + 1);
        fprintf(out, md ? " %s |" : " %11s", label);
    }
    fputc('\n', out);
    if (md) {
        fputs("|---|", out);
        for (size_t p = 0; p < run->npops; p++) fputs("---:|", out);
        fputc('\n', out);
    }
    for (size_t v = 0; v < run->spec.nvariants; v++) {
        if (md)
            fprintf(out, "| `%s` |", run->spec.variants[v]);
        else
            fprintf(out, "%-*s", width, run->spec.variants[v]);
        for (size_t p = 0; p < run->npops; p++) {
            char text[64];
            cell_text(run, p, v, h, md ? "\\*" : "*", text, sizeof text);
            fprintf(out, md ? " %s |" : " %11s", text);
        }
        fputc('\n', out);
    }
}

int kvq_table_style_parse(const char *name)
{
    static const char *const names[] = {"table", "md", "csv", "json"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) return i;
    return -1;
}

static void print_csv(const kvq_run *run, FILE *out)
{
    fputs("metric,variant,population,role,status,value\n", out);
    for (size_t i = 0; i < sizeof headlines / sizeof *headlines; i++)
        for (size_t v = 0; v < run->spec.nvariants; v++)
            for (size_t p = 0; p < run->npops; p++) {
                const kvq_cell *c = kvq_run_cell(run, p, v);
                const char *fields[] = {headlines[i].metric, run->spec.variants[v],
                                        run->pops[p].name, kvq_role_name(run->pops[p].role),
                                        kvq_cell_status_name(c)};
                for (size_t k = 0; k < 5; k++) kvq_csv_text(out, fields[k]), fputc(',', out);
                double x = kvq_cell_metric(c, headlines[i].metric);
                if (!c->status && !isnan(x)) kvq_csv_number(out, x);
                fputc('\n', out);
            }
}

static void print_json(const kvq_run *run, FILE *out)
{
    cJSON *root = cJSON_CreateObject(), *tables = cJSON_AddArrayToObject(root, "tables");
    for (size_t i = 0; i < sizeof headlines / sizeof *headlines; i++) {
        cJSON *t = cJSON_CreateObject(), *rows = cJSON_CreateArray();
        cJSON_AddStringToObject(t, "metric", headlines[i].metric);
        cJSON_AddStringToObject(t, "title", headlines[i].title);
        for (size_t v = 0; v < run->spec.nvariants; v++) {
            cJSON *r = cJSON_CreateObject(), *values = cJSON_CreateArray();
            cJSON_AddStringToObject(r, "variant", run->spec.variants[v]);
            for (size_t p = 0; p < run->npops; p++) {
                const kvq_cell *c = kvq_run_cell(run, p, v);
                double x = kvq_cell_metric(c, headlines[i].metric);
                cJSON_AddItemToArray(values, !c->status && !isnan(x) ? kvq_json_number(x)
                                                                     : cJSON_CreateNull());
            }
            cJSON_AddItemToObject(r, "values", values);
            cJSON_AddItemToArray(rows, r);
        }
        cJSON_AddItemToObject(t, "rows", rows);
        cJSON_AddItemToArray(tables, t);
    }
    cJSON *pops = cJSON_AddArrayToObject(root, "populations");
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population *pop = &run->pops[p];
        cJSON *o = cJSON_CreateObject();
        char label[32];
        snprintf(label, sizeof label, "P%zu", p + 1);
        cJSON_AddStringToObject(o, "label", label);
        cJSON_AddStringToObject(o, "spec", pop->name);
        cJSON_AddStringToObject(o, "role", kvq_role_name(pop->role));
        cJSON_AddNumberToObject(o, "rows", (double)pop->n);
        cJSON_AddNumberToObject(o, "dim", (double)pop->dim);
        cJSON_AddNumberToObject(o, "queries", (double)pop->nq);
        cJSON_AddItemToArray(pops, o);
    }
    char *text = cJSON_Print(root);
    if (text) fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(root);
}

void kvq_print_tables(const kvq_run *run, kvq_table_style style, FILE *out)
{
    if (style == KVQ_TABLE_CSV) {
        print_csv(run, out);
        return;
    }
    if (style == KVQ_TABLE_JSON) {
        print_json(run, out);
        return;
    }
    int width = (int)variant_width(run);
    for (size_t i = 0; i < sizeof headlines / sizeof *headlines; i++)
        print_one(run, &headlines[i], width, style, out);
    degenerate_footnote(run, style == KVQ_TABLE_MARKDOWN, out);
    fputs(style == KVQ_TABLE_MARKDOWN ? "\nPopulations:\n\n" : "\npopulations:\n", out);
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population *pop = &run->pops[p];
        char name[4 * KVQ_TEXT_MAX + 1]; /* a path may hold any byte: shown escaped */
        kvq_text_escape(name, sizeof name, pop->name);
        fprintf(out,
                style == KVQ_TABLE_MARKDOWN ? "- P%zu = `%s` (%s, %zu rows x %zu, %zu queries)\n"
                                            : "  P%zu = %s  (%s, %zu rows x %zu, %zu queries)\n",
                p + 1, name, kvq_role_name(pop->role), pop->n, pop->dim, pop->nq);
    }
}
