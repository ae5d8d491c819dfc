/* kvqeval stats: a reliability calculator on any CSV of subjects x raters (header row: the raters'
 * names; one row per subject; numeric cells).
 *     kvqeval stats alpha|icc|kappa|corr|factors --csv FILE [--format table|json|csv]
 *                   [--level L] [--seed N]
 * Exit status (harness/run.h): 0 done; 2 bad arguments or bad cells (missing, non-numeric, ragged:
 * the message names the line and the column), data the analysis cannot take, or sizes that do not
 * fit (more items than factors takes, or more memory than the limits in force: refused before the
 * matrices are built, naming the size and the limit); 3 unreadable file or unwritable results.
 * Results go to stdout only when complete, so a failure never leaves half a report. */
#include "cli/commands.h"
#include "harness/run.h"
#include "io/csv_read.h"
#include "io/message.h"
#include "kvq/factors.h"
#include "kvq/kappa.h"
#include "kvq/memory.h"
#include "kvq/metrics.h"
#include "kvq/params.h"
#include "kvq/reliability.h"
#include "report/stats_render.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARALLEL_SIMS 20

typedef struct stats_args {
    const char *command, *csv;
    kvq_stats_format format;
    double level;
    uint64_t seed;
} stats_args;

/* The data: n subjects x k raters, row-major, with the raters' names. */
typedef struct stats_data {
    kvq_csv_table csv;
    size_t n, k;
    double *x;
} stats_data;

typedef int (*analysis_fn)(const stats_data *d, const stats_args *a, kvq_stat_rows *rows,
                           kvq_error *err);

static int usage(const char *fmt, const char *arg)
{
    char text[4096];
    snprintf(text, sizeof text, fmt, arg);
    kvq_say("kvqeval stats: %s", text);
    fputs("usage: kvqeval stats alpha|icc|kappa|corr|factors --csv FILE "
          "[--format table|json|csv] [--level L] [--seed N]\n",
          stderr);
    return KVQ_EXIT_USAGE;
}

/* Adds a row without interval; a failure to grow is remembered in *rc. */
static void add(kvq_stat_rows *rows, const char *analysis, const char *item, const char *stat,
                double value, double lo, double hi, int *rc)
{
    if (!*rc && kvq_stat_add(rows, 0, analysis, item, stat, value, lo, hi)) *rc = KVQ_ENOMEM;
}

static void add_value(kvq_stat_rows *rows, const char *analysis, const char *item, const char *stat,
                      double value, int *rc)
{
    add(rows, analysis, item, stat, value, NAN, NAN, rc);
}

static int no_memory(int rc, kvq_error *err)
{
    return rc ? kvq_fail(err, KVQ_ENOMEM, "stats: out of memory") : KVQ_OK;
}

/* ---- the five analyses ---- */

static int run_alpha(const stats_data *d, const stats_args *a, kvq_stat_rows *rows, kvq_error *err)
{
    kvq_alpha al;
    kvq_alpha_item *items = malloc(d->k * sizeof *items);
    if (!items) return no_memory(KVQ_ENOMEM, err);
    int rc = kvq_alpha_compute(d->x, d->n, d->k, a->level, &al, items, err);
    if (rc) {
        free(items);
        return rc;
    }
    add(rows, "alpha", "", "raw_alpha", al.raw, al.feldt_lo, al.feldt_hi, &rc);
    add_value(rows, "alpha", "", "std_alpha", al.std, &rc);
    add_value(rows, "alpha", "", "average_r", al.average_r, &rc);
    for (size_t i = 0; i < d->k; i++) {
        const char *name = d->csv.header[i];
        add_value(rows, "alpha_if_deleted", name, "raw_alpha", items[i].raw_alpha, &rc);
        add_value(rows, "alpha_if_deleted", name, "std_alpha", items[i].std_alpha, &rc);
        add_value(rows, "alpha_if_deleted", name, "average_r", items[i].average_r, &rc);
        add_value(rows, "alpha_if_deleted", name, "r_drop", items[i].r_drop, &rc);
    }
    free(items);
    return no_memory(rc, err);
}

static int run_icc(const stats_data *d, const stats_args *a, kvq_stat_rows *rows, kvq_error *err)
{
    kvq_icc icc;
    int rc = kvq_icc_compute(d->x, d->n, d->k, a->level, &icc, err);
    if (rc) return rc;
    for (int t = 0; t < KVQ_ICC_FORMS; t++) {
        const kvq_icc_form *f = &icc.form[t];
        const char *name = kvq_icc_name((kvq_icc_type)t);
        add(rows, "icc", name, "icc", f->icc, f->lo, f->hi, &rc);
        add_value(rows, "icc", name, "F", f->f, &rc);
        add_value(rows, "icc", name, "df1", f->df1, &rc);
        add_value(rows, "icc", name, "df2", f->df2, &rc);
        add_value(rows, "icc", name, "p", f->p, &rc);
    }
    add_value(rows, "mean_squares", "", "subjects", icc.msb, &rc);
    add_value(rows, "mean_squares", "", "within", icc.msw, &rc);
    add_value(rows, "mean_squares", "", "raters", icc.msj, &rc);
    add_value(rows, "mean_squares", "", "residual", icc.mse, &rc);
    return no_memory(rc, err);
}

static void pair_name(const stats_data *d, size_t i, size_t j, char *buf, size_t size)
{
    snprintf(buf, size, "%s~%s", d->csv.header[i], d->csv.header[j]);
}

static int run_kappa(const stats_data *d, const stats_args *a, kvq_stat_rows *rows, kvq_error *err)
{
    int rc = KVQ_OK;
    for (size_t i = 0; !rc && i < d->k; i++)
        for (size_t j = i + 1; !rc && j < d->k; j++) {
            kvq_cohen c;
            int crc = kvq_cohen_kappa(d->x, d->n, d->k, i, j, a->level, &c, err);
            if (crc) return crc;
            char name[128];
            pair_name(d, i, j, name, sizeof name);
            for (int w = 0; w < KVQ_KAPPA_WEIGHTS; w++) {
                const kvq_kappa_value *v = &c.w[w];
                add(rows, "cohen_kappa", name, kvq_kappa_weight_name((kvq_kappa_weight)w), v->kappa,
                    v->lo, v->hi, &rc);
            }
            for (int w = 0; w < KVQ_KAPPA_WEIGHTS; w++) {
                char se[32];
                snprintf(se, sizeof se, "se_%s", kvq_kappa_weight_name((kvq_kappa_weight)w));
                add_value(rows, "cohen_kappa", name, se, c.w[w].se, &rc);
            }
            add_value(rows, "cohen_kappa", name, "categories", (double)c.categories, &rc);
        }
    if (rc) return no_memory(rc, err); /* a row could not be added */
    kvq_fleiss f;
    rc = kvq_fleiss_kappa(d->x, d->n, d->k, &f, err);
    if (rc) return rc;
    add_value(rows, "fleiss_kappa", "", "kappa", f.kappa, &rc);
    add_value(rows, "fleiss_kappa", "", "p_observed", f.p_observed, &rc);
    add_value(rows, "fleiss_kappa", "", "p_chance", f.p_chance, &rc);
    add_value(rows, "fleiss_kappa", "", "categories", (double)f.categories, &rc);
    return no_memory(rc, err);
}

static int run_corr(const stats_data *d, const stats_args *a, kvq_stat_rows *rows, kvq_error *err)
{
    (void)a;
    int rc = kvq_memory_check((5.0 * (double)d->n + 1.0) * sizeof(double),
                              "corr: the columns of a pair and their ranks", err);
    if (rc) return rc;
    double *col = malloc((5 * d->n + 1) * sizeof *col);
    if (!col) return no_memory(KVQ_ENOMEM, err);
    double *y = col + d->n, *work = y + d->n;
    for (size_t i = 0; i < d->k; i++)
        for (size_t j = i + 1; j < d->k; j++) {
            for (size_t s = 0; s < d->n; s++)
                col[s] = d->x[s * d->k + i], y[s] = d->x[s * d->k + j];
            char name[128];
            pair_name(d, i, j, name, sizeof name);
            add_value(rows, "correlation", name, "pearson", kvq_pearson(col, y, d->n), &rc);
            add_value(rows, "correlation", name, "spearman", kvq_spearman(col, y, d->n, work), &rc);
            add_value(rows, "correlation", name, "kendall_tau_b",
                      kvq_kendall_tau_b(col, y, d->n, work), &rc);
        }
    free(col);
    return no_memory(rc, err);
}

static int run_factors(const stats_data *d, const stats_args *a, kvq_stat_rows *rows,
                       kvq_error *err)
{
    kvq_rng rng;
    kvq_rng_seed(&rng, a->seed, KVQ_RNG_DEFAULT_STREAM);
    kvq_factors f;
    int rc = kvq_factors_compute(d->x, d->n, d->k, PARALLEL_SIMS, &rng, &f, err);
    if (rc) return rc;
    add_value(rows, "factors", "", "first_share", f.first_share, &rc);
    add_value(rows, "factors", "", "kaiser", (double)f.kaiser, &rc);
    add_value(rows, "factors", "", "parallel", (double)f.parallel, &rc);
    for (size_t j = 0; j < d->k; j++) {
        char rank[32];
        snprintf(rank, sizeof rank, "%zu", j + 1);
        add_value(rows, "eigenvalues", rank, "eigenvalue", f.eigenvalues[j], &rc);
        add_value(rows, "eigenvalues", rank, "simulated_mean", f.parallel_mean[j], &rc);
    }
    for (size_t j = 0; j < d->k; j++)
        add_value(rows, "first_factor", d->csv.header[j], "loading", f.loadings[j], &rc);
    kvq_factors_free(&f);
    return no_memory(rc, err);
}

/* ---- arguments and data ---- */

/* factors: the cap on items and the memory, checked from the sizes alone. */
static int check_factors(size_t n, size_t k, kvq_error *err)
{
    return kvq_factors_check(n, k, PARALLEL_SIMS, err);
}

/* An analysis, what it checks before the data matrix is built, and the rows it adds: fixed, plus
 * per_item for each rater, plus per_pair for each of the k(k-1)/2 pairs of raters (so that the
 * table of results is checked and reserved whole before any work). */
typedef struct analysis {
    const char *name;
    analysis_fn run;
    int (*check)(size_t n, size_t k, kvq_error *err); /* NULL: nothing beyond the rows */
    double fixed, per_item, per_pair;
} analysis;

static const analysis analyses[] = {
    {"alpha", run_alpha, NULL, 3, 4, 0},
    {"icc", run_icc, NULL, 5 * KVQ_ICC_FORMS + 4, 0, 0},
    {"kappa", run_kappa, NULL, 4, 0, 2 * KVQ_KAPPA_WEIGHTS + 1},
    {"corr", run_corr, NULL, 0, 0, 3},
    {"factors", run_factors, check_factors, 3, 3, 0},
    {NULL, NULL, NULL, 0, 0, 0},
};

static int parse_option(stats_args *a, const char *flag, const char *value)
{
    char *end;
    if (!strcmp(flag, "--csv")) {
        a->csv = value;
    } else if (!strcmp(flag, "--format")) {
        if (!strcmp(value, "table"))
            a->format = KVQ_STATS_TABLE;
        else if (!strcmp(value, "json"))
            a->format = KVQ_STATS_JSON;
        else if (!strcmp(value, "csv"))
            a->format = KVQ_STATS_CSV;
        else
            return usage("--format takes table, json or csv, not '%s'", value);
    } else if (!strcmp(flag, "--level")) {
        a->level = strtod(value, &end);
        if (*end || !(a->level > 0.0 && a->level < 1.0))
            return usage("--level takes a number strictly between 0 and 1, not '%s'", value);
    } else if (!strcmp(flag, "--seed")) {
        if (kvq_parse_seed(value, &a->seed))
            return usage("--seed takes an integer in [0, 2^53), not '%s'", value);
    } else {
        return usage("unknown flag '%s'", flag);
    }
    return KVQ_EXIT_OK;
}

static int parse_args(int argc, char **argv, stats_args *a, const analysis **an)
{
    *a = (stats_args){.format = KVQ_STATS_TABLE, .level = 0.95, .seed = 1};
    if (argc < 2) return usage("%s", "which analysis?");
    a->command = argv[1];
    for (const analysis *it = analyses; it->name; it++)
        if (!strcmp(it->name, argv[1])) *an = it;
    if (!*an)
        return usage("unknown analysis '%s' (known: alpha, icc, kappa, corr, factors)", argv[1]);
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc) return usage("flag '%s' needs a value", argv[i]);
        int rc = parse_option(a, argv[i], argv[i + 1]);
        if (rc) return rc;
    }
    if (!a->csv) return usage("%s", "--csv FILE is required");
    return KVQ_EXIT_OK;
}

/* The number in row r, column c; a missing (empty, NA, or NaN in any spelling), non-numeric,
 * overflowing or infinite (in any spelling) cell is an error naming its line and column. */
static int cell_value(const kvq_csv_table *t, size_t r, size_t c, double *v, kvq_error *err)
{
    const char *field = kvq_csv_field(t, r, c);
    const char *why = NULL;
    int parsed = kvq_csv_parse_number(field, v);
    if (!field[0] || (!parsed && isnan(*v)))
        why = "missing value";
    else if (parsed == KVQ_CSV_OVERFLOW)
        why = "too large for a double";
    else if (parsed)
        why = "not a number";
    else if (isinf(*v))
        why = "not finite";
    if (!why) return KVQ_OK;
    return kvq_fail(err, KVQ_EFORMAT, "%s:%zu: column %zu ('%s'): %s ('%s')", t->path,
                    t->line[r + 1], c + 1, t->header[c], why, field);
}

static int to_matrix(stats_data *d, kvq_error *err)
{
    const kvq_csv_table *t = &d->csv;
    char what[96];
    snprintf(what, sizeof what, "the %zu x %zu data matrix", d->n, d->k);
    int rc = kvq_memory_check((double)d->n * (double)d->k * sizeof *d->x, what, err);
    if (rc) return rc;
    d->x = malloc(d->n * d->k * sizeof *d->x);
    if (!d->x) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", what);
    for (size_t r = 0; !rc && r < d->n; r++)
        for (size_t c = 0; !rc && c < d->k; c++) rc = cell_value(t, r, c, &d->x[r * d->k + c], err);
    return rc;
}

/* Checks and allocates the whole table of results at once, so that an analysis whose output
 * cannot fit (the pairs of many raters) is refused before it starts, and no row is added by
 * growing the table. */
static int reserve_rows(const analysis *an, size_t k, kvq_stat_rows *rows, kvq_error *err)
{
    double dk = (double)k, count = an->fixed + an->per_item * dk + an->per_pair * dk * (dk - 1) / 2;
    char what[96];
    snprintf(what, sizeof what, "the table of %.0f result rows", count);
    int rc = kvq_memory_check(count * sizeof *rows->items, what, err);
    if (rc) return rc;
    size_t cap = count > 1.0 ? (size_t)count : 1; /* corr of one rater has no rows */
    rows->items = malloc(cap * sizeof *rows->items);
    if (!rows->items) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", what);
    rows->cap = cap;
    return KVQ_OK;
}

/* Reads the CSV and runs the analysis: the sizes are checked (the analysis's own limits, the data
 * matrix, the table of results) before any matrix is built. */
static int run_analysis(const analysis *an, const stats_args *a, stats_data *d, kvq_stat_rows *rows,
                        kvq_error *err)
{
    int rc = kvq_csv_read(a->csv, &d->csv, err);
    if (rc) return rc;
    d->n = d->csv.nrows, d->k = d->csv.ncols;
    if (d->n == 0)
        return kvq_fail(err, KVQ_EFORMAT, "%s: no data rows under the header", d->csv.path);
    if (an->check) rc = an->check(d->n, d->k, err);
    if (!rc) rc = to_matrix(d, err);
    if (!rc) rc = reserve_rows(an, d->k, rows, err);
    if (!rc) rc = an->run(d, a, rows, err);
    return rc;
}

int kvq_stats_main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    stats_args a;
    const analysis *an = NULL;
    int status = parse_args(argc, argv, &a, &an);
    if (status) return status;
    stats_data d = {0};
    kvq_stat_rows rows = {0};
    kvq_error err = {0};
    int rc = run_analysis(an, &a, &d, &rows, &err);
    kvq_stats_meta meta = {a.command, a.csv, d.n, d.k, a.level};
    if (!rc) rc = kvq_stats_render(&rows, &meta, a.format, stdout, &err);
    if (rc) {
        /* Every failure names its cause; the status name is a last resort, never an empty line. */
        kvq_say("kvqeval stats %s: %s", a.command, err.msg[0] ? err.msg : kvq_status_name(rc));
        status = rc == KVQ_EIO ? KVQ_EXIT_IO : KVQ_EXIT_USAGE;
    }
    kvq_stat_rows_free(&rows);
    kvq_csv_free(&d.csv);
    free(d.x);
    return status;
}
