/* kvqeval stats: a reliability calculator on any CSV of subjects x raters (header row: the raters'
 * names; one row per subject; numeric cells).
 *     kvqeval stats alpha|icc|kappa|corr|factors --csv FILE [--format table|json|csv]
 *                   [--level L] [--seed N]
 * Exit status (harness/run.h): 0 done; 2 bad arguments or bad cells (missing, non-numeric, ragged:
 * the message names the line and the column) or data the analysis cannot take; 3 unreadable
 * file. Results go to stdout only when complete, so a failure never leaves half a report. */
#include "commands.h"
#include "csv.h"
#include "kvq/factors.h"
#include "kvq/kappa.h"
#include "kvq/metrics.h"
#include "kvq/reliability.h"
#include "run.h"
#include "stats_render.h"

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
    unsigned long long seed;
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
    fputs("kvqeval stats: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nusage: kvqeval stats alpha|icc|kappa|corr|factors --csv FILE "
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
            rc = kvq_cohen_kappa(d->x, d->n, d->k, i, j, a->level, &c, err);
            if (rc) return rc;
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
    kvq_fleiss f;
    if (!rc) rc = kvq_fleiss_kappa(d->x, d->n, d->k, &f, err);
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
    double *col = malloc((5 * d->n + 1) * sizeof *col);
    if (!col) return no_memory(KVQ_ENOMEM, err);
    double *y = col + d->n, *work = y + d->n;
    int rc = KVQ_OK;
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

typedef struct analysis {
    const char *name;
    analysis_fn run;
} analysis;

static const analysis analyses[] = {
    {"alpha", run_alpha}, {"icc", run_icc},         {"kappa", run_kappa},
    {"corr", run_corr},   {"factors", run_factors}, {NULL, NULL},
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
        a->seed = strtoull(value, &end, 10);
        if (*end || !*value || value[0] == '-')
            return usage("--seed takes a non-negative integer, not '%s'", value);
    } else {
        return usage("unknown flag '%s'", flag);
    }
    return KVQ_EXIT_OK;
}

static int parse_args(int argc, char **argv, stats_args *a, analysis_fn *fn)
{
    *a = (stats_args){.format = KVQ_STATS_TABLE, .level = 0.95, .seed = 1};
    if (argc < 2) return usage("%s", "which analysis?");
    a->command = argv[1];
    for (const analysis *an = analyses; an->name; an++)
        if (!strcmp(an->name, argv[1])) *fn = an->run;
    if (!*fn)
        return usage("unknown analysis '%s' (known: alpha, icc, kappa, corr, factors)", argv[1]);
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc) return usage("flag '%s' needs a value", argv[i]);
        int rc = parse_option(a, argv[i], argv[i + 1]);
        if (rc) return rc;
    }
    if (!a->csv) return usage("%s", "--csv FILE is required");
    return KVQ_EXIT_OK;
}

/* The number in row r, column c; a missing ("", NA, NaN), non-numeric or infinite cell is an error
 * naming its line and column. */
static int cell_value(const kvq_csv_table *t, size_t r, size_t c, double *v, kvq_error *err)
{
    const char *field = kvq_csv_field(t, r, c);
    const char *why = NULL;
    if (!field[0])
        why = "missing value";
    else if (kvq_csv_parse_number(field, v))
        why = "not a number";
    else if (isnan(*v))
        why = "missing value";
    else if (!isfinite(*v))
        why = "not finite";
    if (!why) return KVQ_OK;
    return kvq_fail(err, KVQ_EFORMAT, "%s:%zu: column %zu ('%s'): %s ('%s')", t->path,
                    t->line[r + 1], c + 1, t->header[c], why, field);
}

static int to_matrix(stats_data *d, kvq_error *err)
{
    const kvq_csv_table *t = &d->csv;
    d->n = t->nrows, d->k = t->ncols;
    if (d->n == 0) return kvq_fail(err, KVQ_EFORMAT, "%s: no data rows under the header", t->path);
    d->x = malloc(d->n * d->k * sizeof *d->x);
    if (!d->x) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", t->path);
    for (size_t r = 0; r < d->n; r++)
        for (size_t c = 0; c < d->k; c++) {
            int rc = cell_value(t, r, c, &d->x[r * d->k + c], err);
            if (rc) return rc;
        }
    return KVQ_OK;
}

int kvq_stats_main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    stats_args a;
    analysis_fn fn = NULL;
    int status = parse_args(argc, argv, &a, &fn);
    if (status) return status;
    stats_data d = {0};
    kvq_stat_rows rows = {0};
    kvq_error err = {0};
    int rc = kvq_csv_read(a.csv, &d.csv, &err);
    if (!rc) rc = to_matrix(&d, &err);
    if (!rc) rc = fn(&d, &a, &rows, &err);
    kvq_stats_meta meta = {a.command, a.csv, d.n, d.k, a.level};
    if (!rc) rc = kvq_stats_render(&rows, &meta, a.format, stdout, &err);
    if (rc) {
        fprintf(stderr, "kvqeval stats %s: %s\n", a.command, err.msg);
        status = rc == KVQ_EIO ? KVQ_EXIT_IO : KVQ_EXIT_USAGE;
    }
    kvq_stat_rows_free(&rows);
    kvq_csv_free(&d.csv);
    free(d.x);
    return status;
}
