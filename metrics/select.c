/* Order statistics by selection (metrics/select.h).
 *
 * Hoare's FIND (CACM 4(7), 1961, Algorithm 65) in Wirth's formulation (Algorithms + Data
 * Structures = Programs, 1976, 2.3.4): partition around the value at k, keep the side holding k,
 * repeat; expected 2n to 3n comparisons, and a run of equal values is split in the middle, so ties
 * cost no more than distinct values (and NaNs, in no defined place, cannot stall it). Adversarial
 * inputs can make it quadratic: after PASSES_MAX passes the remaining range is heap-sorted instead
 * (gsl_sort, O(m log m)). The quantile and the median then only read v[k] and v[k + 1], so handing
 * the partially ordered array to GSL's from-sorted-data functions gives exactly their
 * interpolation. */
#include "metrics/select.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stddef.h>

#define PASSES_MAX 64

static void select_kth(double *v, size_t n, size_t k_)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, k = (ptrdiff_t)k_;
    for (int pass = 0; lo < hi; pass++) {
        if (pass == PASSES_MAX) {
            gsl_sort(v + lo, 1, (size_t)(hi - lo + 1));
            return;
        }
        double pivot = v[k];
        ptrdiff_t i = lo, j = hi;
        do {
            while (v[i] < pivot) i++;
            while (pivot < v[j]) j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        } while (i <= j);
        if (j < k) lo = i;
        if (k < i) hi = j;
    }
}

void kvq_select_pair(double *v, size_t n, size_t k)
{
    select_kth(v, n, k);
    if (k + 1 >= n) return;
    size_t next = k + 1;
    for (size_t i = k + 2; i < n; i++)
        if (v[i] < v[next]) next = i;
    double t = v[k + 1];
    v[k + 1] = v[next];
    v[next] = t;
}

double kvq_quantile_select(double *v, size_t n, double f)
{
    const double index = f * (double)(n - 1);
    kvq_select_pair(v, n, (size_t)(int)index);
    return gsl_stats_quantile_from_sorted_data(v, 1, n, f);
}

void kvq_quantiles_select(double *v, size_t n, const double *f, size_t count, double *out)
{
    size_t lo = 0; /* v[0..lo) are the lo smallest values */
    for (size_t i = 0; i < count; i++) {
        size_t k = (size_t)(int)(f[i] * (double)(n - 1));
        if (k < lo) lo = 0; /* a quantile below the last one's: select from the whole array */
        kvq_select_pair(v + lo, n - lo, k - lo);
        out[i] = gsl_stats_quantile_from_sorted_data(v, 1, n, f[i]);
        lo = k + 1;
    }
}

double kvq_median_select(double *v, size_t n)
{
    kvq_select_pair(v, n, (n - 1) / 2);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}
