/* Intraclass correlations (include/kvq/reliability.h), the six forms of Shrout & Fleiss (1979),
 * "Intraclass correlations: uses in assessing rater reliability", Psychological Bulletin 86(2),
 * with the F tests and intervals exactly as R psych::ICC (lmer = FALSE) computes them.
 *
 * Two-way ANOVA of n subjects (rows) by k judges (columns), r_i row means, c_j column means, g the
 * grand mean:
 *     MSB = k sum (r_i - g)^2 / (n - 1)               between subjects
 *     MSJ = n sum (c_j - g)^2 / (k - 1)               between judges
 *     MSE = sum (x_ij - r_i - c_j + g)^2 / ((n - 1)(k - 1))
 *     MSW = (SSJ + SSE) / (n (k - 1))                 within subjects
 *     ICC1 = (MSB - MSW) / (MSB + (k-1) MSW)          ICC1k = (MSB - MSW) / MSB
 *     ICC2 = (MSB - MSE) / (MSB + (k-1) MSE + k (MSJ - MSE) / n)
 *                                                     ICC2k = (MSB - MSE) / (MSB + (MSJ - MSE) / n)
 *     ICC3 = (MSB - MSE) / (MSB + (k-1) MSE)          ICC3k = (MSB - MSE) / MSB
 * F tests: ICC1 forms MSB/MSW on (n-1, n(k-1)) df; ICC2 and ICC3 forms MSB/MSE on (n-1,
 * (n-1)(k-1)). Intervals: ICC1 and ICC3 from F / F^-1(1 - a/2) and F * F^-1(1 - a/2) with the df
 * swapped; ICC2 from Satterthwaite's approximate df v (Shrout & Fleiss eq. 9), as psych. The
 * algebraically equal forms 1 - k/(F + k - 1) and 1 - 1/F keep a perfect agreement (F = Inf) at
 * bounds of 1. Known answer (tests/test_metrics_reliability.c, from psych and Shrout & Fleiss Table
 * 4): their 6 x 4 ratings give ICC1 0.17, ICC2 0.29, ICC3 0.71, ICC1k 0.44, ICC2k 0.62, ICC3k 0.91.
 */
#include "covariance.h"
#include "fdist.h"
#include "kvq/reliability.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

const char *kvq_icc_name(kvq_icc_type t)
{
    static const char *const names[KVQ_ICC_FORMS] = {"ICC1",  "ICC2",  "ICC3",
                                                     "ICC1k", "ICC2k", "ICC3k"};
    return t < KVQ_ICC_FORMS ? names[t] : "?";
}

/* Names the first non-finite value of row i (or its overflowing sum). */
static int bad_row(const double *row, size_t i, size_t k, kvq_error *err)
{
    for (size_t j = 0; j < k; j++)
        if (!isfinite(row[j]))
            return kvq_fail(err, KVQ_EINVAL, "ICC: value at row %zu, column %zu is not finite",
                            i + 1, j + 1);
    return kvq_fail(err, KVQ_ERANGE, "ICC: the sum of row %zu overflows", i + 1);
}

/* col[j] = mean of column j. The row sums, needed anyway, catch every non-finite value (it makes
 * its row's sum non-finite), so no separate pass checks the input. */
static int column_means(const double *x, size_t n, size_t k, double *col, kvq_error *err)
{
    for (size_t j = 0; j < k; j++) col[j] = 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < k; j++) s += x[i * k + j], col[j] += x[i * k + j];
        if (!isfinite(s)) return bad_row(x + i * k, i, k, err);
    }
    for (size_t j = 0; j < k; j++) col[j] /= (double)n;
    return KVQ_OK;
}

/* Mean squares of the two-way layout in a second pass over x, given the column means (turned
 * into deviations from the grand mean in place). */
static void mean_squares(const double *x, size_t n, size_t k, double *col, kvq_icc *out)
{
    double g = 0.0, ssj = 0.0, ssb = 0.0, sse = 0.0, dn = (double)n, dk = (double)k;
    for (size_t j = 0; j < k; j++) g += col[j];
    g /= dk;
    for (size_t j = 0; j < k; j++) col[j] -= g, ssj += col[j] * col[j];
    for (size_t i = 0; i < n; i++) {
        const double *row = x + i * k;
        double r = 0.0;
        for (size_t j = 0; j < k; j++) r += row[j];
        r /= dk;
        ssb += (r - g) * (r - g);
        for (size_t j = 0; j < k; j++) {
            double e = row[j] - r - col[j];
            sse += e * e;
        }
    }
    out->msb = dk * ssb / (dn - 1.0);
    out->msj = dn * ssj / (dk - 1.0);
    out->mse = sse / ((dn - 1.0) * (dk - 1.0));
    out->msw = (dn * ssj + sse) / (dn * (dk - 1.0));
}

/* Upper-tail p of F: 0 for F = Inf, NaN for NaN (GSL has no answer for either and must not be
 * asked: its iterations do not end on NaN). */
static double upper_p(double f, double df1, double df2)
{
    if (isnan(f)) return NAN;
    if (isinf(f)) return 0.0;
    return gsl_cdf_fdist_Q(f, df1, df2);
}

static void f_test(kvq_icc_form *form, double f, double df1, double df2)
{
    form->f = f, form->df1 = df1, form->df2 = df2, form->p = upper_p(f, df1, df2);
}

/* Bounds of a single-rater form from the F bounds fl, fu; of the k form when k == 1. */
static void bounds(kvq_icc_form *single, kvq_icc_form *average, double fl, double fu, double k)
{
    single->lo = 1.0 - k / (fl + k - 1.0), single->hi = 1.0 - k / (fu + k - 1.0);
    average->lo = 1.0 - 1.0 / fl, average->hi = 1.0 - 1.0 / fu;
}

/* ICC2's interval (Shrout & Fleiss eq. 9, as psych). */
static void icc2_bounds(kvq_icc *o, double tail)
{
    double n = (double)o->n, k = (double)o->k, icc = o->form[KVQ_ICC2].icc;
    /* Judges' F; when MSE is 0 it is Inf (v tends to k - 1) or 0/0 (MSJ is 0 too, and the bounds
     * reduce to n MSB / (n MSB) = 1 for any finite v). */
    double fj = o->msj / o->mse;
    double a = k * icc * fj + n * (1.0 + (k - 1.0) * icc) - k * icc;
    double vn = (k - 1.0) * (n - 1.0) * a * a;
    double b = n * (1.0 + (k - 1.0) * icc) - k * icc;
    double vd = (n - 1.0) * k * k * icc * icc * fj * fj + b * b;
    double v = isfinite(fj) ? vn / vd : k - 1.0;
    double fu = kvq_fdist_upper_quantile(tail, n - 1.0, v),
           fl = kvq_fdist_upper_quantile(tail, v, n - 1.0);
    double common = k * o->msj + (k * n - k - n) * o->mse;
    double lo = n * (o->msb - fu * o->mse) / (fu * common + n * o->msb);
    double hi = n * (fl * o->msb - o->mse) / (common + n * fl * o->msb);
    o->form[KVQ_ICC2].lo = lo, o->form[KVQ_ICC2].hi = hi;
    o->form[KVQ_ICC2K].lo = lo * k / (1.0 + lo * (k - 1.0));
    o->form[KVQ_ICC2K].hi = hi * k / (1.0 + hi * (k - 1.0));
}

void kvq_icc_coefficients(kvq_icc *o)
{
    double n = (double)o->n, k = (double)o->k, msb = o->msb, msw = o->msw, msj = o->msj;
    double mse = o->mse;
    o->form[KVQ_ICC1].icc = (msb - msw) / (msb + (k - 1.0) * msw);
    o->form[KVQ_ICC2].icc = (msb - mse) / (msb + (k - 1.0) * mse + k * (msj - mse) / n);
    o->form[KVQ_ICC3].icc = (msb - mse) / (msb + (k - 1.0) * mse);
    o->form[KVQ_ICC1K].icc = (msb - msw) / msb;
    o->form[KVQ_ICC2K].icc = (msb - mse) / (msb + (msj - mse) / n);
    o->form[KVQ_ICC3K].icc = (msb - mse) / msb;
}

static void tests_and_bounds(kvq_icc *o)
{
    double n = (double)o->n, k = (double)o->k, tail = (1.0 - o->level) / 2.0;
    double f1 = o->msb / o->msw, df1d = n * (k - 1.0);
    double f3 = o->msb / o->mse, df3d = (n - 1.0) * (k - 1.0);
    f_test(&o->form[KVQ_ICC1], f1, n - 1.0, df1d);
    f_test(&o->form[KVQ_ICC1K], f1, n - 1.0, df1d);
    static const kvq_icc_type residual_forms[] = {KVQ_ICC2, KVQ_ICC3, KVQ_ICC2K, KVQ_ICC3K};
    for (size_t i = 0; i < sizeof residual_forms / sizeof *residual_forms; i++)
        f_test(&o->form[residual_forms[i]], f3, n - 1.0, df3d);
    bounds(&o->form[KVQ_ICC1], &o->form[KVQ_ICC1K],
           f1 / kvq_fdist_upper_quantile(tail, n - 1.0, df1d),
           f1 * kvq_fdist_upper_quantile(tail, df1d, n - 1.0), k);
    bounds(&o->form[KVQ_ICC3], &o->form[KVQ_ICC3K],
           f3 / kvq_fdist_upper_quantile(tail, n - 1.0, df3d),
           f3 * kvq_fdist_upper_quantile(tail, df3d, n - 1.0), k);
    icc2_bounds(o, tail);
}

int kvq_icc_compute(const double *x, size_t n, size_t k, double level, kvq_icc *out, kvq_error *err)
{
    if (n < 2 || k < 2)
        return kvq_fail(err, KVQ_EINVAL,
                        "ICC: needs at least 2 subjects and 2 raters (got %zu x %zu)", n, k);
    int rc = kvq_check_level(level, "ICC", err);
    if (rc) return rc;
    double *col = malloc(k * sizeof *col);
    if (!col) return kvq_fail(err, KVQ_ENOMEM, "ICC: no memory for %zu raters", k);
    *out = (kvq_icc){.n = n, .k = k, .level = level};
    rc = column_means(x, n, k, col, err);
    if (!rc) mean_squares(x, n, k, col, out);
    free(col);
    if (rc) return rc;
    kvq_icc_coefficients(out);
    tests_and_bounds(out);
    return KVQ_OK;
}
