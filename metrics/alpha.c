/* Cronbach's alpha (include/kvq/reliability.h), as R psych::alpha computes it:
 *     raw       = k/(k-1) (1 - tr C / sum C)        C: item covariance matrix (n - 1 denominator)
 *     std       = k/(k-1) (1 - k / sum R)           R: item correlation matrix
 *     average_r = (sum R - k) / (k(k-1))
 * "If deleted": the same three on the k-1 other items. Corrected item-total r of item i: the
 * correlation of item i with the sum of the others.
 * Feldt (1965) interval: 1 - (1 - raw) F^-1(1 - a/2) .. 1 - (1 - raw) F^-1(a/2), a = 1 - level, F
 * with n - 1 and (n - 1)(k - 1) degrees of freedom (psych::alpha.ci).
 *
 * No k x k matrix is formed: a sum of covariances is the variance of a sum. With d the centred
 * scores, t_s = sum_j d_sj the centred total of subject s and z_s = sum_j d_sj / sd_j its total of
 * standardised scores, sum C = var(t), tr C = sum_j var(d_j), sum R = var(z). Deleting item i
 * leaves the totals t - d_i and z - d_i / sd_i, so
 *     sum C_-i = var(t - d_i) = sum C - 2 cov(d_i, t) + C_ii,   tr C_-i = tr C - C_ii,
 *     sum R_-i = var(z - d_i / sd_i),   cov(item i, rest) = cov(d_i, t - d_i).
 * These variances are accumulated subject by subject from t_s - d_si, never by the subtraction on
 * the right (which cancels badly when one item is small against the total): three passes over x,
 * O(nk) time and O(n + k) memory, where forming C and R cost O(nk^2 + k^2) and deleting each item
 * from them O(k^3).
 * Known answer (tests/test_metrics_reliability.c, from psych): the Shrout-Fleiss 6 x 4 ratings
 * give raw alpha 0.9093155 (equal to ICC3k) and standardised alpha 0.9269436. */
#include "covariance.h"
#include "fdist.h"
#include "kvq/memory.h"
#include "kvq/reliability.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Per item: mean, variance, and the sums over subjects that its deletion needs. */
typedef struct item_sums {
    double mean, var;
    double rest_c; /* sum_s (t_s - d_si)^2: the other items' total, squared */
    double rest_r; /* sum_s (z_s - d_si / sd_i)^2: their standardised total, squared */
    double cross;  /* sum_s d_si (t_s - d_si): the item against the others' total */
} item_sums;

/* Whole-set sums: of C (its total and trace) and of R, over the items with a variance. */
typedef struct set_sums {
    double total_c, trace_c, total_r;
    size_t constant; /* items with zero variance: their correlations are NaN */
} set_sums;

static double raw_alpha(double items, double trace_c, double total_c)
{
    return items / (items - 1.0) * (1.0 - trace_c / total_c);
}

static double std_alpha(double items, double total_r)
{
    return items / (items - 1.0) * (1.0 - items / total_r);
}

static double average_r(double items, double total_r)
{
    return (total_r - items) / (items * (items - 1.0));
}

/* Pass 1 and 2: column means and variances, and t (the centred totals, n values). */
static void moments(const double *x, size_t n, size_t k, item_sums *it, double *t, set_sums *s)
{
    for (size_t j = 0; j < k; j++) it[j] = (item_sums){0};
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) it[j].mean += x[i * k + j];
    for (size_t j = 0; j < k; j++) it[j].mean /= (double)n;
    double tt = 0.0;
    for (size_t i = 0; i < n; i++) {
        double ti = 0.0;
        for (size_t j = 0; j < k; j++) {
            double d = x[i * k + j] - it[j].mean;
            it[j].var += d * d;
            ti += d;
        }
        t[i] = ti, tt += ti * ti;
    }
    *s = (set_sums){.total_c = tt / ((double)n - 1.0)};
    for (size_t j = 0; j < k; j++) {
        it[j].var /= (double)n - 1.0;
        s->trace_c += it[j].var;
        s->constant += !(it[j].var > 0.0);
    }
}

/* Pass 3: per subject its standardised total z_s, then every item's deletion sums. */
static void deletion_sums(const double *x, size_t n, size_t k, item_sums *it, const double *t,
                          double *inv_sd, set_sums *s)
{
    for (size_t j = 0; j < k; j++) inv_sd[j] = it[j].var > 0.0 ? 1.0 / sqrt(it[j].var) : 0.0;
    double zz = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *row = x + i * k;
        double z = 0.0;
        for (size_t j = 0; j < k; j++) z += (row[j] - it[j].mean) * inv_sd[j];
        zz += z * z;
        for (size_t j = 0; j < k; j++) {
            double d = row[j] - it[j].mean, rest = t[i] - d, rest_z = z - d * inv_sd[j];
            it[j].rest_c += rest * rest;
            it[j].rest_r += rest_z * rest_z;
            it[j].cross += d * rest;
        }
    }
    s->total_r = zz / ((double)n - 1.0);
}

/* Alpha if item j is deleted, from the sums. A constant item makes every correlation with it NaN,
 * so sum R of a set is defined only when the set has none: the whole set when no item is
 * constant, the rest when j is the one constant item. */
static void fill_item(const item_sums *it, const set_sums *s, size_t n, size_t k,
                      kvq_alpha_item *item)
{
    double rest = (double)k - 1.0, dn = (double)n - 1.0;
    double total_c = it->rest_c / dn, cross = it->cross / dn;
    int constant = !(it->var > 0.0);
    double total_r = NAN;
    if (s->constant == 0)
        total_r = it->rest_r / dn;
    else if (s->constant == 1 && constant)
        total_r = s->total_r;
    int single = k == 2; /* one item left: it has no alpha */
    item->raw_alpha = single ? NAN : raw_alpha(rest, s->trace_c - it->var, total_c);
    item->std_alpha = single ? NAN : std_alpha(rest, total_r);
    item->average_r = single ? NAN : average_r(rest, total_r);
    double v = it->var * total_c;
    item->r_drop = v > 0.0 ? cross / sqrt(v) : NAN;
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
    if (!rc) rc = kvq_check_finite(x, n, k, "alpha", err);
    char what[96];
    snprintf(what, sizeof what, "alpha: the sums of %zu items over %zu subjects", k, n);
    double bytes = (double)k * (sizeof(item_sums) + sizeof(double)) + (double)n * sizeof(double);
    if (!rc) rc = kvq_memory_check(bytes, what, err);
    if (rc) return rc;
    item_sums *it = malloc(k * sizeof *it);
    double *t = malloc(n * sizeof *t), *inv_sd = malloc(k * sizeof *inv_sd);
    if (!it || !t || !inv_sd) {
        free(it), free(t), free(inv_sd);
        return kvq_fail(err, KVQ_ENOMEM, "alpha: no memory for %zu items", k);
    }
    set_sums s;
    moments(x, n, k, it, t, &s);
    deletion_sums(x, n, k, it, t, inv_sd, &s);
    double dk = (double)k, total_r = s.constant ? NAN : s.total_r;
    *out = (kvq_alpha){.n = n,
                       .k = k,
                       .level = level,
                       .raw = raw_alpha(dk, s.trace_c, s.total_c),
                       .std = std_alpha(dk, total_r),
                       .average_r = average_r(dk, total_r)};
    feldt(out);
    for (size_t j = 0; items && j < k; j++) fill_item(&it[j], &s, n, k, &items[j]);
    free(it), free(t), free(inv_sd);
    return KVQ_OK;
}
