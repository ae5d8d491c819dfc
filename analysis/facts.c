/* The facts of a finished run (analysis/facts.h). */
#include "analysis/facts.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column indices of a facts file; codec and variant are -1 in populations.csv. */
typedef struct columns {
    long codec, variant, population, role, metric, value, label; /* label: -1 in older runs */
    long ci_low, ci_high;                                        /* -1 when absent */
} columns;

static int find_columns(const kvq_csv_table *t, int per_cell, columns *c, kvq_error *err)
{
    c->codec = per_cell ? kvq_csv_column(t, "codec") : -1;
    c->variant = per_cell ? kvq_csv_column(t, "variant") : -1;
    c->population = kvq_csv_column(t, "population");
    c->role = kvq_csv_column(t, "role");
    c->metric = kvq_csv_column(t, "metric");
    c->value = kvq_csv_column(t, "value");
    c->label = kvq_csv_column(t, "label");
    c->ci_low = kvq_csv_column(t, "ci_low");
    c->ci_high = kvq_csv_column(t, "ci_high");
    if ((per_cell && (c->codec < 0 || c->variant < 0)) || c->population < 0 || c->role < 0 ||
        c->metric < 0 || c->value < 0)
        return kvq_fail(err, KVQ_EFORMAT,
                        "%s: lacks one of the columns %spopulation, role, metric, value", t->path,
                        per_cell ? "codec, variant, " : "");
    return KVQ_OK;
}

static int add_population(kvq_facts *f, const char *population, const char *role, const char *label)
{
    for (size_t i = 0; i < f->npopulations; i++)
        if (strcmp(f->populations[i], population) == 0) return 0;
    const char **p = realloc(f->populations, (f->npopulations + 1) * sizeof *p);
    if (p) f->populations = p;
    const char **r = realloc(f->roles, (f->npopulations + 1) * sizeof *r);
    if (r) f->roles = r;
    const char **l = realloc(f->labels, (f->npopulations + 1) * sizeof *l);
    if (l) f->labels = l;
    if (!p || !r || !l) return -1;
    f->populations[f->npopulations] = population;
    f->labels[f->npopulations] = label;
    f->roles[f->npopulations++] = role;
    return 0;
}

static int add_rows(kvq_facts *f, const kvq_csv_table *t, int per_cell, kvq_error *err)
{
    columns c;
    int rc = find_columns(t, per_cell, &c, err);
    if (rc) return rc;
    kvq_fact *grown = realloc(f->items, (f->count + t->nrows + 1) * sizeof *grown);
    if (!grown) return kvq_fail(err, KVQ_ENOMEM, "out of memory reading %s", t->path);
    f->items = grown;
    for (size_t r = 0; r < t->nrows; r++) {
        kvq_fact *x = &f->items[f->count];
        const char *value = kvq_csv_field(t, r, (size_t)c.value);
        if (kvq_csv_parse_number(value, &x->value))
            return kvq_fail(err, KVQ_EFORMAT, "%s:%zu: value '%s' is not a number", t->path,
                            t->line[r + 1], value);
        x->ci_low = x->ci_high = NAN;
        if (c.ci_low >= 0 && c.ci_high >= 0 &&
            (kvq_csv_parse_number(kvq_csv_field(t, r, (size_t)c.ci_low), &x->ci_low) ||
             kvq_csv_parse_number(kvq_csv_field(t, r, (size_t)c.ci_high), &x->ci_high)))
            x->ci_low = x->ci_high = NAN;
        x->codec = per_cell ? kvq_csv_field(t, r, (size_t)c.codec) : "";
        x->variant = per_cell ? kvq_csv_field(t, r, (size_t)c.variant) : "";
        x->population = kvq_csv_field(t, r, (size_t)c.population);
        x->role = kvq_csv_field(t, r, (size_t)c.role);
        x->metric = kvq_csv_field(t, r, (size_t)c.metric);
        const char *label = c.label >= 0 ? kvq_csv_field(t, r, (size_t)c.label) : x->population;
        if (add_population(f, x->population, x->role, label[0] ? label : x->population))
            return kvq_fail(err, KVQ_ENOMEM, "out of memory reading %s", t->path);
        f->count++;
    }
    return KVQ_OK;
}

static int index_queries(kvq_facts *f, kvq_error *err)
{
    const kvq_csv_table *t = &f->queries;
    long cp = kvq_csv_column(t, "population"), cv = kvq_csv_column(t, "variant");
    if (cp < 0 || cv < 0)
        return kvq_fail(err, KVQ_EFORMAT, "%s: lacks the column population or variant", t->path);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *pop = kvq_csv_field(t, r, (size_t)cp), *var = kvq_csv_field(t, r, (size_t)cv);
        kvq_facts_cell *last = f->nquery_cells ? &f->query_cells[f->nquery_cells - 1] : NULL;
        if (last && strcmp(last->population, pop) == 0 && strcmp(last->variant, var) == 0) {
            last->count++;
            continue;
        }
        kvq_facts_cell *grown = realloc(f->query_cells, (f->nquery_cells + 1) * sizeof *grown);
        if (!grown) return kvq_fail(err, KVQ_ENOMEM, "out of memory reading %s", t->path);
        f->query_cells = grown;
        f->query_cells[f->nquery_cells++] = (kvq_facts_cell){pop, var, r, 1};
    }
    return KVQ_OK;
}

long kvq_facts_queries(const kvq_facts *facts, const char *variant, const char *population,
                       const char *metric, double **x)
{
    *x = NULL;
    long c = kvq_csv_column(&facts->queries, metric);
    for (size_t i = 0; c >= 0 && i < facts->nquery_cells; i++) {
        const kvq_facts_cell *cell = &facts->query_cells[i];
        if (strcmp(cell->population, population) != 0 || strcmp(cell->variant, variant) != 0)
            continue;
        if (!(*x = malloc((cell->count + 1) * sizeof **x))) return -1;
        for (size_t q = 0; q < cell->count; q++)
            if (kvq_csv_parse_number(kvq_csv_field(&facts->queries, cell->first + q, (size_t)c),
                                     &(*x)[q]))
                (*x)[q] = NAN;
        return (long)cell->count;
    }
    return 0;
}

/* Reads dir/name into t when it exists (else leaves t empty): 1 when read, 0 when absent. */
static int read_optional(const char *dir, const char *name, kvq_csv_table *t, int *rc,
                         kvq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *rc = kvq_csv_read(path, t, err);
    if (*rc == KVQ_EIO && errno == ENOENT) *rc = KVQ_OK;
    return !*rc && t->header;
}

int kvq_facts_load(kvq_facts *facts, const char *dir, kvq_error *err)
{
    memset(facts, 0, sizeof *facts);
    char path[4200];
    snprintf(path, sizeof path, "%s/cells.csv", dir);
    int rc = kvq_csv_read(path, &facts->cells, err);
    if (!rc) rc = add_rows(facts, &facts->cells, 1, err);
    if (!rc && read_optional(dir, "populations.csv", &facts->pops, &rc, err))
        rc = add_rows(facts, &facts->pops, 0, err);
    if (!rc && read_optional(dir, "queries.csv", &facts->queries, &rc, err))
        rc = index_queries(facts, err);
    if (rc) kvq_facts_free(facts);
    return rc;
}

void kvq_facts_free(kvq_facts *facts)
{
    free(facts->items);
    free(facts->populations);
    free(facts->roles);
    free(facts->labels);
    kvq_csv_free(&facts->cells);
    kvq_csv_free(&facts->pops);
    kvq_csv_free(&facts->queries);
    free(facts->query_cells);
    memset(facts, 0, sizeof *facts);
}

int kvq_facts_population_matches(const kvq_facts *facts, size_t p, const char *glob)
{
    return fnmatch(glob, facts->labels[p], 0) == 0 || fnmatch(glob, facts->populations[p], 0) == 0;
}

double kvq_facts_value(const kvq_facts *facts, const char *variant, const char *population,
                       const char *metric)
{
    for (size_t i = 0; i < facts->count; i++) {
        const kvq_fact *x = &facts->items[i];
        if (strcmp(x->variant, variant) == 0 && strcmp(x->population, population) == 0 &&
            strcmp(x->metric, metric) == 0)
            return x->value;
    }
    return NAN;
}
