/* The downstream criterion (include/kvq/model.h): the model run with a codec applied against the
 * exact model, on the population's held-out sequences. At every position t < len - 1 of every
 * sequence, with p the exact and q the codec's next-token distribution and x the next token:
 *     kl_t = sum_v p(v) (log p(v) - log q(v)),   top1_t = [argmax q == argmax p],
 *     dnll_t = log p(x) - log q(x)   (the codec's NLL minus the exact model's).
 * next_kl, next_top1 and delta_nll are the means over positions; next_kl_p99 the 99th percentile
 * of kl_t (linear interpolation, as numpy.percentile). Each interval is a percentile bootstrap
 * over sequences (the positions of a sequence move together). */
#include "kvq/bootstrap.h"
#include "kvq/model.h"

#include <cblas.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRITERION_REPS 1000
#define CRITERION_LEVEL 0.95

/* A weight population: every tensor of the target replaced by its decode (or, for codecs that do
 * not decode, its product computed from the codec's scores). */
typedef struct weight_hook {
    const char *spec;
    kvq_model_target target;
    uint64_t seed;
} weight_hook;

static int codec_linear(void *ctx, kvq_model_weight w, int layer, const float *wt, size_t out,
                        size_t in, const float *x, size_t ntok, float *y, kvq_error *err)
{
    const weight_hook *h = ctx;
    if ((int)w != h->target.weight ||
        (h->target.layer >= 0 && layer != h->target.layer && w != KVQ_MW_HEAD))
        return 0;
    char label[64];
    snprintf(label, sizeof label, "criterion:%d:%d", (int)w, layer);
    kvq_rng rng;
    kvq_rng_derive(&rng, h->seed, label);
    kvq_codec codec;
    int rc = kvq_codec_open(&codec, h->spec, in, &rng, err);
    if (rc) return rc;
    uint8_t *codes = malloc(out * codec.code_bytes);
    float *dec = NULL;
    if (!codes) rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu codes", out);
    if (!rc) rc = kvq_codec_fit(&codec, wt, out, &rng, err);
    if (!rc) rc = kvq_codec_encode(&codec, wt, out, codes, err);
    if (!rc && kvq_codec_can_reconstruct(&codec)) {
        if (!(dec = malloc(out * in * sizeof *dec)))
            rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for a %zu x %zu decode", out, in);
        if (!rc) rc = kvq_codec_reconstruct(&codec, codes, out, dec, err);
        if (!rc)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)ntok, (int)out, (int)in, 1.0f,
                        x, (int)in, dec, (int)in, 0.0f, y, (int)out);
    } else {
        for (size_t t = 0; t < ntok && !rc; t++)
            rc = kvq_codec_score(&codec, x + t * in, codes, out, y + t * out, err);
    }
    free(codes);
    free(dec);
    kvq_codec_close(&codec);
    return rc ? rc : 1;
}

/* Per-position values, sequence-major: nseq x npos. */
typedef struct positions {
    size_t nseq, npos;
    double *kl, *top1, *dnll;
    double *work; /* nseq x npos, for the p99 */
} positions;

static double p99_stat(const size_t *idx, size_t n, void *ctx)
{
    const positions *p = ctx;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < p->npos; t++) p->work[m++] = p->kl[idx[i] * p->npos + t];
    gsl_sort(p->work, 1, m);
    return gsl_stats_quantile_from_sorted_data(p->work, 1, m, 0.99);
}

static void compare(const float *lp, const float *lq, const int32_t *tokens, size_t len,
                    size_t vocab, positions *p)
{
    for (size_t s = 0; s < p->nseq; s++)
        for (size_t t = 0; t < p->npos; t++) {
            const float *a = lp + (s * len + t) * vocab, *b = lq + (s * len + t) * vocab;
            double kl = 0;
            size_t ia = 0, ib = 0;
            for (size_t v = 0; v < vocab; v++) {
                kl += exp((double)a[v]) * ((double)a[v] - (double)b[v]);
                if (a[v] > a[ia]) ia = v;
                if (b[v] > b[ib]) ib = v;
            }
            size_t x = (size_t)tokens[s * len + t + 1], i = s * p->npos + t;
            p->kl[i] = kl;
            p->top1[i] = ia == ib;
            p->dnll[i] = (double)a[x] - (double)b[x];
        }
}

/* Interval of the mean over positions, resampling sequences: the mean of per-sequence means. */
static int seq_mean(const positions *p, const double *v, kvq_rng *rng, kvq_interval *out,
                    kvq_error *err)
{
    for (size_t s = 0; s < p->nseq; s++) {
        double sum = 0;
        for (size_t t = 0; t < p->npos; t++) sum += v[s * p->npos + t];
        p->work[s] = sum / (double)p->npos;
    }
    return kvq_bootstrap_mean(p->work, p->nseq, CRITERION_REPS, CRITERION_LEVEL, rng, out, err);
}

static int summarise(positions *p, kvq_rng *rng, kvq_criterion *out, kvq_error *err)
{
    int rc = seq_mean(p, p->kl, rng, &out->next_kl, err);
    if (!rc) rc = seq_mean(p, p->top1, rng, &out->next_top1, err);
    if (!rc) rc = seq_mean(p, p->dnll, rng, &out->delta_nll, err);
    if (!rc)
        rc = kvq_bootstrap(p->nseq, p99_stat, p, CRITERION_REPS, CRITERION_LEVEL, rng,
                           &out->next_kl_p99, err);
    return rc;
}

int kvq_model_criterion(const kvq_model *m, const kvq_population *pop, const char *spec,
                        const kvq_codec *fitted, uint64_t seed, kvq_rng *rng, kvq_criterion *out,
                        kvq_error *err)
{
    const kvq_model_target *tg = &pop->target;
    weight_hook wh = {spec, *tg, seed};
    kvq_model_hooks h = {.kv_layer = tg->layer};
    if (tg->weight >= 0) {
        h.ctx = &wh;
        h.linear = codec_linear;
    } else if (tg->kind == KVQ_ACT_K) {
        h.k_codec = fitted;
    } else if (tg->kind == KVQ_ACT_V && kvq_codec_can_reconstruct(fitted)) {
        h.v_codec = fitted;
    } else {
        return kvq_fail(err, KVQ_EUNSUPPORTED, "no criterion for %s",
                        tg->kind == KVQ_ACT_V ? "values through a codec that does not decode"
                                              : "this kind of activation (only k, v and weights)");
    }
    size_t nseq = pop->heldout_n, len = pop->heldout_len, vocab = m->cfg.vocab;
    if (len < 2) return kvq_fail(err, KVQ_EINVAL, "held-out sequences of fewer than 2 tokens");
    positions p = {.nseq = nseq, .npos = len - 1};
    size_t cells = nseq * p.npos;
    float *lp = malloc(nseq * len * vocab * sizeof *lp),
          *lq = malloc(nseq * len * vocab * sizeof *lq);
    p.kl = malloc(cells * sizeof *p.kl);
    p.top1 = malloc(cells * sizeof *p.top1);
    p.dnll = malloc(cells * sizeof *p.dnll);
    p.work = malloc(cells * sizeof *p.work);
    int rc = KVQ_OK;
    if (!lp || !lq || !p.kl || !p.top1 || !p.dnll || !p.work)
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu x %zu log-probabilities", nseq * len,
                      vocab);
    if (!rc) rc = kvq_model_forward(m, pop->heldout, nseq, len, NULL, lp, err);
    if (!rc) rc = kvq_model_forward(m, pop->heldout, nseq, len, &h, lq, err);
    if (!rc) {
        compare(lp, lq, pop->heldout, len, vocab, &p);
        rc = summarise(&p, rng, out, err);
    }
    free(lp);
    free(lq);
    free(p.kl);
    free(p.top1);
    free(p.dnll);
    free(p.work);
    return rc;
}
