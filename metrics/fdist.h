/* Quantiles of the F distribution that hold for every degrees of freedom (internal to metrics/).
 *
 * GSL's gsl_cdf_fdist_Pinv/Qinv go through the beta inverse, which fails to converge and returns
 * NaN for some large degrees of freedom (e.g. df1 = 2047, df2 = 8188: the ICC and Feldt intervals
 * of 2048 subjects and 5 raters). There we solve Q(x; df1, df2) = tail with GSL's Brent root
 * finder on the upper-tail CDF, which stays accurate. */
#ifndef KVQ_METRICS_FDIST_H
#define KVQ_METRICS_FDIST_H

/* x with P(F > x) = tail, 0 < tail < 1, df1 and df2 finite and positive; NaN otherwise. */
double kvq_fdist_upper_quantile(double tail, double df1, double df2);

#endif
