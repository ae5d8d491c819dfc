/* F quantiles for every degrees of freedom (metrics/fdist.h).
 * Known answer (tests/test_fdist.c, scipy.stats.f.isf): tail 0.025, df (2047, 8188) -> 1.07014746.
 */
#include "fdist.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>

typedef struct target {
    double tail, df1, df2;
} target;

static double excess_tail(double x, void *arg)
{
    const target *t = arg;
    return gsl_cdf_fdist_Q(x, t->df1, t->df2) - t->tail;
}

/* Brent on [lo, hi] where the upper tail falls from above `tail` to below it. */
static double solve(target *t)
{
    double lo = 0.0, hi = 1.0;
    while (excess_tail(hi, t) > 0.0) {
        lo = hi;
        hi *= 2.0;
        if (hi > 1e300) return NAN;
    }
    gsl_function f = {excess_tail, t};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s || gsl_root_fsolver_set(s, &f, lo, hi) != GSL_SUCCESS) {
        if (s) gsl_root_fsolver_free(s);
        return NAN;
    }
    double x = NAN;
    for (int i = 0; i < 200; i++) {
        if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) break;
        x = gsl_root_fsolver_root(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0.0,
                                   1e-14) == GSL_SUCCESS)
            break;
    }
    gsl_root_fsolver_free(s);
    return x;
}

double kvq_fdist_upper_quantile(double tail, double df1, double df2)
{
    if (!(tail > 0.0 && tail < 1.0 && df1 > 0.0 && df2 > 0.0 && isfinite(df1) && isfinite(df2)))
        return NAN;
    double x = gsl_cdf_fdist_Qinv(tail, df1, df2);
    if (isfinite(x)) return x;
    target t = {tail, df1, df2};
    return solve(&t);
}
