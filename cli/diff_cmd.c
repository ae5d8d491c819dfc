/* kvqeval diff RUN_A RUN_B: what differs between two runs, from their cells.csv, as CSV on stdout:
 *     change,variant,population,metric,value_a,ci_low_a,ci_high_a,value_b,ci_low_b,ci_high_b
 * change "only_a" / "only_b": a cell (variant x population) present in one run only (metric and
 * the other side empty); "moved": a metric both runs report with a 95% interval, whose intervals
 * do not overlap. Exit 0 when nothing differs, 1 when something does, 2 for a usage error or a
 * cells.csv kvqeval cannot read (named). */
#include "cli/commands.h"
#include "harness/run.h"
#include "io/csv.h"
#include "io/csv_read.h"
#include "io/message.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One row of a cells.csv: the strings point into the table. */
typedef struct entry {
    const char *variant, *population, *metric;
    double value, lo, hi;
} entry;

typedef struct side {
    kvq_csv_table t;
    entry *e;
    size_t n;
} side;

static int by_key(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->variant, y->variant);
    if (!c) c = strcmp(x->population, y->population);
    return c ? c : strcmp(x->metric, y->metric);
}

static double number(const char *field)
{
    double x;
    return kvq_csv_parse_number(field, &x) == 0 ? x : NAN;
}

static int load(side *s, const char *dir, kvq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/cells.csv", dir);
    int rc = kvq_csv_read(path, &s->t, err);
    if (rc) return rc;
    const char *names[] = {"variant", "population", "metric", "value", "ci_low", "ci_high"};
    long col[6];
    for (size_t k = 0; k < 6; k++)
        if ((col[k] = kvq_csv_column(&s->t, names[k])) < 0)
            return kvq_fail(err, KVQ_EFORMAT, "%s: no column '%s'", path, names[k]);
    if (!(s->e = malloc((s->t.nrows + 1) * sizeof *s->e)))
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
    for (size_t r = 0; r < s->t.nrows; r++) {
        entry *e = &s->e[s->n++];
        e->variant = kvq_csv_field(&s->t, r, (size_t)col[0]);
        e->population = kvq_csv_field(&s->t, r, (size_t)col[1]);
        e->metric = kvq_csv_field(&s->t, r, (size_t)col[2]);
        e->value = number(kvq_csv_field(&s->t, r, (size_t)col[3]));
        e->lo = number(kvq_csv_field(&s->t, r, (size_t)col[4]));
        e->hi = number(kvq_csv_field(&s->t, r, (size_t)col[5]));
    }
    qsort(s->e, s->n, sizeof *s->e, by_key);
    return KVQ_OK;
}

static void put_number(double x)
{
    if (!isnan(x)) kvq_csv_number(stdout, x);
}

static void row(const char *change, const entry *e, const entry *a, const entry *b)
{
    kvq_csv_text(stdout, change);
    const char *texts[] = {e->variant, e->population, a && b ? e->metric : ""};
    for (size_t k = 0; k < 3; k++) putchar(','), kvq_csv_text(stdout, texts[k]);
    const entry *sides[] = {a, b};
    for (size_t s = 0; s < 2; s++) {
        const entry *x = sides[s];
        putchar(','), put_number(x ? x->value : NAN);
        putchar(','), put_number(x ? x->lo : NAN);
        putchar(','), put_number(x ? x->hi : NAN);
    }
    putchar('\n');
}

static int same_cell(const entry *x, const entry *y)
{
    return strcmp(x->variant, y->variant) == 0 && strcmp(x->population, y->population) == 0;
}

/* 1 when cell e (its first row) has a row in s. */
static int has_cell(const side *s, const entry *e)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) { /* the first row not before e's cell */
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->e[mid].variant, e->variant);
        if (!c) c = strcmp(s->e[mid].population, e->population);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && same_cell(&s->e[lo], e);
}

/* The cells of one side missing from the other, one row each. */
static size_t only(const side *s, const side *other, const char *change, int a_side)
{
    size_t found = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (i && same_cell(&s->e[i - 1], &s->e[i])) continue;
        if (has_cell(other, &s->e[i])) continue;
        row(change, &s->e[i], a_side ? &s->e[i] : NULL, a_side ? NULL : &s->e[i]);
        found++;
    }
    return found;
}

static int disjoint(const entry *a, const entry *b)
{
    if (isnan(a->lo) || isnan(a->hi) || isnan(b->lo) || isnan(b->hi)) return 0;
    return a->hi < b->lo || b->hi < a->lo;
}

/* The metrics both sides hold whose intervals do not overlap. */
static size_t moved(const side *a, const side *b)
{
    size_t i = 0, j = 0, found = 0;
    while (i < a->n && j < b->n) {
        int c = by_key(&a->e[i], &b->e[j]);
        if (c < 0)
            i++;
        else if (c > 0)
            j++;
        else {
            if (disjoint(&a->e[i], &b->e[j])) row("moved", &a->e[i], &a->e[i], &b->e[j]), found++;
            i++, j++;
        }
    }
    return found;
}

int kvq_diff_main(int argc, char **argv)
{
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
        fputs("usage: kvqeval diff RUN_A RUN_B\n", stderr);
        return KVQ_EXIT_USAGE;
    }
    side a = {0}, b = {0};
    kvq_error err;
    int status = KVQ_EXIT_OK;
    if (load(&a, argv[1], &err) || load(&b, argv[2], &err)) {
        kvq_say("kvqeval diff: %s", err.msg);
        status = KVQ_EXIT_USAGE;
    } else {
        puts("change,variant,population,metric,value_a,ci_low_a,ci_high_a,value_b,ci_low_b,"
             "ci_high_b");
        size_t found = only(&a, &b, "only_a", 1) + only(&b, &a, "only_b", 0) + moved(&a, &b);
        status = found ? 1 : KVQ_EXIT_OK;
    }
    free(a.e);
    free(b.e);
    kvq_csv_free(&a.t);
    kvq_csv_free(&b.t);
    return status;
}
