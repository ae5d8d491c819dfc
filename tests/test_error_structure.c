/* The error structure against R (tests/golden/gen_error_structure.R, psych 2.2.9 and stats):
 * correlations, eigenvalues and the parallel count of a matrix of errors with two families of
 * codecs that err together; psych::principal(x, 2, rotate = "varimax") loadings; stats::varimax of
 * three unrotated components; hclust(as.dist(1 - r), "average") merges, heights, order and
 * cutree(h = 0.5), also on distances with ties; psych::factor.congruence of two populations'
 * first factors, and the verdict's thresholds. */
#include "analysis/congruence.h"
#include "analysis/error_structure.h"
#include "kvq/hclust.h"
#include "kvq/varimax.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

/* Agreement asked of the C functions with R: the computations are the same, so only rounding
 * differs (varimax iterates to the same stopping point as stats::varimax). */
#define TOL 1e-10

static cJSON *golden;

static void setup(void)
{
    gsl_set_error_handler_off();
    golden = kvq_test_golden("error_structure.json");
}

static void teardown(void)
{
    cJSON_Delete(golden);
}

/* A JSON array of rows (or of numbers) of path a.b in golden, flattened row by row; *rows and
 * *cols get its shape. */
static double *matrix(const char *a, const char *b, size_t *rows, size_t *cols)
{
    const cJSON *m = cJSON_GetObjectItem(golden, a);
    if (b) m = cJSON_GetObjectItem(m, b);
    cr_assert_not_null(m, "golden %s.%s missing", a, b ? b : "");
    *rows = (size_t)cJSON_GetArraySize(m);
    const cJSON *first = cJSON_GetArrayItem(m, 0);
    *cols = cJSON_IsArray(first) ? (size_t)cJSON_GetArraySize(first) : 1;
    double *x = malloc(*rows * *cols * sizeof *x);
    size_t i = 0;
    const cJSON *row, *v;
    cJSON_ArrayForEach(row, m)
    {
        if (!cJSON_IsArray(row)) {
            x[i++] = row->valuedouble;
            continue;
        }
        cr_assert_eq((size_t)cJSON_GetArraySize(row), *cols, "%s: ragged", a);
        cJSON_ArrayForEach(v, row) x[i++] = v->valuedouble;
    }
    return x;
}

static void close_to(double got, double want, const char *what, size_t i)
{
    cr_assert(fabs(got - want) <= TOL, "%s [%zu]: got %.17g, want %.17g (difference %.3g)", what, i,
              got, want, got - want);
}

static kvq_error_structure analyse(size_t *n, size_t *k)
{
    double *x = golden_csv("error_structure.csv", n, k);
    kvq_rng rng;
    kvq_rng_seed(&rng, 3, 7);
    kvq_error_structure s;
    kvq_error err;
    cr_assert_eq(kvq_error_structure_compute(x, *n, *k, 100, &rng, &s, &err), 0, "%s", err.msg);
    free(x);
    return s;
}

Test(error_structure, correlations_eigenvalues_parallel, .init = setup, .fini = teardown)
{
    size_t n, k, r, c;
    kvq_error_structure s = analyse(&n, &k);
    double *cor = matrix("cor", NULL, &r, &c), *eigen = matrix("eigen", NULL, &r, &c);
    cr_assert_eq(s.k, k);
    for (size_t i = 0; i < k * k; i++) close_to(s.factors.corr[i], cor[i], "cor", i);
    for (size_t i = 0; i < k; i++) close_to(s.factors.eigenvalues[i], eigen[i], "eigen", i);
    cr_assert_eq(s.factors.parallel, (size_t)kvq_test_num(golden, "parallel"), "parallel %zu",
                 s.factors.parallel);
    cr_assert_eq(s.retained, (size_t)kvq_test_num(golden, "nf"));
    kvq_error_structure_free(&s);
    free(cor), free(eigen);
}

/* Varimax solutions are unique up to the order and sign of their columns: each of R's columns is
 * matched to the C column with the largest |inner product| (one to one), its sign taken from that
 * product, and then compared value by value. Separately, the C columns must come in psych's own
 * order and signs (decreasing sum of squares, each summing >= 0): the match is the identity. */
Test(error_structure, principal_varimax_loadings, .init = setup, .fini = teardown)
{
    size_t n, k, r, m;
    kvq_error_structure s = analyse(&n, &k);
    double *want = matrix("loadings", NULL, &r, &m);
    cr_assert_eq(r, k);
    cr_assert_eq(s.retained, m);
    int used[16] = {0};
    for (size_t j = 0; j < m; j++) {
        size_t best = m;
        double most = -1.0, dot = 0.0;
        for (size_t c = 0; c < m; c++) {
            double d = 0.0;
            for (size_t i = 0; i < k; i++) d += want[i * m + j] * s.loadings[i * m + c];
            if (!used[c] && fabs(d) > most) most = fabs(d), best = c, dot = d;
        }
        used[best] = 1;
        double sign = dot < 0 ? -1.0 : 1.0;
        for (size_t i = 0; i < k; i++)
            close_to(sign * s.loadings[i * m + best], want[i * m + j], "loading", i * m + j);
        cr_assert(best == j && sign > 0,
                  "R's factor %zu is C's factor %zu with sign %+.0f: not psych's order and signs",
                  j + 1, best + 1, sign);
    }
    kvq_error_structure_free(&s);
    free(want);
}

/* stats::varimax itself, on three unrotated components: the same columns, no reordering. */
Test(error_structure, varimax_matches_stats, .init = setup, .fini = teardown)
{
    size_t k, m, k2, m2;
    double *x = matrix("unrotated3", NULL, &k, &m), *want = matrix("varimax3", NULL, &k2, &m2);
    cr_assert(k == k2 && m == m2 && m == 3);
    double t[9];
    kvq_error err;
    cr_assert_eq(kvq_varimax(x, k, m, t, &err), 0, "%s", err.msg);
    for (size_t i = 0; i < k * m; i++) close_to(x[i], want[i], "varimax", i);
    for (size_t a = 0; a < m; a++) /* T is a rotation: T T' = I */
        for (size_t b = 0; b < m; b++) {
            double d = 0.0;
            for (size_t c = 0; c < m; c++) d += t[a * m + c] * t[b * m + c];
            close_to(d, a == b, "T T'", a * m + b);
        }
    free(x), free(want);
}

Test(error_structure, varimax_edges)
{
    double one[3] = {0.5, -0.2, 0.9}, copy[3] = {0.5, -0.2, 0.9}, t[1];
    cr_assert_eq(kvq_varimax(one, 3, 1, t, NULL), 0); /* one factor: nothing to rotate */
    for (size_t i = 0; i < 3; i++) cr_assert_eq(one[i], copy[i]);
    cr_assert_eq(t[0], 1.0);
    kvq_error err;
    cr_assert_eq(kvq_varimax(one, 0, 2, NULL, &err), KVQ_EINVAL);
    double zero_row[6] = {0.8, 0.1, 0.0, 0.0, 0.2, 0.7}; /* a row of zeros stays zero */
    cr_assert_eq(kvq_varimax(zero_row, 3, 2, NULL, &err), 0, "%s", err.msg);
    cr_assert(zero_row[2] == 0.0 && zero_row[3] == 0.0);
}

/* The tree's merges (R's convention), heights and leaf order against R's. */
static void check_tree(const kvq_hclust *t, const char *which)
{
    size_t rows, cols, nh, no, one;
    double *merge = matrix(which, "merge", &rows, &cols);
    double *height = matrix(which, "height", &nh, &one);
    double *order = matrix(which, "order", &no, &one);
    cr_assert(rows == t->k - 1 && cols == 2 && nh == t->k - 1 && no == t->k, "%s: shape", which);
    for (size_t i = 0; i < 2 * rows; i++)
        cr_assert_eq(t->merge[i], (long)merge[i], "%s merge[%zu]: got %ld, want %.0f", which, i,
                     t->merge[i], merge[i]);
    for (size_t i = 0; i < nh; i++) close_to(t->height[i], height[i], which, i);
    for (size_t i = 0; i < no; i++)
        cr_assert_eq(t->order[i] + 1, (size_t)order[i], "%s order[%zu]: got %zu, want %.0f", which,
                     i, t->order[i] + 1, order[i]);
    free(merge), free(height), free(order);
}

Test(error_structure, hclust_matches_r, .init = setup, .fini = teardown)
{
    size_t k, c, nc, one;
    double *cor = matrix("cor", NULL, &k, &c);
    for (size_t i = 0; i < k * k; i++) cor[i] = 1.0 - cor[i];
    kvq_hclust t;
    kvq_error err;
    cr_assert_eq(kvq_hclust_average(cor, k, &t, &err), 0, "%s", err.msg);
    check_tree(&t, "hclust");
    double *cut = matrix("hclust", "cut", &nc, &one);
    size_t cluster[16], most = 0;
    size_t clusters = kvq_hclust_cut(&t, 0.5, cluster);
    for (size_t i = 0; i < k; i++) {
        cr_assert_eq(cluster[i], (size_t)cut[i], "cluster of item %zu: got %zu, want %.0f", i + 1,
                     cluster[i], cut[i]);
        most = cluster[i] > most ? cluster[i] : most;
    }
    cr_assert_eq(clusters, most);
    cr_assert_eq(kvq_hclust_cut(&t, -1.0, cluster), k); /* below every merge: singletons */
    cr_assert_eq(kvq_hclust_cut(&t, 10.0, cluster), 1); /* above: one cluster */
    kvq_hclust_free(&t);
    /* the analysis's own tree, from its own correlations, is the same */
    size_t n;
    kvq_error_structure s = analyse(&n, &k);
    check_tree(&s.tree, "hclust");
    kvq_error_structure_free(&s);
    free(cor), free(cut);
}

Test(error_structure, hclust_ties_as_r, .init = setup, .fini = teardown)
{
    size_t k, c;
    double *d = matrix("hclust_ties", "dist", &k, &c);
    kvq_hclust t;
    cr_assert_eq(kvq_hclust_average(d, k, &t, NULL), 0);
    check_tree(&t, "hclust_ties");
    kvq_hclust_free(&t);
    d[1] = NAN;
    kvq_error err;
    cr_assert_eq(kvq_hclust_average(d, k, &t, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "items 1 and 2") != NULL, "%s", err.msg);
    cr_assert_eq(kvq_hclust_average(d, 0, &t, &err), KVQ_EINVAL);
    free(d);
}

Test(error_structure, congruence_matches_psych, .init = setup, .fini = teardown)
{
    size_t n1, n2, one;
    double *x1 = matrix("congruence", "x1", &n1, &one), *x2 = matrix("congruence", "x2", &n2, &one);
    cr_assert_eq(n1, n2);
    double phi = kvq_congruence_phi(x1, x2, n1);
    golden_check(phi, kvq_test_num(cJSON_GetObjectItem(golden, "congruence"), "phi"), "phi");
    close_to(phi, kvq_test_num(cJSON_GetObjectItem(golden, "congruence"), "phi"), "phi", 0);
    cr_assert_str_eq(kvq_congruence_verdict(phi), "equal");
    for (size_t i = 0; i < n1; i++) x2[i] = -x2[i]; /* signed, as psych reports it */
    close_to(kvq_congruence_phi(x1, x2, n1), -phi, "-phi", 0);
    free(x1), free(x2);
}

Test(error_structure, congruence_verdicts)
{
    cr_assert_str_eq(kvq_congruence_verdict(0.95), "equal");
    cr_assert_str_eq(kvq_congruence_verdict(-0.97), "equal");
    cr_assert_str_eq(kvq_congruence_verdict(0.9499), "fair");
    cr_assert_str_eq(kvq_congruence_verdict(0.85), "fair");
    cr_assert_str_eq(kvq_congruence_verdict(0.8499), "different");
    cr_assert_str_eq(kvq_congruence_verdict(0.0), "different");
    cr_assert_str_eq(kvq_congruence_verdict(NAN), "n/a");
    const double x[2] = {0.5, 0.5}, zero[2] = {0, 0}, y[2] = {1.0, -1.0};
    cr_assert(isnan(kvq_congruence_phi(x, y, 1)), "one variant: no phi");
    cr_assert(isnan(kvq_congruence_phi(x, zero, 2)), "a vector of zeros: no phi");
    cr_assert_float_eq(kvq_congruence_phi(x, y, 2), 0.0, 1e-15);
    cr_assert_float_eq(kvq_congruence_phi(x, x, 2), 1.0, 1e-15);
}
