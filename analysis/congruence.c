/* Congruence of the factor structure across populations (analysis/congruence.h).
 * Known answer (tests/test_error_structure.c, from R): psych::factor.congruence of the first
 * varimax factor of tests/golden/error_structure.csv against that of a second simulated
 * population. */
#include "analysis/congruence.h"

#include "kvq/bootstrap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const kvq_congruence_factors[] = {"score_factor1", "error_factor1", NULL};

/* Where each factor's loadings are in factors.csv: analysis and statistic. */
static const char *const sources[][2] = {{"loading", "factor1"}, {"error_loading", "factor1"}};

double kvq_congruence_phi(const double *x, const double *y, size_t n)
{
    double xy = 0.0, xx = 0.0, yy = 0.0;
    for (size_t i = 0; i < n; i++) xy += x[i] * y[i], xx += x[i] * x[i], yy += y[i] * y[i];
    if (n < 2 || !(xx > 0.0) || !(yy > 0.0)) return NAN;
    return xy / sqrt(xx * yy);
}

const char *kvq_congruence_verdict(double phi)
{
    if (isnan(phi)) return "n/a";
    return fabs(phi) >= 0.95 ? "equal" : fabs(phi) >= 0.85 ? "fair" : "different";
}

void kvq_congruence_free(kvq_congruence *c)
{
    free(c->items);
    memset(c, 0, sizeof *c);
}

/* The loading rows of one factor, grouped by population: first[p] .. first[p + 1] index row. */
static size_t collect(const kvq_stat_rows *rows, size_t npops, size_t factor,
                      const kvq_stat_row **row, size_t *first)
{
    size_t n = 0;
    for (size_t p = 0; p < npops; p++) {
        first[p] = n;
        for (size_t i = 0; i < rows->count; i++) {
            const kvq_stat_row *r = &rows->items[i];
            if (r->population == p && strcmp(r->analysis, sources[factor][0]) == 0 &&
                strcmp(r->statistic, sources[factor][1]) == 0)
                row[n++] = r;
        }
    }
    first[npops] = n;
    return n;
}

/* phi of populations a and b over their common variants (x, y: scratch). */
static kvq_congruence_row pair(const kvq_stat_row **row, const size_t *first, size_t a, size_t b,
                               double *x, double *y)
{
    kvq_congruence_row out = {.a = a, .b = b};
    for (size_t i = first[a]; i < first[a + 1]; i++)
        for (size_t j = first[b]; j < first[b + 1]; j++)
            if (strcmp(row[i]->item, row[j]->item) == 0) {
                x[out.n_variants] = row[i]->value;
                y[out.n_variants++] = row[j]->value;
                break;
            }
    out.phi = kvq_congruence_phi(x, y, out.n_variants);
    out.verdict = kvq_congruence_verdict(out.phi);
    out.ci_low = out.ci_high = NAN;
    return out;
}

/* The column of each of a's variants among b's, or SIZE_MAX. */
static size_t column_of(const kvq_loading_boot *b, size_t variant)
{
    for (size_t j = 0; j < b->k; j++)
        if (b->variant[j] == variant) return j;
    return SIZE_MAX;
}

int kvq_congruence_interval(const kvq_loading_boot *a, const kvq_loading_boot *b, double level,
                            double *lo, double *hi)
{
    size_t reps = a->reps < b->reps ? a->reps : b->reps, *ia = malloc((a->k + 1) * sizeof *ia);
    size_t *ib = malloc((a->k + 1) * sizeof *ib), m = 0;
    double *x = malloc((a->k + 1) * sizeof *x), *y = malloc((a->k + 1) * sizeof *y);
    double *phi = malloc((reps + 1) * sizeof *phi);
    int rc = ia && ib && x && y && phi ? KVQ_OK : KVQ_ENOMEM;
    for (size_t i = 0; !rc && i < a->k; i++) {
        size_t j = column_of(b, a->variant[i]);
        if (j != SIZE_MAX) ia[m] = i, ib[m++] = j;
    }
    for (size_t t = 0; !rc && t < reps; t++) {
        for (size_t i = 0; i < m; i++)
            x[i] = a->values[t * a->k + ia[i]], y[i] = b->values[t * b->k + ib[i]];
        phi[t] = kvq_congruence_phi(x, y, m);
    }
    *lo = *hi = NAN;
    if (!rc && reps) kvq_percentile_bounds(phi, reps, level, lo, hi);
    free(ia), free(ib), free(x), free(y), free(phi);
    return rc;
}

int kvq_congruence_compute(const kvq_run *run, const kvq_stat_rows *factors_rows,
                           const kvq_loading_boot *boot, kvq_congruence *out, kvq_error *err)
{
    size_t np = run->npops, nf = sizeof sources / sizeof *sources;
    memset(out, 0, sizeof *out);
    out->items = malloc((nf * np * np / 2 + 1) * sizeof *out->items);
    const kvq_stat_row **row = malloc((factors_rows->count + 1) * sizeof *row);
    size_t *first = malloc((np + 1) * sizeof *first);
    double *x = malloc(2 * (factors_rows->count + 1) * sizeof *x);
    int rc = out->items && row && first && x ? KVQ_OK : KVQ_ENOMEM;
    for (size_t f = 0; !rc && f < nf; f++) {
        collect(factors_rows, np, f, row, first);
        for (size_t a = 0; !rc && a < np; a++)
            for (size_t b = a + 1; !rc && b < np; b++) {
                kvq_congruence_row *r = &out->items[out->count++];
                *r = pair(row, first, a, b, x, x + factors_rows->count + 1);
                r->factor = kvq_congruence_factors[f];
                if (f == 0 && boot && boot[a].values && boot[b].values)
                    rc = kvq_congruence_interval(&boot[a], &boot[b], 0.95, &r->ci_low, &r->ci_high);
            }
    }
    free(row), free(first), free(x);
    if (rc) {
        kvq_congruence_free(out);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory comparing the populations' factors");
    }
    return KVQ_OK;
}
