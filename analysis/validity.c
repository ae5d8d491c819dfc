/* Criterion validity (analysis/validity.h). */
#include "analysis/validity.h"
#include "kvq/bootstrap.h"
#include "kvq/metrics.h"
#include "kvq/population_key.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALIDITY_REPS 1000
#define VALIDITY_LEVEL 0.95
#define VALIDITY_MIN 3

const char *const kvq_validity_proxies[] = {
    "pearson", "spearman", "kendall_tau_b", "recall@10", "recall@100",       "score_rmse",
    "rel_mse", "cosine",   "attn_kl",       "attn_top1", "attn_out_rel_err", "bits_per_coord",
    NULL};
const char *const kvq_validity_criteria[] = {"next_kl", "delta_nll", NULL};

int kvq_validity_higher_better(const char *proxy)
{
    static const char *const higher[] = {"pearson",    "spearman", "kendall_tau_b", "recall@10",
                                         "recall@100", "cosine",   "attn_top1"};
    for (size_t i = 0; i < sizeof higher / sizeof *higher; i++)
        if (strcmp(proxy, higher[i]) == 0) return 1;
    return 0;
}

/* Paired values of the variants, with scratch for the statistic. */
typedef struct pairs {
    double *x, *y; /* n each */
    double *rx, *ry, *work;
} pairs;

static double rho_of(const size_t *idx, size_t n, void *ctx)
{
    pairs *p = ctx;
    for (size_t i = 0; i < n; i++) p->rx[i] = p->x[idx[i]], p->ry[i] = p->y[idx[i]];
    return kvq_spearman(p->rx, p->ry, n, p->work);
}

/* The (proxy, criterion) values of population p's ok cells where both are finite; their count. */
static size_t collect(const kvq_run *run, size_t p, const char *proxy, const char *criterion,
                      pairs *out)
{
    size_t n = 0;
    for (size_t i = 0; i < run->ncells; i++) {
        const kvq_cell *c = &run->cells[i];
        if (c->population != p || !c->done || c->status) continue;
        double x = kvq_cell_metric(c, proxy), y = kvq_cell_metric(c, criterion);
        if (!isfinite(x) || !isfinite(y)) continue;
        out->x[n] = x;
        out->y[n++] = y;
    }
    return n;
}

static int one(const kvq_run *run, size_t p, const char *proxy, const char *criterion, pairs *buf,
               kvq_validity_row *row, kvq_error *err)
{
    *row = (kvq_validity_row){p, proxy, criterion, NAN, NAN, NAN, 0};
    size_t n = row->n_variants = collect(run, p, proxy, criterion, buf);
    if (n < VALIDITY_MIN) return KVQ_OK;
    char key[KVQ_POPULATION_KEY_MAX], label[KVQ_POPULATION_KEY_MAX + 128];
    kvq_population_key(&run->pops[p], key, sizeof key);
    snprintf(label, sizeof label, "validity|%s|%s|%s", key, proxy, criterion);
    kvq_rng rng;
    kvq_rng_derive(&rng, run->spec.seed, label);
    kvq_interval ci;
    int rc = kvq_bootstrap(n, rho_of, buf, VALIDITY_REPS, VALIDITY_LEVEL, &rng, &ci, err);
    if (rc) return rc;
    row->rho = ci.estimate;
    row->ci_low = ci.lo;
    row->ci_high = ci.hi;
    return KVQ_OK;
}

static int has_criterion(const kvq_run *run, size_t p)
{
    for (size_t i = 0; i < run->ncells; i++)
        if (run->cells[i].population == p && isfinite(kvq_cell_metric(&run->cells[i], "next_kl")))
            return 1;
    return 0;
}

int kvq_validity_compute(const kvq_run *run, kvq_validity *out, kvq_error *err)
{
    memset(out, 0, sizeof *out);
    size_t np = 0, nc = 0;
    while (kvq_validity_proxies[np]) np++;
    while (kvq_validity_criteria[nc]) nc++;
    size_t n = run->ncells ? run->ncells : 1;
    pairs buf = {malloc(n * sizeof(double)), malloc(n * sizeof(double)), malloc(n * sizeof(double)),
                 malloc(n * sizeof(double)), malloc((3 * n + 1) * sizeof(double))};
    out->items = malloc((run->npops ? run->npops : 1) * np * nc * sizeof *out->items);
    int rc = KVQ_OK;
    if (!buf.x || !buf.y || !buf.rx || !buf.ry || !buf.work || !out->items)
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for the validity table");
    for (size_t p = 0; p < run->npops && !rc; p++) {
        if (!has_criterion(run, p)) continue;
        for (size_t c = 0; c < nc && !rc; c++)
            for (size_t k = 0; k < np && !rc; k++)
                rc = one(run, p, kvq_validity_proxies[k], kvq_validity_criteria[c], &buf,
                         &out->items[out->count++], err);
    }
    free(buf.x), free(buf.y), free(buf.rx), free(buf.ry), free(buf.work);
    return rc;
}

void kvq_validity_free(kvq_validity *v)
{
    free(v->items);
    memset(v, 0, sizeof *v);
}
