/* Facts about each population (analysis/population_facts.h). */
#include "analysis/population_facts.h"
#include "backends/wht.h"
#include "kvq/population_key.h"
#include "metrics/moments.h"

#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kvq_population_fact(kvq_population_facts *f, const char *name, double value)
{
    if (f->count == KVQ_POPULATION_FACTS_MAX) return;
    kvq_metric_value *m = &f->items[f->count++];
    snprintf(m->name, sizeof m->name, "%s", name);
    m->value = value;
    m->ci_low = m->ci_high = m->rep_low = m->rep_high = NAN;
}

/* Excess kurtosis of the coordinates of the rows scaled to unit RMS (as the rotation codecs see
 * them: the norm is stored apart), before (*plain) and after (*rotated) the randomised WHT
 * rotation. Scaling each row first keeps a spread of row norms, which makes pooled coordinates
 * heavy-tailed whatever the rotation does, out of the comparison. */
static int row_kurtosis(const kvq_population *pop, uint64_t run_seed, double *plain,
                        double *rotated, kvq_error *err)
{
    char key[KVQ_POPULATION_KEY_MAX], label[KVQ_POPULATION_KEY_MAX + 16];
    kvq_population_key(pop, key, sizeof key);
    snprintf(label, sizeof label, "rotation|%s", key);
    kvq_rotation rot;
    int rc =
        kvq_rotation_init(&rot, pop->dim, kvq_hash64(run_seed, label), "population facts", err);
    if (rc) return rc;
    float *rows = malloc(pop->n * pop->dim * sizeof *rows);
    if (!rows) {
        kvq_rotation_free(&rot);
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory", pop->name);
    }
    for (size_t i = 0; i < pop->n; i++) {
        const float *x = pop->rows + i * pop->dim;
        float *y = rows + i * pop->dim;
        double sq = 0.0;
        for (size_t j = 0; j < pop->dim; j++) sq += (double)x[j] * x[j];
        double scale = sq > 0.0 ? sqrt((double)pop->dim / sq) : 1.0;
        for (size_t j = 0; j < pop->dim; j++) y[j] = (float)(x[j] * scale);
    }
    /* only the kurtosis: the rest of kvq_row_stats is computed once, on the rows as they are */
    *plain = kvq_kurtosis_float(rows, pop->n * pop->dim);
    for (size_t i = 0; i < pop->n; i++) kvq_rotation_apply(&rot, rows + i * pop->dim);
    *rotated = kvq_kurtosis_float(rows, pop->n * pop->dim);
    free(rows);
    kvq_rotation_free(&rot);
    return rc;
}

/* E|cos| between independent uniformly random directions in dimension d:
 * Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2)), about sqrt(2 / (pi d)). */
static double null_abs_cos(size_t d)
{
    return exp(gsl_sf_lngamma(0.5 * (double)d) - gsl_sf_lngamma(0.5 * ((double)d + 1.0))) /
           sqrt(M_PI);
}

int kvq_population_facts_compute(kvq_population_facts *f, const kvq_population *pop,
                                 uint64_t run_seed, kvq_error *err)
{
    memset(f, 0, sizeof *f);
    kvq_population_fact(f, "rows", (double)pop->n);
    kvq_population_fact(f, "dim", (double)pop->dim);
    kvq_population_fact(f, "queries", (double)pop->nq);
    kvq_row_stats s;
    double kurtosis_rows = NAN, kurtosis_wht = NAN;
    int rc = kvq_row_stats_compute(pop->rows, pop->n, pop->dim, &s, err);
    if (!rc) rc = row_kurtosis(pop, run_seed, &kurtosis_rows, &kurtosis_wht, err);
    if (rc) return kvq_error_wrap(err, "population '%s'", pop->name);
    kvq_population_fact(f, "norm_cv", s.norm_cv);
    kvq_population_fact(f, "norm_max_ratio", s.norm_max_ratio);
    kvq_population_fact(f, "mean_abs_cos", s.mean_abs_cos);
    kvq_population_fact(f, "mean_abs_cos_null", null_abs_cos(pop->dim));
    kvq_population_fact(f, "kurtosis", s.kurtosis);
    kvq_population_fact(f, "kurtosis_rows", kurtosis_rows);
    kvq_population_fact(f, "kurtosis_wht", kurtosis_wht);
    kvq_population_fact(f, "eff_rank", s.eff_rank);
    return KVQ_OK;
}
