/* Cohen's and Fleiss' kappa (include/kvq/kappa.h).
 *
 * Cohen (1960, 1968): p_ij the proportion of subjects put in category i by rater a and j by rater
 * b, r_i and c_j the margins, w_ij agreement weights (1 on the diagonal);
 *     p_o = sum w_ij p_ij,  p_e = sum w_ij r_i c_j,  kappa = (p_o - p_e) / (1 - p_e).
 * Its large-sample variance, Fleiss, Cohen & Everitt (1969), "Large sample standard errors of kappa
 * and weighted kappa", Psychological Bulletin 72(5), eq. 14, with wr_i = sum_j c_j w_ij and
 * wc_j = sum_i r_i w_ij:
 *     var = [sum p_ij (w_ij - (wr_i + wc_j)(1 - kappa))^2 - (kappa - p_e (1 - kappa))^2]
 *           / (n (1 - p_e)^2),
 * as statsmodels' cohens_kappa. For unweighted kappa this equals psych::cohen.kappa's var.kappa;
 * for weighted kappa psych 2.2.9 uses r_i sum_j w_ij in place of wr_i, which is not eq. 14 and
 * can go negative (psych then reports 0), so kvqeval follows the paper there. A variance that
 * rounds below zero is taken as 0, as psych does.
 * Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin
 * 76(5): n_ij raters put subject i in category j;
 *     P_i = (sum_j n_ij^2 - k) / (k(k-1)),  p_j = sum_i n_ij / (nk),
 *     kappa = (mean P_i - sum p_j^2) / (1 - sum p_j^2).
 * With one subject both kappas are undefined, not 0: the chance agreement is then estimated from
 * that subject alone, so Cohen's kappa is 0 (SE 0) whenever the two raters disagree and Fleiss'
 * kappa is -1/(k-1) whatever the ratings; both are NaN, with NaN SE and interval.
 * Known answer (tests/test_metrics_kappa.c): Fleiss' worked example (10 subjects, 14 raters, 5
 * categories) gives 0.210. */
#include "kvq/kappa.h"
#include "covariance.h"
#include "kvq/memory.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const char *kvq_kappa_weight_name(kvq_kappa_weight w)
{
    static const char *const names[KVQ_KAPPA_WEIGHTS] = {"unweighted", "linear", "quadratic"};
    return w < KVQ_KAPPA_WEIGHTS ? names[w] : "?";
}

/* Checks that columns cols[0..ncols) of x are finite, naming the first bad cell: only the columns
 * used, so that kappa of each of the k(k-1)/2 pairs costs O(n), not O(nk). */
static int check_columns(const double *x, size_t n, size_t k, const size_t *cols, size_t ncols,
                         const char *what, kvq_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < ncols; c++)
            if (!isfinite(x[i * k + cols[c]]))
                return kvq_fail(err, KVQ_EINVAL, "%s: value at row %zu, column %zu is not finite",
                                what, i + 1, cols[c] + 1);
    return KVQ_OK;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The distinct labels of columns cols[0..ncols) of x, ascending, in a new array (*labels). */
static int collect_labels(const double *x, size_t n, size_t k, const size_t *cols, size_t ncols,
                          double **labels, size_t *count, kvq_error *err)
{
    double *v = malloc(n * ncols * sizeof *v);
    if (!v) return kvq_fail(err, KVQ_ENOMEM, "kappa: no memory for %zu labels", n * ncols);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < ncols; c++) v[i * ncols + c] = x[i * k + cols[c]];
    qsort(v, n * ncols, sizeof *v, compare_double);
    size_t m = 0;
    for (size_t i = 0; i < n * ncols; i++)
        if (m == 0 || v[i] != v[m - 1]) v[m++] = v[i];
    if (m > KVQ_KAPPA_MAX_CATEGORIES) {
        free(v);
        return kvq_fail(err, KVQ_ERANGE,
                        "kappa: %zu distinct labels, more than %d: kappa needs categorical "
                        "ratings, not continuous scores",
                        m, KVQ_KAPPA_MAX_CATEGORIES);
    }
    *labels = v, *count = m;
    return KVQ_OK;
}

static size_t label_index(const double *labels, size_t count, double value)
{
    const double *hit = bsearch(&value, labels, count, sizeof *labels, compare_double);
    return (size_t)(hit - labels);
}

static double weight(kvq_kappa_weight w, size_t i, size_t j, size_t count)
{
    double d = fabs((double)i - (double)j) / ((double)count - 1.0);
    switch (w) {
    case KVQ_KAPPA_LINEAR:
        return 1.0 - d;
    case KVQ_KAPPA_QUADRATIC:
        return 1.0 - d * d;
    default:
        return i == j ? 1.0 : 0.0;
    }
}

/* Kappa, SE and interval of one weighting from the L x L proportions p and margins r, c; wr and wc
 * are L doubles of scratch for the weighted margins. */
static kvq_kappa_value weighted_kappa(const double *p, const double *r, const double *c, size_t L,
                                      size_t n, kvq_kappa_weight w, double z, double *wr,
                                      double *wc)
{
    kvq_kappa_value out = {NAN, NAN, NAN, NAN};
    if (L < 2 || n < 2) return out; /* one category, or one subject: undefined */
    double po = 0.0, pe = 0.0;
    for (size_t i = 0; i < L; i++) wr[i] = wc[i] = 0.0;
    for (size_t i = 0; i < L; i++)
        for (size_t j = 0; j < L; j++) {
            double wij = weight(w, i, j, L);
            po += wij * p[i * L + j];
            pe += wij * r[i] * c[j];
            wr[i] += c[j] * wij;
            wc[j] += r[i] * wij;
        }
    out.kappa = (po - pe) / (1.0 - pe);
    double sum = 0.0, q = 1.0 - out.kappa;
    for (size_t i = 0; i < L; i++)
        for (size_t j = 0; j < L; j++) {
            double t = weight(w, i, j, L) - (wr[i] + wc[j]) * q;
            sum += p[i * L + j] * t * t;
        }
    double tail = out.kappa - pe * q;
    double var = (sum - tail * tail) / ((double)n * (1.0 - pe) * (1.0 - pe));
    out.se = sqrt(var > 0.0 ? var : 0.0);
    out.lo = fmax(-1.0, out.kappa - z * out.se);
    out.hi = fmin(1.0, out.kappa + z * out.se);
    return out;
}

int kvq_cohen_kappa_table(const double *table, size_t L, double level, kvq_cohen *out,
                          kvq_error *err)
{
    int rc = kvq_check_level(level, "Cohen's kappa", err);
    if (rc) return rc;
    if (L < 1 || L > KVQ_KAPPA_MAX_CATEGORIES)
        return kvq_fail(err, KVQ_EINVAL, "Cohen's kappa: a table of %zu categories", L);
    double *p = calloc(L * L + 4 * L, sizeof *p);
    size_t *used = malloc(L * sizeof *used);
    if (!p || !used) {
        free(p), free(used);
        return kvq_fail(err, KVQ_ENOMEM, "Cohen's kappa: no memory for %zu categories", L);
    }
    double total = 0.0;
    size_t m = 0; /* the categories either rater uses */
    for (size_t i = 0; i < L; i++) {
        double line = 0.0;
        for (size_t j = 0; j < L; j++) {
            if (!(table[i * L + j] >= 0.0) || !isfinite(table[i * L + j])) {
                free(p), free(used);
                return kvq_fail(err, KVQ_EINVAL, "Cohen's kappa: count (%zu, %zu) is %g", i + 1,
                                j + 1, table[i * L + j]);
            }
            line += table[i * L + j] + table[j * L + i];
            total += table[i * L + j];
        }
        if (line > 0.0) used[m++] = i;
    }
    double *r = p + m * m, *c = r + m, *wr = c + m, *wc = wr + m;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            double share = table[used[i] * L + used[j]] / total;
            p[i * m + j] = share, r[i] += share, c[j] += share;
        }
    size_t n = (size_t)total;
    *out = (kvq_cohen){.n = n, .categories = m, .level = level};
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    for (int w = 0; w < KVQ_KAPPA_WEIGHTS; w++)
        out->w[w] = weighted_kappa(p, r, c, m, n, (kvq_kappa_weight)w, z, wr, wc);
    free(p), free(used);
    return KVQ_OK;
}

int kvq_cohen_kappa(const double *x, size_t n, size_t k, size_t a, size_t b, double level,
                    kvq_cohen *out, kvq_error *err)
{
    if (n < 1 || a >= k || b >= k)
        return kvq_fail(err, KVQ_EINVAL,
                        "Cohen's kappa: raters %zu and %zu of %zu over %zu subjects", a + 1, b + 1,
                        k, n);
    size_t L = 0, cols[2] = {a, b};
    int rc = kvq_check_level(level, "Cohen's kappa", err);
    if (!rc) rc = check_columns(x, n, k, cols, 2, "Cohen's kappa", err);
    double *labels = NULL;
    if (!rc) rc = collect_labels(x, n, k, cols, 2, &labels, &L, err);
    if (rc) return rc;
    double *table = calloc(L * L, sizeof *table);
    if (!table) {
        free(labels);
        return kvq_fail(err, KVQ_ENOMEM, "Cohen's kappa: no memory for %zu categories", L);
    }
    for (size_t s = 0; s < n; s++)
        table[label_index(labels, L, x[s * k + a]) * L + label_index(labels, L, x[s * k + b])]++;
    rc = kvq_cohen_kappa_table(table, L, level, out, err);
    free(table);
    free(labels);
    return rc;
}

/* Adds subject s's agreement sum_j n_sj^2 to *agree and its labels to the totals. */
static void count_subject(const double *row, size_t k, const double *labels, size_t L,
                          size_t *counts, double *totals, double *agree)
{
    for (size_t r = 0; r < k; r++) counts[label_index(labels, L, row[r])]++;
    for (size_t r = 0; r < k; r++) {
        size_t j = label_index(labels, L, row[r]);
        if (!counts[j]) continue; /* already counted for an earlier rater */
        *agree += (double)counts[j] * (double)counts[j];
        totals[j] += (double)counts[j];
        counts[j] = 0;
    }
}

int kvq_fleiss_kappa(const double *x, size_t n, size_t k, kvq_fleiss *out, kvq_error *err)
{
    if (n < 1 || k < 2)
        return kvq_fail(err, KVQ_EINVAL,
                        "Fleiss' kappa: needs at least 1 subject and 2 raters (got %zu x %zu)", n,
                        k);
    int rc = kvq_check_finite(x, n, k, "Fleiss' kappa", err);
    char what[96];
    snprintf(what, sizeof what, "Fleiss' kappa: the %zu x %zu labels", n, k);
    if (!rc) rc = kvq_memory_check((double)n * (double)k * sizeof(double), what, err);
    if (rc) return rc;
    size_t *cols = malloc(k * sizeof *cols), L = 0;
    double *labels = NULL;
    if (!cols) return kvq_fail(err, KVQ_ENOMEM, "Fleiss' kappa: no memory for %zu raters", k);
    for (size_t r = 0; r < k; r++) cols[r] = r;
    rc = collect_labels(x, n, k, cols, k, &labels, &L, err);
    free(cols);
    if (rc) return rc;
    size_t *counts = calloc(L, sizeof *counts);
    double *totals = calloc(L, sizeof *totals);
    if (!counts || !totals) {
        free(counts), free(totals), free(labels);
        return kvq_fail(err, KVQ_ENOMEM, "Fleiss' kappa: no memory for %zu categories", L);
    }
    double agree = 0.0, dk = (double)k, nk = (double)n * dk;
    for (size_t s = 0; s < n; s++) count_subject(x + s * k, k, labels, L, counts, totals, &agree);
    double pe = 0.0;
    for (size_t j = 0; j < L; j++) pe += (totals[j] / nk) * (totals[j] / nk);
    double po = (agree - nk) / (nk * (dk - 1.0));
    *out = (kvq_fleiss){.n = n,
                        .k = k,
                        .categories = L,
                        .p_observed = po,
                        .p_chance = pe,
                        .kappa = n >= 2 && pe < 1.0 ? (po - pe) / (1.0 - pe) : NAN};
    free(counts), free(totals), free(labels);
    return KVQ_OK;
}
