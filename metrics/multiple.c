/* Holm and Benjamini-Hochberg adjusted p-values (include/kvq/multiple.h). Golden values:
 * tests/golden/gen_multiple.py (statsmodels multipletests). */
#include "kvq/multiple.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

/* The finite p-values' indices in ascending order of p, their count in *m; NaN ones get NaN in
 * out. Tied p-values come out in either order: both adjustments give ties the same value. NULL
 * when out of memory. */
static size_t *ascending(const double *p, size_t n, double *out, size_t *m)
{
    size_t *order = malloc((n + 1) * sizeof *order);
    double *kept = calloc(n + 1, sizeof *kept);
    size_t *index = malloc((n + 1) * sizeof *index);
    if (!order || !kept || !index) {
        free(order), free(kept), free(index);
        return NULL;
    }
    *m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(p[i])) continue;
        index[*m] = i;
        kept[(*m)++] = p[i];
    }
    gsl_sort_index(order, kept, 1, *m);
    for (size_t k = 0; k < *m; k++) order[k] = index[order[k]];
    for (size_t i = 0; i < n; i++)
        if (isnan(p[i])) out[i] = NAN;
    free(kept), free(index);
    return order;
}

int kvq_p_holm(const double *p, size_t n, double *out, kvq_error *err)
{
    size_t m;
    size_t *order = ascending(p, n, out, &m);
    if (!order) return kvq_fail(err, KVQ_ENOMEM, "Holm: no memory for %zu p-values", n);
    double running = 0.0;
    for (size_t k = 0; k < m; k++) {
        double adj = fmin(1.0, (double)(m - k) * p[order[k]]);
        running = fmax(running, adj);
        out[order[k]] = running;
    }
    free(order);
    return KVQ_OK;
}

int kvq_p_bh(const double *p, size_t n, double *out, kvq_error *err)
{
    size_t m;
    size_t *order = ascending(p, n, out, &m);
    if (!order)
        return kvq_fail(err, KVQ_ENOMEM, "Benjamini-Hochberg: no memory for %zu p-values", n);
    double running = 1.0;
    for (size_t k = m; k-- > 0;) {
        double adj = fmin(1.0, (double)m * p[order[k]] / (double)(k + 1));
        running = fmin(running, adj);
        out[order[k]] = running;
    }
    free(order);
    return KVQ_OK;
}
