/* The psychometric layer (analysis/psychometrics.h). */
#include "analysis/psychometrics.h"
#include "analysis/error_structure.h"
#include "kvq/bootstrap.h"
#include "kvq/factors.h"
#include "kvq/kappa.h"
#include "kvq/population_key.h"
#include "kvq/reliability.h"

#include <ctype.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL 0.95
#define BINS 5
#define PARALLEL_SIMS 100
#define QUERY_REPS 1000 /* query-cluster bootstrap replicates */

typedef struct layer {
    kvq_run *run;
    kvq_loading_boot *boot;           /* where the loadings' replicates go (for congruence) */
    kvq_population_facts *facts;      /* the population's facts, which it extends */
    kvq_stat_rows *reliability, *fac; /* where its rows go */
    size_t p, n, k;                   /* population, subjects, items */
    size_t *variant;                  /* the items' variant indices */
    double *x;                        /* n x k scores */
    double *bins;                     /* n x (k + 1) quintile bins: exact first, then the items */
    double *pair;                     /* n x 2 scratch */
    int oom;
} layer;

static void stat(layer *L, const char *analysis, const char *item, const char *statistic,
                 double value, double lo, double hi)
{
    if (kvq_stat_add(L->reliability, L->p, analysis, item, statistic, value, lo, hi)) L->oom = 1;
}

static void factor_row(layer *L, const char *analysis, const char *item, const char *statistic,
                       double value)
{
    if (kvq_stat_add(L->fac, L->p, analysis, item, statistic, value, NAN, NAN)) L->oom = 1;
}

/* A stream of the population for one of the layer's random parts. */
static void stream(const layer *L, const char *part, kvq_rng *rng)
{
    kvq_population_stream(rng, L->run->spec.seed, part, &L->run->pops[L->p]);
}

static kvq_cell *item_cell(const layer *L, size_t i)
{
    return kvq_run_cell(L->run, L->p, L->variant[i]);
}

/* Quintile bin of each of the n values of column c of a (stride cols) by its rank among them
 * (ties share the bin of their first position), written to column c of out (stride out_cols). */
static int quintiles(const double *a, size_t cols, size_t c, size_t n, double *out, size_t out_cols)
{
    size_t *order = malloc(n * sizeof *order);
    if (!order) return -1;
    gsl_sort_index(order, a + c, cols, n);
    for (size_t r = 0; r < n;) {
        size_t end = r;
        while (end + 1 < n && a[order[end + 1] * cols + c] == a[order[r] * cols + c]) end++;
        double bin = floor((double)BINS * (double)r / (double)n);
        for (size_t i = r; i <= end; i++) out[order[i] * out_cols + c] = bin;
        r = end + 1;
    }
    free(order);
    return 0;
}

static void alpha(layer *L)
{
    kvq_alpha a;
    kvq_alpha_item *items = calloc(L->k, sizeof *items);
    if (!items) {
        L->oom = 1;
        return;
    }
    if (kvq_alpha_compute(L->x, L->n, L->k, LEVEL, &a, items, NULL) == KVQ_OK) {
        kvq_population_facts *f = L->facts;
        kvq_population_fact(f, "alpha_raw", a.raw);
        f->items[f->count - 1].ci_low = a.feldt_lo;
        f->items[f->count - 1].ci_high = a.feldt_hi;
        kvq_population_fact(f, "alpha_std", a.std);
        kvq_population_fact(f, "average_r", a.average_r);
        stat(L, "alpha", "", "raw_alpha", a.raw, a.feldt_lo, a.feldt_hi);
        stat(L, "alpha", "", "std_alpha", a.std, NAN, NAN);
        stat(L, "alpha", "", "average_r", a.average_r, NAN, NAN);
        for (size_t i = 0; i < L->k; i++) {
            kvq_cell *c = item_cell(L, i);
            kvq_cell_add(c, "alpha_if_deleted", items[i].raw_alpha, NAN, NAN);
            kvq_cell_add(c, "item_total_r", items[i].r_drop, NAN, NAN);
            stat(L, "alpha_if_deleted", c->variant, "raw_alpha", items[i].raw_alpha, NAN, NAN);
            stat(L, "alpha_if_deleted", c->variant, "std_alpha", items[i].std_alpha, NAN, NAN);
            stat(L, "alpha_if_deleted", c->variant, "average_r", items[i].average_r, NAN, NAN);
            stat(L, "alpha_if_deleted", c->variant, "r_drop", items[i].r_drop, NAN, NAN);
        }
    }
    free(items);
}

/* Every number of one ICC analysis into reliability.csv. */
static void icc_rows(layer *L, const char *analysis, const char *item, const kvq_icc *icc)
{
    for (int t = 0; t < KVQ_ICC_FORMS; t++) {
        const kvq_icc_form *f = &icc->form[t];
        char name[32];
        const char *form = kvq_icc_name((kvq_icc_type)t);
        stat(L, analysis, item, form, f->icc, f->lo, f->hi);
        snprintf(name, sizeof name, "%s_F", form);
        stat(L, analysis, item, name, f->f, NAN, NAN);
        snprintf(name, sizeof name, "%s_df1", form);
        stat(L, analysis, item, name, f->df1, NAN, NAN);
        snprintf(name, sizeof name, "%s_df2", form);
        stat(L, analysis, item, name, f->df2, NAN, NAN);
        snprintf(name, sizeof name, "%s_p", form);
        stat(L, analysis, item, name, f->p, NAN, NAN);
    }
}

static void icc_all(layer *L)
{
    kvq_icc icc;
    if (kvq_icc_compute(L->x, L->n, L->k, LEVEL, &icc, NULL) != KVQ_OK) return;
    icc_rows(L, "icc_all", "", &icc);
    kvq_population_facts *f = L->facts;
    for (int t = 0; t < KVQ_ICC_FORMS; t++) {
        char name[32];
        snprintf(name, sizeof name, "icc_all_%s", kvq_icc_name((kvq_icc_type)t));
        for (char *c = name; *c; c++) *c = (char)tolower((unsigned char)*c);
        kvq_population_fact(f, name, icc.form[t].icc);
        f->items[f->count - 1].ci_low = icc.form[t].lo;
        f->items[f->count - 1].ci_high = icc.form[t].hi;
    }
}

/* Each codec against the exact scores: ICC on the scores, kappa on the decisions. */
static void versus_exact(layer *L)
{
    const kvq_reference *ref = &L->run->refs[L->p];
    for (size_t i = 0; i < L->k; i++) {
        kvq_cell *c = item_cell(L, i);
        for (size_t s = 0; s < L->n; s++)
            L->pair[2 * s] = ref->subject_exact[s], L->pair[2 * s + 1] = L->x[s * L->k + i];
        kvq_icc icc;
        if (kvq_icc_compute(L->pair, L->n, 2, LEVEL, &icc, NULL) == KVQ_OK) {
            icc_rows(L, "icc_vs_exact", c->variant, &icc);
            kvq_cell_add(c, "icc2_vs_exact", icc.form[KVQ_ICC2].icc, icc.form[KVQ_ICC2].lo,
                         icc.form[KVQ_ICC2].hi);
            kvq_cell_add(c, "icc3_vs_exact", icc.form[KVQ_ICC3].icc, icc.form[KVQ_ICC3].lo,
                         icc.form[KVQ_ICC3].hi);
        }
        kvq_cohen kappa;
        for (size_t s = 0; s < L->n; s++)
            L->pair[2 * s] = ref->subject_top[s], L->pair[2 * s + 1] = c->subject_top[s];
        if (kvq_cohen_kappa(L->pair, L->n, 2, 0, 1, LEVEL, &kappa, NULL) == KVQ_OK) {
            const kvq_kappa_value *u = &kappa.w[KVQ_KAPPA_UNWEIGHTED];
            kvq_cell_add(c, "kappa_top_decile", u->kappa, u->lo, u->hi);
            stat(L, "kappa_top_decile", c->variant, "unweighted", u->kappa, u->lo, u->hi);
        }
        for (size_t s = 0; s < L->n; s++)
            L->pair[2 * s] = L->bins[s * (L->k + 1)],
                        L->pair[2 * s + 1] = L->bins[s * (L->k + 1) + 1 + i];
        if (kvq_cohen_kappa(L->pair, L->n, 2, 0, 1, LEVEL, &kappa, NULL) == KVQ_OK) {
            for (int w = 0; w < KVQ_KAPPA_WEIGHTS; w++) {
                const kvq_kappa_value *v = &kappa.w[w];
                stat(L, "kappa_quintile", c->variant, kvq_kappa_weight_name((kvq_kappa_weight)w),
                     v->kappa, v->lo, v->hi);
            }
            const kvq_kappa_value *q = &kappa.w[KVQ_KAPPA_QUADRATIC];
            kvq_cell_add(c, "kappa_quintile", q->kappa, q->lo, q->hi);
        }
    }
}

/* Cohen's kappa of each codec against exact again on one decision, labels (n x (k + 1): exact's
 * label of each subject first, then the k codecs'; integers below categories), with a
 * query-cluster bootstrap interval: reliability.csv analysis `name`, one row per codec and
 * weighting (only the unweighted one for the two-category top decile). */
static void kappa_bootstrap(layer *L, const char *name, const double *labels, size_t categories)
{
    const kvq_reference *ref = &L->run->refs[L->p];
    size_t k = L->k, W = KVQ_KAPPA_WEIGHTS;
    double *lo = malloc(k * W * sizeof *lo), *hi = malloc(k * W * sizeof *hi);
    kvq_rng rng;
    stream(L, name, &rng);
    if (!lo || !hi)
        L->oom = 1;
    else if (kvq_cohen_kappa_cluster_bootstrap(labels, L->n, k + 1, categories, ref->subject_query,
                                               L->run->pops[L->p].nq, QUERY_REPS, LEVEL, &rng, lo,
                                               hi, NULL) == KVQ_OK)
        for (size_t i = 0; i < k; i++) {
            kvq_cohen kappa;
            for (size_t s = 0; s < L->n; s++)
                L->pair[2 * s] = labels[s * (k + 1)],
                            L->pair[2 * s + 1] = labels[s * (k + 1) + 1 + i];
            if (kvq_cohen_kappa(L->pair, L->n, 2, 0, 1, LEVEL, &kappa, NULL) != KVQ_OK) continue;
            for (size_t w = 0; w < (categories > 2 ? W : 1); w++)
                stat(L, name, item_cell(L, i)->variant, kvq_kappa_weight_name((kvq_kappa_weight)w),
                     kappa.w[w].kappa, lo[i * W + w], hi[i * W + w]);
        }
    free(lo);
    free(hi);
}

/* Each codec's ICC2 and ICC3 against exact again with query-cluster bootstrap intervals
 * (reliability.csv analysis icc_vs_exact_query_bootstrap), all codecs' pairs from one set of
 * replicates (kvq_icc_pairs_cluster_bootstrap). */
static void versus_exact_bootstrap(layer *L)
{
    const kvq_reference *ref = &L->run->refs[L->p];
    size_t k = L->k, F = KVQ_ICC_FORMS;
    double *x = malloc(L->n * (k + 1) * sizeof *x);
    double *lo = malloc(k * F * sizeof *lo), *hi = malloc(k * F * sizeof *hi);
    kvq_rng rng;
    stream(L, "icc_vs_exact_query_bootstrap", &rng);
    if (!x || !lo || !hi) L->oom = 1;
    for (size_t s = 0; x && s < L->n; s++) {
        x[s * (k + 1)] = ref->subject_exact[s];
        for (size_t i = 0; i < k; i++) x[s * (k + 1) + 1 + i] = L->x[s * k + i];
    }
    if (!L->oom &&
        kvq_icc_pairs_cluster_bootstrap(x, L->n, k + 1, ref->subject_query, L->run->pops[L->p].nq,
                                        QUERY_REPS, LEVEL, &rng, lo, hi, NULL) == KVQ_OK)
        for (size_t i = 0; i < k; i++) {
            for (size_t s = 0; s < L->n; s++)
                L->pair[2 * s] = ref->subject_exact[s], L->pair[2 * s + 1] = L->x[s * k + i];
            kvq_icc icc;
            if (kvq_icc_compute(L->pair, L->n, 2, LEVEL, &icc, NULL) != KVQ_OK) continue;
            for (kvq_icc_type f = KVQ_ICC2; f <= KVQ_ICC3; f++)
                stat(L, "icc_vs_exact_query_bootstrap", item_cell(L, i)->variant, kvq_icc_name(f),
                     icc.form[f].icc, lo[i * F + f], hi[i * F + f]);
        }
    free(x);
    free(lo);
    free(hi);
}

/* Both kappa decisions of versus_exact with query-cluster intervals (analyses
 * kappa_top_decile_query_bootstrap and kappa_quintile_query_bootstrap). */
static void kappa_bootstraps(layer *L)
{
    const kvq_reference *ref = &L->run->refs[L->p];
    size_t k = L->k;
    double *top = malloc(L->n * (k + 1) * sizeof *top);
    if (!top) {
        L->oom = 1;
        return;
    }
    for (size_t s = 0; s < L->n; s++) {
        top[s * (k + 1)] = ref->subject_top[s];
        for (size_t i = 0; i < k; i++) top[s * (k + 1) + 1 + i] = item_cell(L, i)->subject_top[s];
    }
    kappa_bootstrap(L, "kappa_top_decile_query_bootstrap", top, 2);
    kappa_bootstrap(L, "kappa_quintile_query_bootstrap", L->bins, BINS);
    free(top);
}

static void fleiss(layer *L)
{
    double *codecs = malloc(L->n * L->k * sizeof *codecs);
    if (!codecs) {
        L->oom = 1;
        return;
    }
    for (size_t s = 0; s < L->n; s++)
        for (size_t i = 0; i < L->k; i++) codecs[s * L->k + i] = L->bins[s * (L->k + 1) + 1 + i];
    kvq_fleiss f;
    if (kvq_fleiss_kappa(codecs, L->n, L->k, &f, NULL) == KVQ_OK) {
        stat(L, "fleiss_quintile", "", "kappa", f.kappa, NAN, NAN);
        kvq_population_fact(L->facts, "fleiss_kappa_quintile", f.kappa);
    }
    free(codecs);
}

/* Alpha and the six ICCs of all items again, each with an interval from the query-cluster
 * bootstrap (include/kvq/reliability.h): subjects are (query, row) pairs, and the pairs of one
 * query move together. Rows alpha_query_bootstrap / icc_all_query_bootstrap, beside the analytic
 * Feldt and F intervals of alpha / icc_all. */
static void query_bootstrap(layer *L)
{
    const kvq_reference *ref = &L->run->refs[L->p];
    kvq_rng rng;
    stream(L, "query_bootstrap", &rng);
    kvq_alpha a;
    kvq_icc icc;
    kvq_cluster_intervals ci;
    if (kvq_alpha_compute(L->x, L->n, L->k, LEVEL, &a, NULL, NULL) ||
        kvq_icc_compute(L->x, L->n, L->k, LEVEL, &icc, NULL) ||
        kvq_cluster_bootstrap(L->x, L->n, L->k, ref->subject_query, L->run->pops[L->p].nq,
                              QUERY_REPS, LEVEL, &rng, &ci, NULL))
        return;
    stat(L, "alpha_query_bootstrap", "", "raw_alpha", a.raw, ci.alpha_lo, ci.alpha_hi);
    for (size_t t = 0; t < KVQ_ICC_FORMS; t++)
        stat(L, "icc_all_query_bootstrap", "", kvq_icc_name((kvq_icc_type)t), icc.form[t].icc,
             ci.icc_lo[t], ci.icc_hi[t]);
}

/* The first-factor loadings again with query-cluster intervals (factors.csv analysis
 * loading_query_bootstrap); the replicates are kept in L->boot for the congruence intervals. */
static void loadings_bootstrap(layer *L, const double *loadings)
{
    const kvq_reference *ref = &L->run->refs[L->p];
    size_t k = L->k;
    double *values = malloc(QUERY_REPS * k * sizeof *values),
           *one = malloc(QUERY_REPS * sizeof *one);
    size_t *variant = malloc(k * sizeof *variant);
    kvq_rng rng;
    stream(L, "loading_bootstrap", &rng);
    if (!values || !one || !variant ||
        kvq_loadings_cluster_bootstrap(L->x, L->n, k, ref->subject_query, L->run->pops[L->p].nq,
                                       QUERY_REPS, &rng, values, NULL) != KVQ_OK) {
        L->oom |= !values || !one || !variant;
        free(values), free(one), free(variant);
        return;
    }
    for (size_t i = 0; i < k; i++) {
        double lo, hi;
        for (size_t r = 0; r < QUERY_REPS; r++) one[r] = values[r * k + i];
        kvq_percentile_bounds(one, QUERY_REPS, LEVEL, &lo, &hi);
        if (kvq_stat_add(L->fac, L->p, "loading_query_bootstrap", item_cell(L, i)->variant,
                         "factor1", loadings[i], lo, hi))
            L->oom = 1;
        variant[i] = L->variant[i];
    }
    free(one);
    *L->boot = (kvq_loading_boot){.k = k, .reps = QUERY_REPS, .variant = variant, .values = values};
}

/* Factor structure of the codecs: scree, Horn's parallel analysis (seeded by the run seed and the
 * population key), first-factor loadings. */
static void factors(layer *L)
{
    kvq_rng rng;
    stream(L, "parallel", &rng);
    kvq_factors f;
    if (kvq_factors_compute(L->x, L->n, L->k, PARALLEL_SIMS, &rng, &f, NULL) != KVQ_OK) return;
    char name[32];
    for (size_t i = 0; i < L->k; i++) {
        snprintf(name, sizeof name, "eigenvalue_%zu", i + 1);
        factor_row(L, "scree", "", name, f.eigenvalues[i]);
    }
    for (size_t i = 0; i < L->k; i++) {
        snprintf(name, sizeof name, "simulated_%zu", i + 1);
        factor_row(L, "parallel", "", name, f.parallel_mean[i]);
    }
    for (size_t i = 0; i < L->k; i++) {
        kvq_cell *c = item_cell(L, i);
        factor_row(L, "loading", c->variant, "factor1", f.loadings[i]);
        kvq_cell_add(c, "factor1_loading", f.loadings[i], NAN, NAN);
    }
    factor_row(L, "summary", "", "first_share", f.first_share);
    factor_row(L, "summary", "", "kaiser", (double)f.kaiser);
    factor_row(L, "summary", "", "parallel", (double)f.parallel);
    kvq_population_facts *pf = L->facts;
    kvq_population_fact(pf, "factor1_share", f.first_share);
    kvq_population_fact(pf, "factors_kaiser", (double)f.kaiser);
    kvq_population_fact(pf, "factors_parallel", (double)f.parallel);
    loadings_bootstrap(L, f.loadings);
    kvq_factors_free(&f);
}

/* Alpha, the ICCs among all codecs and each codec's ICC2 and ICC3 against exact within each
 * stratum of subjects alone (harness/reference.h): analyses alpha_<stratum>, icc_all_<stratum>
 * and icc_vs_exact_<stratum> of reliability.csv, beside the pooled ones. */
static void strata(layer *L)
{
    const kvq_reference *ref = &L->run->refs[L->p];
    size_t k = L->k;
    double *x = malloc(L->n * k * sizeof *x), *pair = malloc(2 * L->n * sizeof *pair);
    for (int t = 0; x && pair && t < KVQ_STRATA; t++) {
        size_t m = 0;
        for (size_t s = 0; s < L->n; s++)
            if (ref->subject_stratum[s] == t) {
                for (size_t i = 0; i < k; i++) x[m * k + i] = L->x[s * k + i];
                pair[2 * m++] = ref->subject_exact[s];
            }
        char name[KVQ_STAT_NAME_MAX];
        const char *stratum = kvq_stratum_names[t];
        kvq_alpha a;
        kvq_icc icc;
        snprintf(name, sizeof name, "alpha_%s", stratum);
        if (k >= 2 && kvq_alpha_compute(x, m, k, LEVEL, &a, NULL, NULL) == KVQ_OK) {
            stat(L, name, "", "raw_alpha", a.raw, a.feldt_lo, a.feldt_hi);
            stat(L, name, "", "std_alpha", a.std, NAN, NAN);
            stat(L, name, "", "average_r", a.average_r, NAN, NAN);
        }
        snprintf(name, sizeof name, "icc_all_%s", stratum);
        if (k >= 2 && kvq_icc_compute(x, m, k, LEVEL, &icc, NULL) == KVQ_OK)
            icc_rows(L, name, "", &icc);
        snprintf(name, sizeof name, "icc_vs_exact_%s", stratum);
        for (size_t i = 0; i < k; i++) {
            for (size_t j = 0; j < m; j++) pair[2 * j + 1] = x[j * k + i];
            if (kvq_icc_compute(pair, m, 2, LEVEL, &icc, NULL) != KVQ_OK) continue;
            for (kvq_icc_type f = KVQ_ICC2; f <= KVQ_ICC3; f++)
                stat(L, name, item_cell(L, i)->variant, kvq_icc_name(f), icc.form[f].icc,
                     icc.form[f].lo, icc.form[f].hi);
        }
    }
    if (!x || !pair) L->oom = 1;
    free(x);
    free(pair);
}

static int gather(layer *L)
{
    kvq_run *run = L->run;
    const kvq_reference *ref = &run->refs[L->p];
    L->n = ref->nsubjects;
    L->variant = malloc(run->spec.nvariants * sizeof *L->variant);
    if (!L->variant) return -1;
    for (size_t v = 0; v < run->spec.nvariants; v++) {
        const kvq_cell *c = kvq_run_cell(run, L->p, v);
        if (c->status == KVQ_OK && c->nsubjects == L->n) L->variant[L->k++] = v;
    }
    L->x = malloc(L->n * (L->k + 1) * sizeof *L->x);
    L->bins = malloc(L->n * (L->k + 1) * sizeof *L->bins);
    L->pair = malloc(2 * L->n * sizeof *L->pair);
    double *all = malloc(L->n * (L->k + 1) * sizeof *all); /* exact, then the items */
    if (!L->x || !L->bins || !L->pair || !all) {
        free(all);
        return -1;
    }
    for (size_t s = 0; s < L->n; s++) {
        all[s * (L->k + 1)] = ref->subject_exact[s];
        for (size_t i = 0; i < L->k; i++) {
            double score = item_cell(L, i)->subject_score[s];
            L->x[s * L->k + i] = score;
            all[s * (L->k + 1) + 1 + i] = score;
        }
    }
    int rc = 0;
    for (size_t c = 0; c <= L->k && !rc; c++)
        rc = quintiles(all, L->k + 1, c, L->n, L->bins, L->k + 1);
    free(all);
    return rc;
}

void kvq_loading_boot_free(kvq_loading_boot *b)
{
    free(b->variant);
    free(b->values);
    *b = (kvq_loading_boot){0};
}

int kvq_psychometrics_run(kvq_run *run, size_t p, kvq_population_facts *facts,
                          kvq_stat_rows *reliability, kvq_stat_rows *factors_rows,
                          kvq_loading_boot *boot, kvq_error *err)
{
    layer L = {.run = run,
               .boot = boot,
               .p = p,
               .facts = facts,
               .reliability = reliability,
               .fac = factors_rows};
    *boot = (kvq_loading_boot){0};
    int rc = gather(&L);
    if (!rc && L.k >= 1) {
        versus_exact(&L);
        versus_exact_bootstrap(&L);
        kappa_bootstraps(&L);
        strata(&L);
    }
    if (!rc && L.k >= 2) {
        alpha(&L);
        icc_all(&L);
        query_bootstrap(&L);
        fleiss(&L);
        factors(&L);
    }
    int errors = !rc && !L.oom && L.k >= 1
                     ? kvq_error_structure_run(run, p, L.variant, L.k, factors_rows, err)
                     : KVQ_OK;
    free(L.variant);
    free(L.x);
    free(L.bins);
    free(L.pair);
    if (rc || L.oom)
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory in the psychometric layer",
                        run->pops[p].name);
    return errors;
}
