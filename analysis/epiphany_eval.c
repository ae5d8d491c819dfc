/* Evaluating epiphany specs against a run's facts (analysis/epiphany.h). */
#include "analysis/comparisons.h"
#include "analysis/epiphany.h"
#include "kvq/backend.h"

#include <fnmatch.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kvq_verdict_name(kvq_verdict v)
{
    switch (v) {
    case KVQ_CONFIRMED:
        return "CONFIRMED";
    case KVQ_REFUTED:
        return "REFUTED";
    case KVQ_INCONCLUSIVE:
        return "INCONCLUSIVE";
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

static double get_number(const cJSON *o, const char *key, double fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
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

static int compare(double a, const char *op, double b)
{
    if (strcmp(op, "<") == 0) return a < b;
    if (strcmp(op, "<=") == 0) return a <= b;
    if (strcmp(op, ">") == 0) return a > b;
    if (strcmp(op, ">=") == 0) return a >= b;
    if (strcmp(op, "==") == 0) return a == b;
    return a != b;
}

/* One gathered value: a cell's (or the population's) number with its interval (lo = hi = value
 * without one). */
typedef struct entry {
    const char *variant;
    double value, lo, hi;
    int ci; /* it has an interval */
} entry;

/* 1 when variant's cell on population meets where: one condition {metric, op, value}, or an array
 * of them that must all hold (a metric the cell lacks fails its condition). */
static int meets(const kvq_facts *f, const char *variant, const char *population,
                 const cJSON *where)
{
    if (cJSON_IsArray(where)) {
        const cJSON *c;
        cJSON_ArrayForEach(c, where) if (!meets(f, variant, population, c)) return 0;
        return 1;
    }
    double w = kvq_facts_value(f, variant, population, get_string(where, "metric", ""));
    return !isnan(w) && compare(w, get_string(where, "op", "=="), get_number(where, "value", 0));
}

/* The finite values of metric on population for the codec variants matching glob (NULL: the
 * population-level facts) that meet where (NULL: all) and are not degenerate. A glob without
 * wildcards that names a variant is taken by its canonical name (kvq_codec_canonical), as the
 * cells are: "int4:group=32" finds the cells of "int4". */
static size_t gather(const kvq_facts *f, const char *population, const char *glob,
                     const char *metric, const cJSON *where, entry *out)
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
        if (isnan(x->value)) continue;
        if (glob && kvq_facts_value(f, x->variant, population, "degenerate") == 1.0) continue;
        if (where && !meets(f, x->variant, population, where)) continue;
        int ci = isfinite(x->ci_low) && isfinite(x->ci_high);
        out[n++] = (entry){x->variant, x->value, ci ? x->ci_low : x->value,
                           ci ? x->ci_high : x->value, ci};
    }
    return n;
}

/* The verdict of [lo, hi] against the threshold interval [tlo, thi] (points when equal). */
static kvq_verdict decide(double lo, double hi, const char *op, double tlo, double thi)
{
    if (strcmp(op, "==") == 0 || strcmp(op, "!=") == 0)
        return compare(lo, op, tlo) && compare(hi, op, thi) ? KVQ_CONFIRMED : KVQ_REFUTED;
    int less = op[0] == '<', strict = op[1] == '\0';
    if (less) {
        if (strict ? hi < tlo : hi <= tlo) return KVQ_CONFIRMED;
        if (strict ? lo >= thi : lo > thi) return KVQ_REFUTED;
    } else {
        if (strict ? lo > thi : lo >= thi) return KVQ_CONFIRMED;
        if (strict ? hi <= tlo : hi < tlo) return KVQ_REFUTED;
    }
    return KVQ_INCONCLUSIVE;
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

/* The threshold a gathered value is compared with: a point, or an interval when it is one cell's
 * value that has one. */
typedef struct threshold {
    double t, lo, hi;
    const char *variant; /* the versus cell when there is one, else NULL */
    int ci;              /* it has an interval */
} threshold;

/* The versus side for a value of bits `bits` (NaN: no matching asked): the versus cells (within
 * the band of bits when matched_bits is given) reduced to one number times scale. 0 when none. */
static int versus_threshold(const cJSON *versus, const kvq_facts *f, const char *population,
                            double bits, entry *buf, double *numbers, threshold *th)
{
    size_t m = gather(f, population, get_string(versus, "codec", NULL),
                      get_string(versus, "metric", ""), NULL, buf);
    double band = get_number(versus, "matched_bits", NAN), scale = get_number(versus, "scale", 1);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (!isnan(band)) {
            double b = kvq_facts_value(f, buf[i].variant, population, "bits_per_coord_total");
            if (!(fabs(b / bits - 1.0) <= band)) continue;
        }
        buf[k] = buf[i];
        numbers[k++] = buf[i].value;
    }
    if (k == 0) return 0;
    th->t = reduce(numbers, k, get_string(versus, "aggregate", "mean")) * scale;
    th->lo = th->hi = th->t;
    th->variant = k == 1 ? buf[0].variant : NULL;
    th->ci = k == 1 && buf[0].ci;
    if (th->ci) th->lo = buf[0].lo * scale, th->hi = buf[0].hi * scale;
    return 1;
}

/* Scratch space of one evaluation: room for every fact, three times. */
typedef struct scratch {
    entry *left, *right;
    double *numbers;
} scratch;

static void set_codecs(kvq_outcome *o, const char *left, const threshold *th)
{
    int versus = th && th->variant && th->variant[0]; /* a versus cell, not a population fact */
    snprintf(o->codecs, sizeof o->codecs, "%s%s%s", left ? left : "", versus ? " vs " : "",
             versus ? th->variant : "");
}

/* Records value e against th as the outcome's deciding measurement. */
static void record(kvq_outcome *o, kvq_verdict v, const entry *e, const threshold *th)
{
    o->verdict = v;
    o->value = e->value;
    o->ci_low = e->ci ? e->lo : NAN;
    o->ci_high = e->ci ? e->hi : NAN;
    o->threshold = th->t;
    o->threshold_low = th->ci ? th->lo : NAN;
    o->threshold_high = th->ci ? th->hi : NAN;
    set_codecs(o, e->variant, th);
}

/* Rank of a verdict for "all": the first of the strongest decides (REFUTED, then INCONCLUSIVE,
 * then CONFIRMED); "any" reverses the first and last. */
static int strength(kvq_verdict v, int any)
{
    if (v == KVQ_INCONCLUSIVE) return 1;
    return (v == KVQ_REFUTED) != any ? 2 : 0;
}

/* A prediction of one cell against one other cell (th->variant: the versus side is that single
 * cell) on the same query-averaged metric is decided by
 * the paired bootstrap over the queries (analysis/comparisons.h): *c, 1 when the run has both
 * cells' per-query values; 0 (decide by the two intervals) otherwise. */
static int paired_with(const cJSON *p, const cJSON *versus, const kvq_facts *f,
                       const char *population, const entry *e, const threshold *th,
                       kvq_comparison *c)
{
    const char *metric = get_string(p, "metric", "");
    if (!th->variant || !e->variant || strcmp(metric, get_string(versus, "metric", "")) != 0)
        return 0;
    kvq_error err;
    return kvq_compare_pair(f, population, e->variant, th->variant, metric,
                            get_number(versus, "scale", 1), c, &err) == KVQ_OK;
}

static kvq_outcome evaluate_prediction(const cJSON *p, const kvq_facts *f, const char *population,
                                       scratch *s)
{
    kvq_outcome o = {KVQ_NO_DATA, NAN, NAN, NAN, NAN, NAN, NAN, "", NAN, NAN, NAN};
    const char *op = get_string(p, "op", "=="), *aggregate = get_string(p, "aggregate", "all");
    const char *glob = get_string(p, "codec", NULL);
    const cJSON *versus = cJSON_GetObjectItemCaseSensitive(p, "versus");
    int matched = versus && cJSON_GetObjectItemCaseSensitive(versus, "matched_bits");
    size_t n = gather(f, population, glob, get_string(p, "metric", ""),
                      cJSON_GetObjectItemCaseSensitive(p, "where"), s->left);
    threshold th = {NAN, NAN, NAN, NULL, 0};
    if (!versus) th.t = th.lo = th.hi = get_number(p, "value", NAN);
    if (versus && !matched &&
        !versus_threshold(versus, f, population, NAN, s->right, s->numbers, &th))
        return o;
    if (n == 0 && strcmp(aggregate, "count") != 0) return o;
    int each = strcmp(aggregate, "all") == 0 || strcmp(aggregate, "any") == 0;
    if (!each) {
        entry e = {glob, 0, 0, 0, 0};
        size_t pick = 0;
        for (size_t i = 0; i < n; i++) {
            s->numbers[i] = s->left[i].value;
            if (strcmp(aggregate, "min") == 0 ? s->left[i].value < s->left[pick].value
                                              : s->left[i].value > s->left[pick].value)
                pick = i;
        }
        if (strcmp(aggregate, "min") == 0 || strcmp(aggregate, "max") == 0)
            e = s->left[pick];
        else
            e.value = e.lo = e.hi = n ? reduce(s->numbers, n, aggregate) : 0.0;
        if (matched) {
            double bits =
                kvq_facts_value(f, e.variant ? e.variant : "", population, "bits_per_coord_total");
            if (!versus_threshold(versus, f, population, bits, s->right, s->numbers, &th)) return o;
        }
        record(&o, decide(e.lo, e.hi, op, th.lo, th.hi), &e, &th);
        if (!e.variant || strpbrk(e.variant, "*?[")) set_codecs(&o, glob, &th);
        return o;
    }
    int any = aggregate[1] == 'n', decided = 0;
    for (size_t i = 0; i < n; i++) {
        const entry *e = &s->left[i];
        threshold mine = th;
        if (matched) {
            double bits = kvq_facts_value(f, e->variant, population, "bits_per_coord_total");
            if (!versus_threshold(versus, f, population, bits, s->right, s->numbers, &mine))
                continue;
        }
        kvq_comparison paired;
        int is_paired = versus && paired_with(p, versus, f, population, e, &mine, &paired);
        kvq_verdict v = is_paired ? decide(paired.paired.diff.lo, paired.paired.diff.hi, op, 0, 0)
                                  : decide(e->lo, e->hi, op, mine.lo, mine.hi);
        /* the strongest verdict decides; among equals, the value closest to its threshold */
        int stronger = !decided || strength(v, any) > strength(o.verdict, any) ||
                       (strength(v, any) == strength(o.verdict, any) &&
                        fabs(e->value - mine.t) < fabs(o.value - o.threshold));
        if (stronger) {
            record(&o, v, e, &mine);
            o.diff = o.diff_low = o.diff_high = NAN;
            if (is_paired)
                o.diff = paired.paired.diff.estimate, o.diff_low = paired.paired.diff.lo,
                o.diff_high = paired.paired.diff.hi;
        }
        decided = 1;
    }
    return o;
}

/* One epiphany on one population, its predictions' outcomes from first (an index into the
 * table's predictions) on. */
static kvq_verdict_cell evaluate_cell(const cJSON *epiphany, const kvq_facts *f, size_t pop,
                                      kvq_epiphany_table *t, size_t first, scratch *s)
{
    kvq_verdict_cell cell = {KVQ_NA, -1};
    size_t counts[5] = {0}, k = first, applicable = 0;
    long firsts[5] = {-1, -1, -1, -1, -1};
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(epiphany, "predictions"))
    {
        kvq_outcome *o = &t->outcomes[k * t->npopulations + pop];
        *o = (kvq_outcome){KVQ_NA, NAN, NAN, NAN, NAN, NAN, NAN, "", NAN, NAN, NAN};
        if (applies(p, f->populations[pop], f->roles[pop])) {
            *o = evaluate_prediction(p, f, f->populations[pop], s);
            if (counts[o->verdict]++ == 0) firsts[o->verdict] = (long)k;
            applicable++;
        }
        k++;
    }
    if (!applicable) return cell;
    static const kvq_verdict order[] = {KVQ_REFUTED, KVQ_INCONCLUSIVE, KVQ_NO_DATA};
    if (counts[KVQ_CONFIRMED] == applicable)
        cell.verdict = KVQ_CONFIRMED;
    else if (counts[KVQ_NO_DATA] == applicable)
        cell.verdict = KVQ_NO_DATA;
    else
        cell.verdict = counts[KVQ_REFUTED] ? KVQ_REFUTED : KVQ_INCONCLUSIVE;
    cell.decided = firsts[cell.verdict];
    for (size_t i = 0; i < 3 && cell.decided < 0; i++) cell.decided = firsts[order[i]];
    return cell;
}

int kvq_epiphany_evaluate(kvq_epiphany_table *t, cJSON *spec, const kvq_facts *facts,
                          kvq_error *err)
{
    memset(t, 0, sizeof *t);
    t->spec = spec;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(spec, "epiphanies"), *ep, *p;
    t->nepiphanies = (size_t)cJSON_GetArraySize(list);
    cJSON_ArrayForEach(ep, list) t->npredictions +=
        (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ep, "predictions"));
    t->npopulations = facts->npopulations;
    size_t ne = t->nepiphanies + 1, np = t->npredictions + 1;
    t->ids = calloc(ne, sizeof *t->ids);
    t->claim_ids = calloc(ne, sizeof *t->claim_ids);
    t->titles = calloc(ne, sizeof *t->titles);
    t->claims = calloc(ne, sizeof *t->claims);
    t->prediction_ids = calloc(np, sizeof *t->prediction_ids);
    t->metrics = calloc(np, sizeof *t->metrics);
    t->ops = calloc(np, sizeof *t->ops);
    t->epiphany_of = calloc(np, sizeof *t->epiphany_of);
    t->cells = calloc(ne * t->npopulations + 1, sizeof *t->cells);
    t->outcomes = calloc(np * t->npopulations + 1, sizeof *t->outcomes);
    scratch s = {malloc((facts->count + 1) * sizeof *s.left),
                 malloc((facts->count + 1) * sizeof *s.right),
                 malloc((facts->count + 1) * sizeof *s.numbers)};
    int ok = t->ids && t->claim_ids && t->titles && t->claims && t->prediction_ids && t->metrics &&
             t->ops && t->epiphany_of && t->cells && t->outcomes && s.left && s.right && s.numbers;
    size_t e = 0, k = 0;
    if (ok) cJSON_ArrayForEach(ep, list)
        {
            t->ids[e] = get_string(ep, "id", "");
            t->claim_ids[e] = get_string(ep, "claim_id", t->ids[e]);
            t->titles[e] = get_string(ep, "title", "");
            t->claims[e] = get_string(ep, "claim", "");
            size_t first = k, i = 0;
            cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(ep, "predictions"))
            {
                /* a prediction without an id is named by its epiphany and its place */
                const char *id = get_string(p, "id", NULL);
                if (!id) {
                    char name[96];
                    snprintf(name, sizeof name, "%.80s.%zu", t->claim_ids[e], i + 1);
                    cJSON_AddStringToObject((cJSON *)p, "id", name);
                    id = get_string(p, "id", "");
                }
                t->prediction_ids[k] = id;
                t->metrics[k] = get_string(p, "metric", "");
                t->ops[k] = get_string(p, "op", "");
                t->epiphany_of[k++] = e;
                i++;
            }
            for (size_t pop = 0; pop < t->npopulations; pop++)
                t->cells[e * t->npopulations + pop] = evaluate_cell(ep, facts, pop, t, first, &s);
            e++;
        }
    free(s.left);
    free(s.right);
    free(s.numbers);
    if (!ok) {
        kvq_epiphany_table_free(t);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory evaluating epiphanies");
    }
    return KVQ_OK;
}

void kvq_epiphany_table_free(kvq_epiphany_table *t)
{
    cJSON_Delete(t->spec);
    free(t->ids);
    free(t->claim_ids);
    free(t->titles);
    free(t->claims);
    free(t->prediction_ids);
    free(t->metrics);
    free(t->ops);
    free(t->epiphany_of);
    free(t->cells);
    free(t->outcomes);
    memset(t, 0, sizeof *t);
}
