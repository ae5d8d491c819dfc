/* Error structure of a population's codecs (analysis/error_structure.h).
 * Known answer (tests/test_error_structure.c, from R psych): on tests/golden/error_structure.csv,
 * two families of codecs that err together and one that errs alone, the eigenvalues, the parallel
 * count (2), psych::principal(x, 2, rotate = "varimax") loadings and the hclust tree. */
#include "analysis/error_structure.h"
#include "kvq/population_key.h"
#include "kvq/varimax.h"

#include <float.h>
#include <gsl/gsl_eigen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kvq_error_structure_free(kvq_error_structure *s)
{
    kvq_factors_free(&s->factors);
    free(s->loadings);
    kvq_hclust_free(&s->tree);
    *s = (kvq_error_structure){0};
}

/* The first m principal components of the k x k correlations corr as loadings (k x m, row-major):
 * eigenvector j times the square root of its eigenvalue, at least DBL_EPSILON as psych takes it
 * (GSL gsl_eigen_symmv). */
static int principal(const double *corr, size_t k, size_t m, double *loadings, kvq_error *err)
{
    gsl_matrix *a = gsl_matrix_alloc(k, k), *vec = gsl_matrix_alloc(k, k);
    gsl_vector *val = gsl_vector_alloc(k);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(k);
    int rc = KVQ_OK;
    if (!a || !vec || !val || !w)
        rc = kvq_fail(err, KVQ_ENOMEM, "error structure: no memory for %zu codecs", k);
    if (!rc) {
        memcpy(a->data, corr, k * k * sizeof *corr); /* a fresh k x k matrix is contiguous */
        if (gsl_eigen_symmv(a, val, vec, w) ||
            gsl_eigen_symmv_sort(val, vec, GSL_EIGEN_SORT_VAL_DESC))
            rc = kvq_fail(err, KVQ_EINTERNAL,
                          "error structure: eigen-decomposition of %zu x %zu failed", k, k);
    }
    for (size_t j = 0; !rc && j < m; j++) {
        double root = sqrt(fmax(gsl_vector_get(val, j), DBL_EPSILON));
        for (size_t i = 0; i < k; i++) loadings[i * m + j] = gsl_matrix_get(vec, i, j) * root;
    }
    if (w) gsl_eigen_symmv_free(w);
    gsl_vector_free(val);
    gsl_matrix_free(vec);
    gsl_matrix_free(a);
    return rc;
}

/* Signs each column of l (k x m) so that it sums >= 0. */
static void sign_columns(double *l, size_t k, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        double sum = 0.0;
        for (size_t i = 0; i < k; i++) sum += l[i * m + j];
        if (sum < 0.0)
            for (size_t i = 0; i < k; i++) l[i * m + j] = -l[i * m + j];
    }
}

/* Orders the columns of l (k x m) by decreasing sum of squares, equals in their order (R's
 * order(decreasing = TRUE)); copy holds k x m values, ss and order m each. */
static void order_columns(double *l, size_t k, size_t m, double *copy, double *ss, size_t *order)
{
    for (size_t j = 0; j < m; j++) {
        ss[j] = 0.0, order[j] = j;
        for (size_t i = 0; i < k; i++) ss[j] += l[i * m + j] * l[i * m + j];
    }
    for (size_t j = 1; j < m; j++) /* insertion sort, stable: m is small */
        for (size_t i = j; i > 0 && ss[order[i]] > ss[order[i - 1]]; i--) {
            size_t t = order[i];
            order[i] = order[i - 1], order[i - 1] = t;
        }
    memcpy(copy, l, k * m * sizeof *l);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < m; j++) l[i * m + j] = copy[i * m + order[j]];
}

/* The loadings as psych::principal(x, m, rotate = "varimax") gives them: the components signed,
 * rotated (m > 1), ordered by decreasing sum of squares and signed again. */
static int rotated_loadings(kvq_error_structure *s, kvq_error *err)
{
    size_t k = s->k, m = s->retained;
    double *copy = malloc((k * m + m) * sizeof *copy);
    size_t *order = malloc(m * sizeof *order);
    s->loadings = malloc(k * m * sizeof *s->loadings);
    int rc = copy && order && s->loadings
                 ? principal(s->factors.corr, k, m, s->loadings, err)
                 : kvq_fail(err, KVQ_ENOMEM, "error structure: no memory for %zu codecs", k);
    if (!rc) sign_columns(s->loadings, k, m);
    if (!rc && m > 1) rc = kvq_varimax(s->loadings, k, m, NULL, err);
    if (!rc) order_columns(s->loadings, k, m, copy, copy + k * m, order);
    if (!rc) sign_columns(s->loadings, k, m);
    free(copy), free(order);
    return rc;
}

static int cluster(kvq_error_structure *s, kvq_error *err)
{
    size_t k = s->k;
    double *dist = malloc(k * k * sizeof *dist);
    if (!dist) return kvq_fail(err, KVQ_ENOMEM, "error structure: no memory for %zu codecs", k);
    for (size_t i = 0; i < k * k; i++) dist[i] = 1.0 - s->factors.corr[i];
    int rc = kvq_hclust_average(dist, k, &s->tree, err);
    free(dist);
    return rc;
}

int kvq_error_structure_compute(const double *errors, size_t n, size_t k, size_t sims, kvq_rng *rng,
                                kvq_error_structure *out, kvq_error *err)
{
    kvq_error_structure s = {.n = n, .k = k};
    int rc = kvq_factors_compute(errors, n, k, sims, rng, &s.factors, err);
    if (rc) return rc;
    s.retained = s.factors.parallel > 1 ? s.factors.parallel : 1;
    rc = rotated_loadings(&s, err);
    if (!rc) rc = cluster(&s, err);
    if (rc)
        kvq_error_structure_free(&s);
    else
        *out = s;
    return rc;
}

/* Where the rows of one population go. */
typedef struct rows_of {
    kvq_stat_rows *rows;
    size_t p;
    int oom;
} rows_of;

static void row(rows_of *r, const char *analysis, const char *item, const char *statistic,
                double value)
{
    if (kvq_stat_add(r->rows, r->p, analysis, item, statistic, value, NAN, NAN)) r->oom = 1;
}

/* The rows of the analysis of the codecs named name[0..k) (README, "The psychometric layer"). */
static void structure_rows(rows_of *r, const kvq_error_structure *s, const char *const *name)
{
    char stat[32];
    size_t k = s->k, m = s->retained;
    for (size_t j = 0; j < k; j++) {
        snprintf(stat, sizeof stat, "eigenvalue_%zu", j + 1);
        row(r, "error_scree", "", stat, s->factors.eigenvalues[j]);
        snprintf(stat, sizeof stat, "simulated_%zu", j + 1);
        row(r, "error_scree", "", stat, s->factors.parallel_mean[j]);
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < m; j++) {
            snprintf(stat, sizeof stat, "factor%zu", j + 1);
            row(r, "error_loading", name[i], stat, s->loadings[i * m + j]);
        }
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++) {
            snprintf(stat, sizeof stat, "r_%zu", j + 1);
            row(r, "error_correlation", name[i], stat, s->factors.corr[i * k + j]);
        }
}

static void cluster_rows(rows_of *r, const kvq_error_structure *s, const char *const *name,
                         size_t *cluster)
{
    char stat[32];
    size_t k = s->k, clusters = kvq_hclust_cut(&s->tree, KVQ_ERROR_CUT_HEIGHT, cluster);
    for (size_t i = 0; i < k; i++) {
        row(r, "error_cluster", name[i], "item", (double)(i + 1));
        row(r, "error_cluster", name[s->tree.order[i]], "order", (double)(i + 1));
        row(r, "error_cluster", name[i], "cluster", (double)cluster[i]);
    }
    for (size_t t = 0; t + 1 < k; t++) {
        snprintf(stat, sizeof stat, "merge_%zu_a", t + 1);
        row(r, "error_cluster", "", stat, (double)s->tree.merge[2 * t]);
        snprintf(stat, sizeof stat, "merge_%zu_b", t + 1);
        row(r, "error_cluster", "", stat, (double)s->tree.merge[2 * t + 1]);
        snprintf(stat, sizeof stat, "height_%zu", t + 1);
        row(r, "error_cluster", "", stat, s->tree.height[t]);
    }
    row(r, "error_summary", "", "factors_parallel", (double)s->factors.parallel);
    row(r, "error_summary", "", "factors_retained", (double)s->retained);
    row(r, "error_summary", "", "first_share", s->factors.first_share);
    row(r, "error_summary", "", "cut_height", KVQ_ERROR_CUT_HEIGHT);
    row(r, "error_summary", "", "clusters", (double)clusters);
}

/* 1 when column c of x (n x k) takes one value only. */
static int constant_column(const double *x, size_t n, size_t k, size_t c)
{
    for (size_t s = 1; s < n; s++)
        if (x[s * k + c] != x[c]) return 0;
    return 1;
}

/* The errors of the k variants into e (n x k), the varying ones moved to the front in order and
 * their names to name; returns how many vary. The others are named in error_summary rows. */
static size_t gather(const kvq_run *run, size_t p, const size_t *variant, size_t k, double *e,
                     const char **name, rows_of *r)
{
    const kvq_reference *ref = &run->refs[p];
    size_t n = ref->nsubjects, kept = 0;
    for (size_t i = 0; i < k; i++) {
        const kvq_cell *c = kvq_run_cell(run, p, variant[i]);
        for (size_t s = 0; s < n; s++)
            e[s * k + kept] = c->subject_score[s] - ref->subject_exact[s];
        if (constant_column(e, n, k, kept))
            row(r, "error_summary", c->variant, "zero_variance", 1.0);
        else
            name[kept++] = c->variant;
    }
    row(r, "error_summary", "", "codecs", (double)kept);
    row(r, "error_summary", "", "excluded", (double)(k - kept));
    return kept;
}

/* e (n x k) with only its first kept columns, packed to n x kept. */
static void pack(double *e, size_t n, size_t k, size_t kept)
{
    for (size_t s = 0; s < n; s++)
        for (size_t i = 0; i < kept; i++) e[s * kept + i] = e[s * k + i];
}

int kvq_error_structure_run(const kvq_run *run, size_t p, const size_t *variant, size_t k,
                            kvq_stat_rows *rows, kvq_error *err)
{
    rows_of r = {.rows = rows, .p = p};
    size_t n = run->refs[p].nsubjects;
    double *e = malloc((n * k + 1) * sizeof *e);
    const char **name = malloc((k + 1) * sizeof *name);
    size_t *cluster = malloc((k + 1) * sizeof *cluster);
    int rc = e && name && cluster ? KVQ_OK : KVQ_ENOMEM;
    size_t kept = rc ? 0 : gather(run, p, variant, k, e, name, &r);
    if (!rc && kept >= 2 && kvq_factors_check(n, kept, KVQ_ERROR_PARALLEL_SIMS, NULL) == KVQ_OK) {
        kvq_rng rng;
        kvq_population_stream(&rng, run->spec.seed, "error_parallel", &run->pops[p]);
        pack(e, n, k, kept);
        kvq_error_structure s;
        kvq_error why;
        rc = kvq_error_structure_compute(e, n, kept, KVQ_ERROR_PARALLEL_SIMS, &rng, &s, &why);
        if (rc == KVQ_OK) {
            structure_rows(&r, &s, name);
            cluster_rows(&r, &s, name, cluster);
            kvq_error_structure_free(&s);
        }
        rc = rc == KVQ_ENOMEM ? rc : KVQ_OK; /* an analysis that cannot run is left out */
    }
    free(e), free(name), free(cluster);
    if (rc || r.oom)
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory in the error structure",
                        run->pops[p].name);
    return KVQ_OK;
}
