/* Principal directions (backends/pca.h), exact and randomised, against numpy.linalg.svd of the
 * same matrix (tests/golden/gen_codecs2.py), plus the rank-by-variance rule and refusals. */
#include "backends/pca.h"
#include "test_codecs2.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

typedef struct golden_pca {
    cJSON *json;
    size_t n, dim, rank;
    float *rows;
    double *var, *dir; /* numpy: all dim variances, dim x dim directions (rows) */
} golden_pca;

static void golden_load(golden_pca *g)
{
    g->json = kvq_test_golden("codecs2.json");
    const cJSON *p = cJSON_GetObjectItem(g->json, "pca");
    size_t count, nvar, ndir;
    double *rows = kvq_test_doubles(cJSON_GetObjectItem(p, "rows"), &count);
    g->var = kvq_test_doubles(cJSON_GetObjectItem(p, "variances"), &nvar);
    g->dir = kvq_test_doubles(cJSON_GetObjectItem(p, "directions"), &ndir);
    g->n = (size_t)kvq_test_num(p, "n");
    g->dim = (size_t)kvq_test_num(p, "dim");
    g->rank = (size_t)kvq_test_num(p, "rank");
    cr_assert_eq(count, g->n * g->dim);
    cr_assert_eq(nvar, g->dim);
    g->rows = malloc(count * sizeof *g->rows);
    for (size_t i = 0; i < count; i++) g->rows[i] = (float)rows[i];
    free(rows);
}

static void golden_free(golden_pca *g)
{
    cJSON_Delete(g->json);
    free(g->rows);
    free(g->var);
    free(g->dir);
}

/* Fits rank directions with o to the golden rows times scale and compares variances (numpy's
 * times scale^2, relative tol) and directions (numpy's, |cos|). */
static void check_scaled(const kvq_pca_opts *o, float scale, double var_tol, double cos_tol)
{
    golden_pca g;
    golden_load(&g);
    for (size_t i = 0; i < g.n * g.dim; i++) g.rows[i] *= scale;
    for (size_t i = 0; i < g.dim; i++) g.var[i] *= (double)scale * (double)scale;
    kvq_rng rng;
    kvq_rng_seed(&rng, 3, 3);
    float *mean = malloc(g.dim * sizeof *mean), *basis = malloc(g.rank * g.dim * sizeof *basis);
    double *var = malloc(g.rank * sizeof *var), total;
    kvq_error err;
    gsl_set_error_handler_off();
    cr_assert_eq(
        kvq_pca(g.rows, g.n, g.dim, g.rank, o, &rng, mean, basis, var, &total, "test", &err),
        KVQ_OK, "%s", err.msg);
    double want_total = 0.0;
    for (size_t i = 0; i < g.dim; i++) want_total += g.var[i];
    cr_assert_float_eq(total, want_total, 1e-5 * want_total);
    for (size_t r = 0; r < g.rank; r++) {
        cr_assert_float_eq(var[r], g.var[r], var_tol * g.var[r], "variance %zu: %g vs numpy %g", r,
                           var[r], g.var[r]);
        double dot = 0.0, norm = 0.0;
        for (size_t t = 0; t < g.dim; t++) {
            dot += basis[r * g.dim + t] * g.dir[r * g.dim + t];
            norm += (double)basis[r * g.dim + t] * basis[r * g.dim + t];
        }
        cr_assert_float_eq(norm, 1.0, 1e-5, "direction %zu not unit", r);
        cr_assert_gt(fabs(dot), 1.0 - cos_tol, "direction %zu: |cos| with numpy's %g", r,
                     fabs(dot));
    }
    free(mean);
    free(basis);
    free(var);
    golden_free(&g);
}

static void check_against_numpy(const kvq_pca_opts *o, double var_tol, double cos_tol)
{
    check_scaled(o, 1.0f, var_tol, cos_tol);
}

Test(pca, exact_matches_numpy_svd)
{
    kvq_pca_opts exact = {KVQ_PCA_EXACT, 1, 0, 0};
    check_against_numpy(&exact, 1e-5, 1e-6);
}

/* Exact decompositions are memoised by covariance: fitting the same rows again (a memo hit) still
 * gives numpy's directions, and rows of the same size but other values (scaled by 3: variances 9
 * times numpy's, the same directions) get their own. */
Test(pca, exact_refits_match_numpy_svd)
{
    kvq_pca_opts exact = {KVQ_PCA_EXACT, 1, 0, 0};
    for (int k = 0; k < 3; k++) {
        check_against_numpy(&exact, 1e-5, 1e-6);
        check_scaled(&exact, 3.0f, 1e-5, 1e-6);
    }
}

#define FITTERS 4

typedef struct fit_job {
    const golden_pca *g;
    float mean[64], basis[64 * 8];
    double var[8], total;
    int rc;
} fit_job;

static void *fit_exact(void *arg)
{
    fit_job *j = arg;
    kvq_pca_opts exact = {KVQ_PCA_EXACT, 1, 0, 0};
    j->rc = kvq_pca(j->g->rows, j->g->n, j->g->dim, j->g->rank, &exact, NULL, j->mean, j->basis,
                    j->var, &j->total, "test", NULL);
    return NULL;
}

/* Threads fitting the same new rows at once (one decomposes, the others wait for it or find it)
 * all get numpy's variances and directions. */
Test(pca, concurrent_exact_fits_match_numpy_svd)
{
    golden_pca g;
    golden_load(&g);
    for (size_t i = 0; i < g.n * g.dim; i++) g.rows[i] *= 5.0f;
    cr_assert_leq(g.dim, 64);
    cr_assert_leq(g.rank, 8);
    gsl_set_error_handler_off();
    fit_job jobs[FITTERS];
    pthread_t threads[FITTERS];
    for (int t = 0; t < FITTERS; t++) {
        jobs[t].g = &g;
        cr_assert_eq(pthread_create(&threads[t], NULL, fit_exact, &jobs[t]), 0);
    }
    for (int t = 0; t < FITTERS; t++) {
        cr_assert_eq(pthread_join(threads[t], NULL), 0);
        cr_assert_eq(jobs[t].rc, KVQ_OK);
        for (size_t r = 0; r < g.rank; r++) {
            cr_assert_float_eq(jobs[t].var[r], 25.0 * g.var[r], 1e-5 * 25.0 * g.var[r]);
            double dot = 0.0;
            for (size_t d = 0; d < g.dim; d++)
                dot += jobs[t].basis[r * g.dim + d] * g.dir[r * g.dim + d];
            cr_assert_gt(fabs(dot), 1.0 - 1e-6, "thread %d direction %zu", t, r);
        }
    }
    golden_free(&g);
}

/* The spectrum falls by 4 per direction: two power iterations pin the top three. */
Test(pca, randomised_matches_numpy_svd)
{
    kvq_pca_opts random = {KVQ_PCA_RANDOMIZED, 1, 5, 2};
    check_against_numpy(&random, 1e-4, 1e-5);
}

Test(pca, sign_convention_and_determinism)
{
    golden_pca g;
    golden_load(&g);
    kvq_pca_opts random = {KVQ_PCA_RANDOMIZED, 1, 5, 1};
    float a[30], b[30], mean[10];
    double var[3], total;
    kvq_rng ra, rb;
    gsl_set_error_handler_off();
    kvq_rng_seed(&ra, 4, 4);
    kvq_rng_seed(&rb, 4, 4);
    cr_assert_eq(kvq_pca(g.rows, g.n, g.dim, 3, &random, &ra, mean, a, var, &total, "t", NULL), 0);
    cr_assert_eq(kvq_pca(g.rows, g.n, g.dim, 3, &random, &rb, mean, b, var, &total, "t", NULL), 0);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    for (size_t r = 0; r < 3; r++) {
        size_t big = 0;
        for (size_t t = 1; t < g.dim; t++)
            if (fabsf(a[r * g.dim + t]) > fabsf(a[r * g.dim + big])) big = t;
        cr_assert_gt(a[r * g.dim + big], 0.0f, "direction %zu: largest coordinate negative", r);
    }
    golden_free(&g);
}

Test(pca, rank_for_variance_ratio)
{
    const double var[4] = {5.0, 3.0, 1.5, 0.5};
    cr_assert_eq(kvq_pca_rank_for(var, 4, 10.0, 0.5), 1);
    cr_assert_eq(kvq_pca_rank_for(var, 4, 10.0, 0.8), 2);
    cr_assert_eq(kvq_pca_rank_for(var, 4, 10.0, 0.81), 3);
    cr_assert_eq(kvq_pca_rank_for(var, 2, 10.0, 0.99), 2); /* capped */
}

Test(pca, refuses_rank_out_of_range)
{
    float rows[4 * 3] = {0}, mean[3], basis[12];
    double var[4], total;
    kvq_error err;
    kvq_pca_opts exact = {KVQ_PCA_EXACT, 1, 0, 0};
    cr_assert_eq(kvq_pca(rows, 4, 3, 4, &exact, NULL, mean, basis, var, &total, "mycodec", &err),
                 KVQ_EINVAL);
    cr_assert(strstr(err.msg, "mycodec") && strstr(err.msg, "rank 4"), "%s", err.msg);
    cr_assert_eq(kvq_pca(rows, 2, 3, 3, &exact, NULL, mean, basis, var, &total, "mycodec", &err),
                 KVQ_EINVAL);
    kvq_pca_opts random = {KVQ_PCA_RANDOMIZED, 1, 2, 1};
    cr_assert_eq(kvq_pca(rows, 4, 3, 2, &random, NULL, mean, basis, var, &total, "mycodec", &err),
                 KVQ_EINVAL);
    cr_assert(strstr(err.msg, "random stream"), "%s", err.msg);
}

/* auto is exact up to KVQ_PCA_EXACT_MAX_DIM (no stream needed) and randomised above (a stream is
 * needed, and its absence is reported). */
Test(pca, auto_switches_to_randomised_above_the_exact_limit)
{
    const size_t small = KVQ_PCA_EXACT_MAX_DIM, big = KVQ_PCA_EXACT_MAX_DIM + 1, n = 300;
    float *rows = kvq_test_gaussian_rows(n, big, 5);
    float *mean = malloc(big * sizeof *mean), *basis = malloc(2 * big * sizeof *basis);
    double var[2], total;
    kvq_error err;
    kvq_pca_opts automatic = {KVQ_PCA_AUTO, 1, 4, 1};
    gsl_set_error_handler_off();
    cr_assert_eq(kvq_pca(rows, n, small, 2, &automatic, NULL, mean, basis, var, &total, "t", &err),
                 KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_pca(rows, n, big, 2, &automatic, NULL, mean, basis, var, &total, "t", &err),
                 KVQ_EINVAL);
    cr_assert(strstr(err.msg, "random stream"), "%s", err.msg);
    kvq_rng rng;
    kvq_rng_seed(&rng, 5, 5);
    cr_assert_eq(kvq_pca(rows, n, big, 2, &automatic, &rng, mean, basis, var, &total, "t", &err),
                 KVQ_OK, "%s", err.msg);
    free(rows);
    free(mean);
    free(basis);
}
