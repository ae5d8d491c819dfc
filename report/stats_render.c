/* Rendering of `kvqeval stats` results (report/stats_render.h). The rows arrive grouped: every
 * analysis's rows are contiguous and, within it, every item's. */
#include "report/stats_render.h"
#include "io/csv.h"
#include "io/jsonfile.h"
#include "io/message.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CELL_MAX 64
#define COLS_MAX 16

/* One analysis's rows [first, end) as a grid: items down, statistics across. */
typedef struct grid {
    const kvq_stat_rows *rows;
    size_t first, end;
    const char *stats[COLS_MAX];
    size_t nstats;
} grid;

static size_t analysis_end(const kvq_stat_rows *rows, size_t first)
{
    size_t end = first + 1;
    while (end < rows->count && !strcmp(rows->items[end].analysis, rows->items[first].analysis))
        end++;
    return end;
}

static size_t item_end(const kvq_stat_rows *rows, size_t first, size_t limit)
{
    size_t end = first + 1;
    while (end < limit && !strcmp(rows->items[end].item, rows->items[first].item)) end++;
    return end;
}

static void collect_stats(grid *g)
{
    g->nstats = 0;
    for (size_t r = g->first; r < g->end; r++) {
        size_t s = 0;
        while (s < g->nstats && strcmp(g->stats[s], g->rows->items[r].statistic)) s++;
        if (s == g->nstats && g->nstats < COLS_MAX)
            g->stats[g->nstats++] = g->rows->items[r].statistic;
    }
}

static void format_number(char *buf, size_t size, double x)
{
    if (isnan(x))
        snprintf(buf, size, "NaN");
    else
        snprintf(buf, size, "%.6g", x);
}

/* The text of one value with its interval, if any. */
static void format_cell(char *buf, size_t size, const kvq_stat_row *r)
{
    char v[CELL_MAX], lo[CELL_MAX], hi[CELL_MAX];
    format_number(v, sizeof v, r->value);
    if (isnan(r->ci_low) && isnan(r->ci_high)) {
        snprintf(buf, size, "%s", v);
        return;
    }
    format_number(lo, sizeof lo, r->ci_low);
    format_number(hi, sizeof hi, r->ci_high);
    snprintf(buf, size, "%s [%s, %s]", v, lo, hi);
}

/* The cell of statistic s in the item rows [first, end), or "" when absent. */
static void grid_cell(const grid *g, size_t first, size_t end, size_t s, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t r = first; r < end; r++)
        if (!strcmp(g->rows->items[r].statistic, g->stats[s]))
            format_cell(buf, size, &g->rows->items[r]);
}

/* Column widths: the item column, then one per statistic. */
static void grid_widths(const grid *g, int *width)
{
    width[0] = (int)strlen("item");
    for (size_t s = 0; s < g->nstats; s++) width[s + 1] = (int)strlen(g->stats[s]);
    for (size_t r = g->first; r < g->end;) {
        size_t end = item_end(g->rows, r, g->end);
        int w = kvq_escaped_width(g->rows->items[r].item);
        if (w > width[0]) width[0] = w;
        for (size_t s = 0; s < g->nstats; s++) {
            char cell[3 * CELL_MAX];
            grid_cell(g, r, end, s, cell, sizeof cell);
            if ((int)strlen(cell) > width[s + 1]) width[s + 1] = (int)strlen(cell);
        }
        r = end;
    }
}

static void print_grid(const grid *g, FILE *out)
{
    int width[COLS_MAX + 1];
    grid_widths(g, width);
    fprintf(out, "\n%s\n%-*s", g->rows->items[g->first].analysis, width[0], "item");
    for (size_t s = 0; s < g->nstats; s++) fprintf(out, "  %*s", width[s + 1], g->stats[s]);
    fputc('\n', out);
    for (size_t r = g->first; r < g->end;) {
        size_t end = item_end(g->rows, r, g->end);
        /* item names are the CSV's column names: shown escaped */
        kvq_put_padded(out, g->rows->items[r].item[0] ? g->rows->items[r].item : "-", width[0]);
        for (size_t s = 0; s < g->nstats; s++) {
            char cell[3 * CELL_MAX];
            grid_cell(g, r, end, s, cell, sizeof cell);
            fprintf(out, "  %*s", width[s + 1], cell[0] ? cell : "-");
        }
        fputc('\n', out);
        r = end;
    }
}

static void render_table(const kvq_stat_rows *rows, const kvq_stats_meta *m, FILE *out)
{
    fprintf(out, "kvqeval stats %s: ", m->command);
    kvq_put_escaped(out, m->file);
    fprintf(out, ", %zu subjects x %zu raters; intervals at %g%%\n", m->subjects, m->raters,
            100.0 * m->level);
    for (size_t first = 0; first < rows->count;) {
        grid g = {.rows = rows, .first = first, .end = analysis_end(rows, first)};
        collect_stats(&g);
        print_grid(&g, out);
        first = g.end;
    }
}

static void render_csv(const kvq_stat_rows *rows, FILE *out)
{
    fputs("analysis,item,statistic,value,ci_low,ci_high\n", out);
    for (size_t i = 0; i < rows->count; i++) {
        const kvq_stat_row *r = &rows->items[i];
        kvq_csv_text(out, r->analysis);
        fputc(',', out);
        kvq_csv_text(out, r->item);
        fputc(',', out);
        kvq_csv_text(out, r->statistic);
        fputc(',', out);
        kvq_csv_number(out, r->value);
        fputc(',', out);
        if (!isnan(r->ci_low) || !isnan(r->ci_high)) {
            kvq_csv_number(out, r->ci_low);
            fputc(',', out);
            kvq_csv_number(out, r->ci_high);
        } else {
            fputc(',', out);
        }
        fputc('\n', out);
    }
}

/* A JSON number that reads back to the same double, or null for NaN and infinities (JSON has
 * neither). */
static cJSON *json_number(double x)
{
    return isfinite(x) ? kvq_json_number(x) : cJSON_CreateNull();
}

/* Adds a child made by a cJSON_Create* call to an array (key NULL) or object; 0 when either
 * allocation failed (the child is then freed). */
static int json_add(cJSON *parent, const char *key, cJSON *child)
{
    int ok = child && (key ? cJSON_AddItemToObject(parent, key, child)
                           : cJSON_AddItemToArray(parent, child));
    if (!ok) cJSON_Delete(child);
    return ok;
}

static int json_row(cJSON *item, const kvq_stat_row *r)
{
    if (!json_add(item, r->statistic, json_number(r->value))) return 0;
    if (isnan(r->ci_low) && isnan(r->ci_high)) return 1;
    char key[sizeof r->statistic + 4];
    snprintf(key, sizeof key, "%s_ci", r->statistic);
    cJSON *ci = cJSON_AddArrayToObject(item, key);
    return ci && json_add(ci, NULL, json_number(r->ci_low)) &&
           json_add(ci, NULL, json_number(r->ci_high));
}

/* One analysis's rows [first, end) as an array of items; 0 when memory ran out. */
static int json_analysis(cJSON *list, const kvq_stat_rows *rows, size_t first, size_t end)
{
    for (size_t r = first; r < end;) {
        size_t iend = item_end(rows, r, end);
        cJSON *item = cJSON_CreateObject();
        if (!json_add(list, NULL, item) ||
            !cJSON_AddStringToObject(item, "item", rows->items[r].item))
            return 0;
        for (size_t i = r; i < iend; i++)
            if (!json_row(item, &rows->items[i])) return 0;
        r = iend;
    }
    return 1;
}

/* The whole document, or NULL when memory ran out (never a document with parts missing). */
static cJSON *json_document(const kvq_stat_rows *rows, const kvq_stats_meta *m)
{
    cJSON *doc = cJSON_CreateObject();
    int ok = doc && cJSON_AddStringToObject(doc, "command", m->command) &&
             cJSON_AddStringToObject(doc, "file", m->file) &&
             cJSON_AddNumberToObject(doc, "subjects", (double)m->subjects) &&
             cJSON_AddNumberToObject(doc, "raters", (double)m->raters) &&
             cJSON_AddNumberToObject(doc, "level", m->level);
    cJSON *results = ok ? cJSON_AddObjectToObject(doc, "results") : NULL;
    ok = ok && results;
    for (size_t first = 0; ok && first < rows->count;) {
        size_t end = analysis_end(rows, first);
        cJSON *list = cJSON_AddArrayToObject(results, rows->items[first].analysis);
        ok = list && json_analysis(list, rows, first, end);
        first = end;
    }
    if (ok) return doc;
    cJSON_Delete(doc);
    return NULL;
}

int kvq_stats_render(const kvq_stat_rows *rows, const kvq_stats_meta *meta, kvq_stats_format format,
                     FILE *out, kvq_error *err)
{
    if (format == KVQ_STATS_TABLE) {
        render_table(rows, meta, out);
    } else if (format == KVQ_STATS_CSV) {
        render_csv(rows, out);
    } else {
        cJSON *doc = json_document(rows, meta);
        char *text = doc ? cJSON_Print(doc) : NULL;
        cJSON_Delete(doc);
        if (!text) return kvq_fail(err, KVQ_ENOMEM, "stats: out of memory writing JSON");
        fprintf(out, "%s\n", text);
        cJSON_free(text);
    }
    /* A full disk shows only here: stdio buffers the writes. */
    if (fflush(out) || ferror(out))
        return kvq_fail(err, KVQ_EIO, "writing the results failed: %s", strerror(errno));
    return KVQ_OK;
}
