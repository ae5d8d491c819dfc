/* Cronbach's alpha (include/kvq/reliability.h), as R psych::alpha computes it:
 *     raw       = k/(k-1) (1 - tr C / sum C)        C: item covariance matrix (n - 1 denominator)
 *     std       = k/(k-1) (1 - k / sum R)           R: item correlation matrix
 *     average_r = (sum R - k) / (k(k-1))
 * "If deleted": the same three on the k-1 other items. Corrected item-total r of item i: the
 * correlation of item i with the sum of the others, (sum_j C_ij - C_ii) / sqrt(C_ii sum C_-i-i).
 * Feldt (1965) interval: 1 - (1 - raw) F^-1(1 - a/2) .. 1 - (1 - raw) F^-1(a/2), a = 1 - level, F
 * with n - 1 and (n - 1)(k - 1) degrees of freedom (psych::alpha.ci).
 * Known answer (tests/test_metrics_reliability.c, from psych): the Shrout-Fleiss 6 x 4 ratings
 * give raw alpha 0.9093155 (equal to ICC3k) and standardised alpha 0.9269436. */
#include "covariance.h"
#include "fdist.h"
#include "kvq/reliability.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

/* Sums over the items not equal to skip (skip = k keeps all): trace and total of C and of R. */
typedef struct sums {
    double items, trace_c, total_c, total_r;
} sums;

static sums matrix_sums(const double *c, const double *r, size_t k, size_t skip)
{
    sums s = {0.0, 0.0, 0.0, 0.0};
    for (size_t a = 0; a < k; a++) {
        if (a == skip) continue;
        s.items += 1.0;
        s.trace_c += c[a * k + a];
        for (size_t b = 0; b < k; b++) {
            if (b == skip) continue;
            s.total_c += c[a * k + b];
            s.total_r += r[a * k + b];
        }
    }
    return s;
}

static double raw_alpha(sums s)
{
    return s.items / (s.items - 1.0) * (1.0 - s.trace_c / s.total_c);
}

static double std_alpha(sums s)
{
    return s.items / (s.items - 1.0) * (1.0 - s.items / s.total_r);
}

static double average_r(sums s)
{
    return (s.total_r - s.items) / (s.items * (s.items - 1.0));
}

static void fill_item(const double *c, const double *r, size_t k, size_t i, kvq_alpha_item *item)
{
    sums rest = matrix_sums(c, r, k, i);
    int single = k == 2; /* one item left: it has no alpha */
    item->raw_alpha = single ? NAN : raw_alpha(rest);
    item->std_alpha = single ? NAN : std_alpha(rest);
    item->average_r = single ? NAN : average_r(rest);
    double with_rest = 0.0;
    for (size_t j = 0; j < k; j++)
        if (j != i) with_rest += c[i * k + j];
    double v = c[i * k + i] * rest.total_c;
    item->r_drop = v > 0.0 ? with_rest / sqrt(v) : NAN;
}

static void feldt(kvq_alpha *a)
{
    double tail = (1.0 - a->level) / 2.0, df1 = (double)a->n - 1.0;
    double df2 = df1 * ((double)a->k - 1.0);
    a->feldt_lo = 1.0 - (1.0 - a->raw) * kvq_fdist_upper_quantile(tail, df1, df2);
    a->feldt_hi = 1.0 - (1.0 - a->raw) * kvq_fdist_upper_quantile(1.0 - tail, df1, df2);
}

int kvq_alpha_compute(const double *x, size_t n, size_t k, double level, kvq_alpha *out,
                      kvq_alpha_item *items, kvq_error *err)
{
    if (n < 2 || k < 2)
        return kvq_fail(err, KVQ_EINVAL,
                        "alpha: needs at least 2 subjects and 2 items (got %zu x %zu)", n, k);
    int rc = kvq_check_level(level, "alpha", err);
    if (rc) return rc;
    double *c = malloc(2 * k * k * sizeof *c);
    if (!c) return kvq_fail(err, KVQ_ENOMEM, "alpha: no memory for %zu items", k);
    double *r = c + k * k;
    rc = kvq_column_covariance(x, n, k, c, "alpha", err);
    if (rc) {
        free(c);
        return rc;
    }
    for (size_t i = 0; i < k * k; i++) r[i] = c[i];
    kvq_covariance_to_correlation(r, k);
    sums all = matrix_sums(c, r, k, k);
    *out = (kvq_alpha){.n = n,
                       .k = k,
                       .level = level,
                       .raw = raw_alpha(all),
                       .std = std_alpha(all),
                       .average_r = average_r(all)};
    feldt(out);
    for (size_t i = 0; items && i < k; i++) fill_item(c, r, k, i, &items[i]);
    free(c);
    return KVQ_OK;
}
