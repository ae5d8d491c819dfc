/* Order statistics without sorting: what a few quantiles of many values need. Internal to the
 * library (metrics/, populations/, harness/). */
#ifndef KVQ_METRICS_SELECT_H
#define KVQ_METRICS_SELECT_H

#include <stddef.h>

/* Reorders v[0..n) (k < n) so that v[k] holds the value an ascending sort would put there, with no
 * greater value before it and no smaller one after it, and v[k + 1] (when k + 1 < n) the next
 * order statistic. Expected O(n). With NaNs among the values it ends, but
 * the order is unspecified. */
void kvq_select_pair(double *v, size_t n, size_t k);

/* The f-quantile (0 <= f <= 1) of v[0..n), n >= 1, bit for bit what
 * gsl_stats_quantile_from_sorted_data gives on v sorted ascending (linear interpolation between
 * the order statistics floor((n - 1) f) and the next: numpy's default, R type 7). Reorders v. */
double kvq_quantile_select(double *v, size_t n, double f);

/* out[i] = kvq_quantile_select(v, n, f[i]) for the count quantiles f, bit for bit; with f
 * ascending, each selection only reorders the values above the last one's order statistic.
 * Reorders v. */
void kvq_quantiles_select(double *v, size_t n, const double *f, size_t count, double *out);

/* The median of v[0..n), n >= 1, bit for bit what gsl_stats_median_from_sorted_data gives on v
 * sorted ascending. Reorders v. */
double kvq_median_select(double *v, size_t n);

#endif
