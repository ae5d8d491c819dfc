/* Generalizability theory on each population (analysis/generalizability.h). */
#include "analysis/generalizability.h"
#include "kvq/gtheory.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct gstudy {
    kvq_stat_rows *rows;
    size_t p;
    const char *analysis, *item;
    int oom;
} gstudy;

static void add(gstudy *g, const char *statistic, const char *effect, double value)
{
    char name[KVQ_STAT_NAME_MAX];
    if (effect) snprintf(name, sizeof name, "%s_%s", statistic, effect);
    if (kvq_stat_add(g->rows, g->p, g->analysis, g->item, effect ? name : statistic, value, NAN,
                     NAN))
        g->oom = 1;
}

/* Every number of one effect's row; share = its component over total (NaN when total is 0). */
static void effect_rows(gstudy *g, const char *effect, const kvq_gtheory_row *r, double total)
{
    add(g, "df", effect, r->df);
    add(g, "ms", effect, r->ms);
    add(g, "raw", effect, r->raw);
    add(g, "sigma2", effect, r->sigma2);
    add(g, "negative", effect, r->negative);
    add(g, "share", effect, total > 0.0 ? r->sigma2 / total : NAN);
}

static void study_rows(gstudy *g, const kvq_gtheory *s)
{
    double total = 0.0;
    for (int e = 0; e < KVQ_GT_EFFECTS; e++)
        if (!isnan(s->row[e].sigma2)) total += s->row[e].sigma2;
    for (int e = 0; e < KVQ_GT_EFFECTS; e++)
        effect_rows(g, kvq_gtheory_effect_name((kvq_gtheory_effect)e), &s->row[e], total);
    add(g, "tau", NULL, s->tau);
    add(g, "delta", NULL, s->delta);
    add(g, "Delta", NULL, s->Delta);
    add(g, "G", NULL, s->g);
    add(g, "Phi", NULL, s->phi);
}

static void codec_rows(gstudy *g, const kvq_gtheory_sr *s)
{
    static const char *const names[KVQ_GT_SR_EFFECTS] = {"s", "r", "sr"};
    double total = s->row[KVQ_GT_S].sigma2 + s->row[KVQ_GT_R].sigma2 + s->row[KVQ_GT_SR].sigma2;
    for (int e = 0; e < KVQ_GT_SR_EFFECTS; e++) effect_rows(g, names[e], &s->row[e], total);
    add(g, "G", NULL, s->g);
    add(g, "Phi", NULL, s->phi);
}

/* y[((q * np + j) * nc + c) * nr + r] for codec c of variants, measure error or score. */
static void fill(const kvq_run *run, size_t p, const size_t *variants, size_t nc, size_t nr,
                 int error, double *y)
{
    const kvq_reference *ref = &run->refs[p];
    size_t nq = run->pops[p].nq, ns = ref->nsubjects, np = ns / nq;
    for (size_t c = 0; c < nc; c++) {
        const kvq_cell *cell = kvq_run_cell(run, p, variants[c]);
        for (size_t s = 0; s < ns; s++) {
            size_t q = s % nq, j = s / nq, at = ((q * np + j) * nc + c) * nr;
            double exact = error ? ref->subject_exact[s] : 0.0;
            y[at] = cell->subject_score[s] - exact;
            for (size_t r = 1; r < nr; r++)
                y[at + r] = cell->replicate_score[(r - 1) * ns + s] - exact;
        }
    }
}

int kvq_generalizability_run(const kvq_run *run, size_t p, kvq_stat_rows *rows, kvq_error *err)
{
    const kvq_reference *ref = &run->refs[p];
    size_t nq = run->pops[p].nq, ns = ref->nsubjects, nr = run->spec.replicates, nc = 0;
    size_t np = nq ? ns / nq : 0;
    size_t *variants = malloc((run->spec.nvariants + 1) * sizeof *variants);
    if (!variants) return kvq_fail(err, KVQ_ENOMEM, "out of memory for the G study");
    for (size_t v = 0; v < run->spec.nvariants; v++) {
        const kvq_cell *c = kvq_run_cell(run, p, v);
        if (c->status == KVQ_OK && c->nsubjects == ns && ns && c->nreplicates == nr)
            variants[nc++] = v;
    }
    double *y = nq >= 2 && np >= 2 && nc >= 1 ? malloc(ns * nc * nr * sizeof *y) : NULL;
    int oom = nq >= 2 && np >= 2 && nc >= 1 && !y;
    static const char *const measures[] = {"score", "error"};
    for (int m = 0; y && m < 2; m++) {
        char analysis[KVQ_STAT_NAME_MAX];
        fill(run, p, variants, nc, nr, m, y);
        snprintf(analysis, sizeof analysis, "gstudy_%s", measures[m]);
        gstudy g = {rows, p, analysis, "", 0};
        kvq_gtheory study;
        if (nc >= 2 && kvq_gtheory_study(y, nq, np, nc, nr, &study, NULL) == KVQ_OK)
            study_rows(&g, &study);
        snprintf(analysis, sizeof analysis, "gcodec_%s", measures[m]);
        for (size_t c = 0; nr >= 2 && c < nc; c++) {
            kvq_gtheory_sr one;
            g.item = kvq_run_cell(run, p, variants[c])->variant;
            if (kvq_gtheory_codec(y, nq, np, nc, nr, c, &one, NULL) == KVQ_OK) codec_rows(&g, &one);
        }
        oom |= g.oom;
    }
    free(y);
    free(variants);
    return oom ? kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory in the G study",
                          run->pops[p].name)
               : KVQ_OK;
}
