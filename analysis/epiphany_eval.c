/* Evaluating epiphany specs against a run's facts (analysis/epiphany.h). */
#include "analysis/epiphany.h"
#include "kvq/backend.h"

#include <fnmatch.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *kvq_verdict_name(kvq_verdict v)
{
    switch (v) {
    case KVQ_CONFIRMED:
        return "CONFIRMED";
    case KVQ_REFUTED:
        return "REFUTED";
    case KVQ_NO_DATA:
        return "NO DATA";
    default:
        return "n/a";
    }
}

static const char *get_string(const cJSON *o, const char *key, const char *fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : fallback;
}

static int role_selected(const cJSON *role, const char *wanted)
{
    if (!role) return 1;
    if (cJSON_IsString(role)) return strcmp(role->valuestring, wanted) == 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, role) if (strcmp(r->valuestring, wanted) == 0) return 1;
    return 0;
}

static int applies(const cJSON *prediction, const char *population, const char *role)
{
    const cJSON *when = cJSON_GetObjectItemCaseSensitive(prediction, "when");
    if (!when) return 1;
    const char *glob = get_string(when, "population", NULL);
    if (glob && fnmatch(glob, population, 0) != 0) return 0;
    return role_selected(cJSON_GetObjectItemCaseSensitive(when, "role"), role);
}

/* The finite values of metric for codec variants matching glob (NULL: population-level facts). A
 * glob without wildcards that names a variant is taken by its canonical name
 * (kvq_codec_canonical), as the cells are: "int4:group=32" finds the cells of "int4". */
static size_t gather(const kvq_facts *f, const char *population, const char *glob,
                     const char *metric, double *out)
{
    char canonical[256];
    kvq_error ignored;
    if (glob && !strpbrk(glob, "*?[") &&
        kvq_codec_canonical(glob, canonical, sizeof canonical, &ignored) == KVQ_OK)
        glob = canonical;
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) {
        const kvq_fact *x = &f->items[i];
        if (strcmp(x->population, population) != 0 || strcmp(x->metric, metric) != 0) continue;
        if (glob ? x->variant[0] == '\0' || fnmatch(glob, x->variant, 0) != 0
                 : x->variant[0] != '\0')
            continue;
        if (!isnan(x->value)) out[n++] = x->value;
    }
    return n;
}

static int compare(double a, const char *op, double b)
{
    if (strcmp(op, "<") == 0) return a < b;
    if (strcmp(op, "<=") == 0) return a <= b;
    if (strcmp(op, ">") == 0) return a > b;
    if (strcmp(op, ">=") == 0) return a >= b;
    if (strcmp(op, "==") == 0) return a == b;
    return a != b;
}

/* Reduces v[0..n) (n >= 1) to one number; sorts v for the median. */
static double reduce(double *v, size_t n, const char *aggregate)
{
    if (strcmp(aggregate, "count") == 0) return (double)n;
    if (strcmp(aggregate, "min") == 0) return gsl_stats_min(v, 1, n);
    if (strcmp(aggregate, "max") == 0) return gsl_stats_max(v, 1, n);
    if (strcmp(aggregate, "mean") == 0) return gsl_stats_mean(v, 1, n);
    gsl_sort(v, 1, n);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

typedef struct outcome {
    kvq_verdict verdict;
    double measured, threshold;
} outcome;

static outcome evaluate_prediction(const cJSON *p, const kvq_facts *f, const char *population,
                                   double *buf)
{
    outcome o = {KVQ_NO_DATA, NAN, NAN};
    const char *op = get_string(p, "op", "==");
    const cJSON *versus = cJSON_GetObjectItemCaseSensitive(p, "versus");
    if (versus) {
        size_t m = gather(f, population, get_string(versus, "codec", NULL),
                          get_string(versus, "metric", ""), buf);
        if (m == 0) return o;
        const cJSON *scale = cJSON_GetObjectItemCaseSensitive(versus, "scale");
        o.threshold = reduce(buf, m, get_string(versus, "aggregate", "mean")) *
                      (scale ? scale->valuedouble : 1.0);
    } else {
        o.threshold = cJSON_GetObjectItemCaseSensitive(p, "value")->valuedouble;
    }
    const char *aggregate = get_string(p, "aggregate", "all");
    size_t n =
        gather(f, population, get_string(p, "codec", NULL), get_string(p, "metric", ""), buf);
    if (n == 0 && strcmp(aggregate, "count") != 0) return o;
    if (strcmp(aggregate, "all") != 0) {
        o.measured = reduce(buf, n, aggregate);
        o.verdict = compare(o.measured, op, o.threshold) ? KVQ_CONFIRMED : KVQ_REFUTED;
        return o;
    }
    o.verdict = KVQ_CONFIRMED; /* every value must hold; report the first that fails, or the
                                  one closest to failing */
    o.measured = buf[0];
    for (size_t i = 0; i < n; i++) {
        if (!compare(buf[i], op, o.threshold)) {
            o.verdict = KVQ_REFUTED;
            o.measured = buf[i];
            break;
        }
        if (fabs(buf[i] - o.threshold) < fabs(o.measured - o.threshold)) o.measured = buf[i];
    }
    return o;
}

/* One epiphany on one population. */
static kvq_verdict_cell evaluate_cell(const cJSON *epiphany, const kvq_facts *f, size_t pop,
                                      double *buf)
{
    kvq_verdict_cell cell = {KVQ_NA, NAN, NAN, NULL, NULL};
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(epiphany, "predictions"))
    {
        if (!applies(p, f->populations[pop], f->roles[pop])) continue;
        outcome o = evaluate_prediction(p, f, f->populations[pop], buf);
        /* REFUTED beats NO DATA beats CONFIRMED; the first of the strongest decides. */
        int stronger = cell.verdict == KVQ_NA ||
                       (o.verdict == KVQ_REFUTED && cell.verdict != KVQ_REFUTED) ||
                       (o.verdict == KVQ_NO_DATA && cell.verdict == KVQ_CONFIRMED);
        if (!stronger) continue;
        cell.verdict = o.verdict;
        cell.measured = o.measured;
        cell.threshold = o.threshold;
        cell.metric = get_string(p, "metric", "");
        cell.op = get_string(p, "op", "");
    }
    return cell;
}

int kvq_epiphany_evaluate(kvq_epiphany_table *t, cJSON *spec, const kvq_facts *facts,
                          kvq_error *err)
{
    memset(t, 0, sizeof *t);
    t->spec = spec;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(spec, "epiphanies");
    t->nepiphanies = (size_t)cJSON_GetArraySize(list);
    t->npopulations = facts->npopulations;
    t->ids = calloc(t->nepiphanies, sizeof *t->ids);
    t->titles = calloc(t->nepiphanies, sizeof *t->titles);
    t->claims = calloc(t->nepiphanies, sizeof *t->claims);
    t->cells = calloc(t->nepiphanies * t->npopulations + 1, sizeof *t->cells);
    double *buf = malloc((facts->count + 1) * sizeof *buf);
    if (!t->ids || !t->titles || !t->claims || !t->cells || !buf) {
        free(buf);
        kvq_epiphany_table_free(t);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory evaluating epiphanies");
    }
    size_t e = 0;
    const cJSON *ep;
    cJSON_ArrayForEach(ep, list)
    {
        t->ids[e] = get_string(ep, "id", "");
        t->titles[e] = get_string(ep, "title", "");
        t->claims[e] = get_string(ep, "claim", "");
        for (size_t p = 0; p < t->npopulations; p++)
            t->cells[e * t->npopulations + p] = evaluate_cell(ep, facts, p, buf);
        e++;
    }
    free(buf);
    return KVQ_OK;
}

void kvq_epiphany_table_free(kvq_epiphany_table *t)
{
    cJSON_Delete(t->spec);
    free(t->ids);
    free(t->titles);
    free(t->claims);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
