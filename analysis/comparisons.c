/* Paired comparisons of codec variants (analysis/comparisons.h). */
#include "analysis/comparisons.h"
#include "kvq/multiple.h"
#include "kvq/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL 0.95

int kvq_compare_matched(double bits_a, double bits_b)
{
    return isfinite(bits_a) && isfinite(bits_b) &&
           fabs(bits_a - bits_b) <= KVQ_COMPARE_BAND * fmax(bits_a, bits_b);
}

/* Keeps the queries where both a and b (scaled) are defined, compacted to the front. */
static size_t both_defined(double *a, double *b, size_t n, double scale)
{
    size_t k = 0;
    for (size_t q = 0; q < n; q++) {
        if (!isfinite(a[q]) || !isfinite(b[q])) continue;
        a[k] = a[q];
        b[k++] = scale * b[q];
    }
    return k;
}

static double mean(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += x[i];
    return sum / (double)n;
}

int kvq_compare_pair(const kvq_facts *f, const char *population, const char *a, const char *b,
                     const char *metric, double scale, kvq_comparison *out, kvq_error *err)
{
    *out = (kvq_comparison){.population = population, .a = a, .b = b, .metric = metric};
    out->p_holm = out->p_bh = NAN;
    out->bits_a = kvq_facts_value(f, a, population, "bits_per_coord_total");
    out->bits_b = kvq_facts_value(f, b, population, "bits_per_coord_total");
    for (size_t i = 0; i < f->npopulations; i++)
        if (strcmp(f->populations[i], population) == 0 && f->labels) out->label = f->labels[i];
    double *x = NULL, *y = NULL;
    long na = kvq_facts_queries(f, a, population, metric, &x);
    long nb = na > 0 ? kvq_facts_queries(f, b, population, metric, &y) : 0;
    int rc = KVQ_OK;
    if (na < 0 || nb < 0)
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory comparing %s with %s", a, b);
    else if (na == 0 || nb == 0)
        rc = kvq_fail(err, KVQ_EINVAL, "no per-query %s of %s on %s in queries.csv", metric,
                      na == 0 ? a : b, population);
    else if (na != nb)
        rc = kvq_fail(err, KVQ_EFORMAT, "%s and %s have %ld and %ld queries on %s", a, b, na, nb,
                      population);
    if (!rc && (out->n = both_defined(x, y, (size_t)na, scale)) == 0)
        rc = kvq_fail(err, KVQ_EINVAL, "no query of %s defines %s for both %s and %s", population,
                      metric, a, b);
    if (!rc) {
        out->mean_a = mean(x, out->n);
        out->mean_b = mean(y, out->n);
        char label[4 * 1024];
        snprintf(label, sizeof label, "compare|%s|%s|%s|%s", metric, population, a, b);
        kvq_rng rng;
        kvq_rng_derive(&rng, 0, label);
        rc = kvq_bootstrap_paired(x, y, out->n, KVQ_COMPARE_REPS, LEVEL, &rng, &out->paired, err);
    }
    free(x);
    free(y);
    return rc;
}

int kvq_compare_adjust(kvq_comparison *c, size_t n, kvq_error *err)
{
    double *p = calloc(n + 1, sizeof *p), *adj = calloc(n + 1, sizeof *adj);
    int rc = p && adj ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "out of memory adjusting %zu p", n);
    for (size_t i = 0; !rc && i < n; i++) p[i] = c[i].paired.p;
    if (!rc) rc = kvq_p_holm(p, n, adj, err);
    for (size_t i = 0; !rc && i < n; i++) c[i].p_holm = adj[i];
    if (!rc) rc = kvq_p_bh(p, n, adj, err);
    for (size_t i = 0; !rc && i < n; i++) c[i].p_bh = adj[i];
    free(p);
    free(adj);
    return rc;
}
