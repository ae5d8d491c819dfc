/* Finished cells on disk (harness/cell_store.h). */
#include "harness/cell_store.h"
#include "harness/run_spec.h"
#include "io/atomic_file.h"
#include "io/jsonfile.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kvq_cell_path(char *buf, size_t size, const char *dir, size_t p, size_t v)
{
    snprintf(buf, size, "%s/cells/%zu-%zu.json", dir, p, v);
}

static void add_number(cJSON *o, const char *key, double x)
{
    cJSON_AddItemToObject(o, key, kvq_json_number(x));
}

static cJSON *exact_array(const double *x, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) cJSON_AddItemToArray(a, kvq_json_number(x[i]));
    return a;
}

static cJSON *cell_json(const kvq_cell *cell, const char *population)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "variant", cell->variant);
    cJSON_AddStringToObject(o, "population", population);
    cJSON_AddNumberToObject(o, "status", cell->status);
    if (cell->skipped) cJSON_AddTrueToObject(o, "skipped");
    cJSON_AddStringToObject(o, "error", cell->error);
    add_number(o, "wall_s", cell->wall_s);
    add_number(o, "cpu_s", cell->cpu_s);
    add_number(o, "encode_rows_per_s", cell->encode_rows_per_s);
    add_number(o, "score_rows_per_s", cell->score_rows_per_s);
    cJSON *phases = cJSON_AddObjectToObject(o, "phases");
    for (size_t p = 0; phases && p < KVQ_PHASES; p++)
        add_number(phases, kvq_cell_phase_names[p], cell->phase_s[p]);
    cJSON_AddStringToObject(o, "note", cell->note);
    cJSON_AddItemToObject(o, "chain_rho", exact_array(cell->chain_rho, cell->chain_len));
    cJSON_AddItemToObject(o, "chain_rho_low", exact_array(cell->chain_rho_low, cell->chain_len));
    cJSON_AddItemToObject(o, "chain_rho_high", exact_array(cell->chain_rho_high, cell->chain_len));
    cJSON *metrics = cJSON_AddArrayToObject(o, "metrics");
    for (size_t i = 0; i < cell->nmetrics; i++) {
        const kvq_metric_value *m = &cell->metrics[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "name", m->name);
        add_number(item, "value", m->value);
        add_number(item, "ci_low", m->ci_low);
        add_number(item, "ci_high", m->ci_high);
        if (cell->nreplicates > 1) {
            add_number(item, "rep_low", m->rep_low);
            add_number(item, "rep_high", m->rep_high);
        }
        cJSON_AddItemToArray(metrics, item);
    }
    if (cell->query_values) {
        cJSON *q = cJSON_AddObjectToObject(o, "query_values");
        for (size_t m = 0; q && m < KVQ_QUERY_METRICS; m++)
            cJSON_AddItemToObject(
                q, kvq_query_metric_names[m],
                exact_array(cell->query_values + m * cell->nqueries, cell->nqueries));
    }
    if (cell->nsubjects) {
        cJSON_AddItemToObject(o, "subject_score",
                              exact_array(cell->subject_score, cell->nsubjects));
        char *top = malloc(cell->nsubjects + 1);
        if (top) {
            for (size_t s = 0; s < cell->nsubjects; s++) top[s] = cell->subject_top[s] ? '1' : '0';
            top[cell->nsubjects] = '\0';
            cJSON_AddStringToObject(o, "subject_top", top);
            free(top);
        }
    }
    if (cell->nreplicates > 1) {
        cJSON_AddNumberToObject(o, "replicates", (double)cell->nreplicates);
        cJSON_AddItemToObject(
            o, "replicate_score",
            exact_array(cell->replicate_score, (cell->nreplicates - 1) * cell->nsubjects));
    }
    return o;
}

char *kvq_cell_to_text(const kvq_cell *cell, const char *population)
{
    cJSON *o = cell_json(cell, population);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return text;
}

int kvq_cell_save(const kvq_cell *cell, const char *population, const char *path, kvq_error *err)
{
    char *text = kvq_cell_to_text(cell, population);
    if (!text) return kvq_fail(err, KVQ_ENOMEM, "out of memory saving cell '%s'", path);
    int rc = kvq_write_text_atomic(path, text, err);
    free(text);
    return rc;
}

static double number_or_nan(const cJSON *o, const char *key)
{
    double x;
    return kvq_json_read_number(cJSON_GetObjectItemCaseSensitive(o, key), &x) ? NAN : x;
}

static int load_subjects(kvq_cell *cell, const cJSON *o)
{
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(o, "subject_score");
    const cJSON *top = cJSON_GetObjectItemCaseSensitive(o, "subject_top");
    if (!scores && !top) return cell->status ? 0 : -1;
    if (!cJSON_IsArray(scores) || !cJSON_IsString(top)) return -1;
    size_t n = (size_t)cJSON_GetArraySize(scores);
    if (strlen(top->valuestring) != n) return -1;
    cell->subject_score = malloc(n * sizeof *cell->subject_score + 1);
    cell->subject_top = malloc(n + 1);
    if (!cell->subject_score || !cell->subject_top) return -1;
    size_t s = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, scores)
    {
        if (kvq_json_read_number(item, &cell->subject_score[s]) ||
            (top->valuestring[s] != '0' && top->valuestring[s] != '1'))
            return -1;
        cell->subject_top[s] = top->valuestring[s] == '1';
        s++;
    }
    cell->nsubjects = n;
    return 0;
}

/* Reads array (at most cap numbers; absent: none) into x, its length to *n. */
static int load_numbers(const cJSON *array, double *x, size_t cap, size_t *n)
{
    *n = 0;
    if (!array) return 0;
    if (!cJSON_IsArray(array) || (size_t)cJSON_GetArraySize(array) > cap) return -1;
    const cJSON *item;
    cJSON_ArrayForEach(item, array)
    {
        if (kvq_json_read_number(item, &x[*n])) return -1;
        (*n)++;
    }
    return 0;
}

/* Every query's values, one array per query-averaged metric, all of one length (absent: none). */
static int load_queries(kvq_cell *cell, const cJSON *o)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "query_values");
    if (!q) return 0;
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(q, kvq_query_metric_names[0]);
    if (!cJSON_IsObject(q) || !cJSON_IsArray(first)) return -1;
    size_t nq = (size_t)cJSON_GetArraySize(first), got;
    cell->query_values = malloc(KVQ_QUERY_METRICS * nq * sizeof *cell->query_values + 1);
    if (!cell->query_values) return -1;
    cell->nqueries = nq;
    for (size_t m = 0; m < KVQ_QUERY_METRICS; m++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(q, kvq_query_metric_names[m]);
        if (!a || load_numbers(a, cell->query_values + m * nq, nq, &got) || got != nq) return -1;
    }
    return 0;
}

/* The chain curve and its interval, the same length (an interval saved without one: NaN). */
static int load_chain(kvq_cell *cell, const cJSON *o)
{
    size_t lo, hi;
    const size_t cap = KVQ_CHAIN_MAX_DEPTH;
    if (load_numbers(cJSON_GetObjectItemCaseSensitive(o, "chain_rho"), cell->chain_rho, cap,
                     &cell->chain_len) ||
        load_numbers(cJSON_GetObjectItemCaseSensitive(o, "chain_rho_low"), cell->chain_rho_low, cap,
                     &lo) ||
        load_numbers(cJSON_GetObjectItemCaseSensitive(o, "chain_rho_high"), cell->chain_rho_high,
                     cap, &hi) ||
        lo != hi || (lo && lo != cell->chain_len))
        return -1;
    for (size_t l = lo; l < cell->chain_len; l++)
        cell->chain_rho_low[l] = cell->chain_rho_high[l] = NAN;
    return 0;
}

static int load_metrics(kvq_cell *cell, const cJSON *o)
{
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(o, "metrics");
    if (!cJSON_IsArray(metrics)) return -1;
    const cJSON *m;
    cJSON_ArrayForEach(m, metrics)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");
        if (!cJSON_IsString(name) || !kvq_cell_metric_known(name->valuestring)) return -1;
        kvq_cell_add(cell, name->valuestring, number_or_nan(m, "value"), number_or_nan(m, "ci_low"),
                     number_or_nan(m, "ci_high"));
        cell->metrics[cell->nmetrics - 1].rep_low = number_or_nan(m, "rep_low");
        cell->metrics[cell->nmetrics - 1].rep_high = number_or_nan(m, "rep_high");
    }
    return 0;
}

/* The fits' count and the subject scores of every fit after the first (absent: one fit). */
static int load_replicates(kvq_cell *cell, const cJSON *o)
{
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(o, "replicates");
    cell->nreplicates = cell->status ? 0 : 1;
    if (!count) return 0;
    double r;
    if (cell->status || kvq_json_read_number(count, &r) || r < 2 || r > KVQ_REPLICATES_MAX ||
        r != (double)(size_t)r)
        return -1;
    size_t want = ((size_t)r - 1) * cell->nsubjects, got;
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(o, "replicate_score");
    if (!cJSON_IsArray(scores) || (size_t)cJSON_GetArraySize(scores) != want) return -1;
    cell->replicate_score = malloc(want * sizeof *cell->replicate_score + 1);
    if (!cell->replicate_score || load_numbers(scores, cell->replicate_score, want, &got) ||
        got != want)
        return -1;
    cell->nreplicates = (size_t)r;
    return 0;
}

static int fill_cell(kvq_cell *cell, const char *population, const cJSON *o)
{
    const cJSON *variant = cJSON_GetObjectItemCaseSensitive(o, "variant");
    const cJSON *pop = cJSON_GetObjectItemCaseSensitive(o, "population");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(o, "error");
    if (!cJSON_IsString(variant) || strcmp(variant->valuestring, cell->variant) != 0 ||
        !cJSON_IsString(pop) || strcmp(pop->valuestring, population) != 0 ||
        !cJSON_IsNumber(status) || !cJSON_IsString(error))
        return -1;
    cell->status = status->valueint;
    cell->skipped = cell->status && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "skipped"));
    snprintf(cell->error, sizeof cell->error, "%s", error->valuestring);
    cell->wall_s = number_or_nan(o, "wall_s");
    cell->cpu_s = number_or_nan(o, "cpu_s");
    cell->encode_rows_per_s = number_or_nan(o, "encode_rows_per_s");
    cell->score_rows_per_s = number_or_nan(o, "score_rows_per_s");
    const cJSON *phases = cJSON_GetObjectItemCaseSensitive(o, "phases"); /* absent: NaN */
    for (size_t p = 0; p < KVQ_PHASES; p++)
        cell->phase_s[p] = number_or_nan(phases, kvq_cell_phase_names[p]);
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(o, "note");
    snprintf(cell->note, sizeof cell->note, "%s", cJSON_IsString(note) ? note->valuestring : "");
    if (load_chain(cell, o)) return -1;
    cell->nmetrics = 0;
    return load_metrics(cell, o) || load_subjects(cell, o) || load_queries(cell, o) ||
                   load_replicates(cell, o)
               ? -1
               : 0;
}

int kvq_cell_from_text(kvq_cell *cell, const char *population, const char *text)
{
    cJSON *o = cJSON_Parse(text);
    int bad = !o || fill_cell(cell, population, o);
    cJSON_Delete(o);
    if (bad) {
        kvq_cell_free(cell);
        cell->nmetrics = 0;
        return -1;
    }
    cell->done = 1;
    return 0;
}

int kvq_cell_load(kvq_cell *cell, const char *population, const char *path, kvq_error *err)
{
    char *text = NULL;
    int rc = kvq_read_text(path, &text, NULL, err);
    if (rc == KVQ_EIO && errno == ENOENT) return KVQ_OK;
    if (rc) return rc;
    int bad = kvq_cell_from_text(cell, population, text);
    free(text);
    if (bad)
        return kvq_fail(err, KVQ_EFORMAT, "'%s' is not the saved cell %s x %s", path, cell->variant,
                        population);
    return KVQ_OK;
}
