/* The forward pass (include/kvq/model.h): every sequence prefilled at once, layer by layer, each
 * weight converted to f32 just before its product. */
#include "model_internal.h"
#include "populations/populations.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const act_names[KVQ_ACT_COUNT] = {
    "q", "k", "v", "attn_in", "attn_out", "mlp_in", "mlp_act", "hidden", "final"};

const char *kvq_act_name(kvq_act kind)
{
    return (unsigned)kind < KVQ_ACT_COUNT ? act_names[kind] : "?";
}

int kvq_act_parse(const char *name, kvq_act *out, kvq_error *err)
{
    for (int i = 0; i < KVQ_ACT_COUNT; i++) {
        if (strcmp(name, act_names[i]) == 0) {
            *out = (kvq_act)i;
            return KVQ_OK;
        }
    }
    return kvq_fail(err, KVQ_EINVAL,
                    "kind '%.64s' is unknown (known: q, k, v, attn_in, attn_out, mlp_in, mlp_act, "
                    "hidden, final)",
                    name);
}

size_t kvq_act_width(const kvq_model_config *cfg, kvq_act kind)
{
    switch (kind) {
    case KVQ_ACT_Q:
    case KVQ_ACT_ATTN_OUT:
        return cfg->heads * cfg->head_dim;
    case KVQ_ACT_K:
    case KVQ_ACT_V:
        return cfg->kv_heads * cfg->head_dim;
    case KVQ_ACT_MLP_ACT:
        return cfg->intermediate;
    default:
        return cfg->hidden;
    }
}

int kvq_model_check_tokens(const kvq_model *m, const int32_t *tokens, size_t nseq, size_t len,
                           const char *label, kvq_error *err)
{
    if (len == 0 || len > m->cfg.max_pos)
        return kvq_fail(err, KVQ_EINVAL,
                        "%s: sequences of %zu tokens (the model takes 1 to "
                        "max_position_embeddings = %zu)",
                        label, len, m->cfg.max_pos);
    for (size_t i = 0; i < nseq * len; i++)
        if (tokens[i] < 0 || (size_t)tokens[i] >= m->cfg.vocab)
            return kvq_fail(err, KVQ_EINVAL,
                            "%s: sequence %zu position %zu: token id %ld is outside the vocabulary "
                            "(0 to %zu)",
                            label, i / len, i % len, (long)tokens[i], m->cfg.vocab - 1);
    return KVQ_OK;
}

/* The working set of one pass. */
typedef struct pass {
    const kvq_model *m;
    const kvq_model_hooks *h;
    size_t nseq, len, ntok;
    float *x, *xn, *q, *k, *v, *att, *gate, *up, *tmp; /* activations, ntok rows */
    float *w, *vec;      /* the weight being applied; a norm or bias vector */
    float *cos, *sin;    /* len x head_dim / 2 */
    float *scores;       /* len x len */
    float *srow;         /* len */
    uint8_t *codes, *kc; /* K codes of a layer; of one (sequence, KV head) */
} pass;

static void pass_free(pass *p)
{
    float **bufs[] = {&p->x,   &p->xn, &p->q,   &p->k,   &p->v,   &p->att,    &p->gate, &p->up,
                      &p->tmp, &p->w,  &p->vec, &p->cos, &p->sin, &p->scores, &p->srow};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(*bufs[i]);
    free(p->codes);
    free(p->kc);
}

static int pass_alloc(pass *p, kvq_error *err)
{
    const kvq_model_config *c = &p->m->cfg;
    size_t n = p->ntok, qw = c->heads * c->head_dim, kvw = c->kv_heads * c->head_dim;
    size_t wmax = 0;
    for (int w = 0; w < KVQ_MW_COUNT; w++) {
        size_t out, in;
        kvq_model_weight_shape(c, (kvq_model_weight)w, &out, &in);
        if (out * in > wmax) wmax = out * in;
    }
    size_t vmax = c->hidden > qw ? c->hidden : qw;
    size_t half = p->len * (c->head_dim / 2);
    struct {
        float **b;
        size_t count;
    } want[] = {{&p->x, n * c->hidden},
                {&p->xn, n * c->hidden},
                {&p->q, n * qw},
                {&p->k, n * kvw},
                {&p->v, n * kvw},
                {&p->att, n * qw},
                {&p->gate, n * c->intermediate},
                {&p->up, n * c->intermediate},
                {&p->tmp, n * c->hidden},
                {&p->w, wmax},
                {&p->vec, vmax},
                {&p->cos, half},
                {&p->sin, half},
                {&p->scores, p->len * p->len},
                {&p->srow, p->len}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!(*want[i].b = malloc((want[i].count ? want[i].count : 1) * sizeof(float))))
            return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for %zu tokens", p->m->dir, n);
    const kvq_codec *kc = p->h ? p->h->k_codec : NULL;
    if (kc && (!(p->codes = malloc(n * c->kv_heads * kc->code_bytes)) ||
               !(p->kc = malloc(p->len * kc->code_bytes))))
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for K codes", p->m->dir);
    return KVQ_OK;
}

/* cos and sin of position t times inv_freq[i] = theta^(-2i / head_dim), as transformers'
 * rotate-half RoPE uses them for pair (i, i + head_dim / 2). */
static void rope_tables(pass *p)
{
    const kvq_model_config *c = &p->m->cfg;
    size_t half = c->head_dim / 2;
    for (size_t i = 0; i < half; i++) {
        double inv = pow(c->rope_theta, -(double)(2 * i) / (double)c->head_dim);
        for (size_t t = 0; t < p->len; t++) {
            double a = (double)t * inv;
            p->cos[t * half + i] = (float)cos(a);
            p->sin[t * half + i] = (float)sin(a);
        }
    }
}

/* Rotates the heads (nh of head_dim each) of every token's row of width ld. */
static void rope_apply(const pass *p, float *x, size_t nh, size_t ld)
{
    size_t d = p->m->cfg.head_dim, half = d / 2;
    for (size_t r = 0; r < p->ntok; r++) {
        size_t t = r % p->len;
        const float *cs = p->cos + t * half, *sn = p->sin + t * half;
        for (size_t h = 0; h < nh; h++) {
            float *v = x + r * ld + h * d;
            for (size_t i = 0; i < half; i++) {
                float a = v[i], b = v[i + half];
                v[i] = a * cs[i] - b * sn[i];
                v[i + half] = b * cs[i] + a * sn[i];
            }
        }
    }
}

/* out = RMSNorm(x) with the weight tensor t. */
static int rms_norm(pass *p, const kvq_tensor *t, const float *x, float *out, kvq_error *err)
{
    const kvq_model_config *c = &p->m->cfg;
    int rc = kvq_model_tensor_f32(p->m, t, p->vec, err);
    if (rc) return rc;
    for (size_t r = 0; r < p->ntok; r++) {
        const float *xr = x + r * c->hidden;
        double ss = 0;
        for (size_t j = 0; j < c->hidden; j++) ss += (double)xr[j] * xr[j];
        float s = (float)(1.0 / sqrt(ss / (double)c->hidden + c->rms_eps));
        for (size_t j = 0; j < c->hidden; j++) out[r * c->hidden + j] = p->vec[j] * (xr[j] * s);
    }
    return KVQ_OK;
}

static int observe(pass *p, kvq_act kind, int layer, const float *x, kvq_error *err)
{
    if (!p->h || !p->h->observe) return KVQ_OK;
    return p->h->observe(p->h->ctx, kind, layer, x, p->ntok, kvq_act_width(&p->m->cfg, kind), err);
}

/* y = x W^T (+ bias) for weight w of layer; the hook may replace the product. */
static int linear(pass *p, kvq_model_weight w, int layer, const float *x, float *y,
                  const kvq_tensor *bias, kvq_error *err)
{
    size_t out, in;
    kvq_model_weight_shape(&p->m->cfg, w, &out, &in);
    int rc = kvq_model_tensor_f32(p->m, kvq_model_weight_tensor(p->m, w, layer), p->w, err);
    if (rc) return rc;
    rc = p->h && p->h->linear ? p->h->linear(p->h->ctx, w, layer, p->w, out, in, x, p->ntok, y, err)
                              : 0;
    if (rc < 0) return rc;
    if (rc == 0)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)p->ntok, (int)out, (int)in, 1.0f,
                    x, (int)in, p->w, (int)in, 0.0f, y, (int)out);
    if (!bias) return KVQ_OK;
    if ((rc = kvq_model_tensor_f32(p->m, bias, p->vec, err))) return rc;
    for (size_t r = 0; r < p->ntok; r++)
        for (size_t j = 0; j < out; j++) y[r * out + j] += p->vec[j];
    return KVQ_OK;
}

static int kv_applies(const pass *p, int layer)
{
    return p->h && (p->h->kv_layer < 0 || p->h->kv_layer == layer);
}

/* 1 when the keys of layer are read through the K codec's score: a codec whose score is not
 * <q, decode> (signature and hybrid grades). A reconstruction-grade codec's keys are decoded in
 * place instead, which by its contract gives the same scores. */
static int k_scored(const pass *p, int layer)
{
    return kv_applies(p, layer) && p->h->k_codec &&
           p->h->k_codec->backend->grade != KVQ_GRADE_RECONSTRUCTION;
}

/* Scores of (sequence s, query head h) against the keys of its KV head g into p->scores (len x
 * len, scaled; only j <= t is used): exact by sgemm, or through the K codec. */
static int head_scores(pass *p, int layer, size_t s, size_t h, size_t g, kvq_error *err)
{
    const kvq_model_config *c = &p->m->cfg;
    size_t d = c->head_dim, qw = c->heads * d, kvw = c->kv_heads * d, L = p->len;
    float scale = (float)(1.0 / sqrt((double)d));
    const float *qs = p->q + s * L * qw + h * d;
    const kvq_codec *kc = k_scored(p, layer) ? p->h->k_codec : NULL;
    if (!kc) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)L, (int)L, (int)d, scale, qs,
                    (int)qw, p->k + s * L * kvw + g * d, (int)kvw, 0.0f, p->scores, (int)L);
        return KVQ_OK;
    }
    for (size_t t = 0; t < L; t++) {
        int rc = kvq_codec_score(kc, qs + t * qw, p->kc, t + 1, p->scores + t * L, err);
        if (rc) return rc;
        for (size_t j = 0; j <= t; j++) p->scores[t * L + j] *= scale;
    }
    return KVQ_OK;
}

/* Causal softmax of each row of p->scores over j <= t, in place (j > t set to 0). */
static void causal_softmax(pass *p)
{
    size_t L = p->len;
    for (size_t t = 0; t < L; t++) {
        float *r = p->scores + t * L;
        float mx = r[0];
        for (size_t j = 1; j <= t; j++) mx = r[j] > mx ? r[j] : mx;
        double sum = 0;
        for (size_t j = 0; j <= t; j++) sum += (r[j] = expf(r[j] - mx));
        float inv = (float)(1.0 / sum);
        for (size_t j = 0; j <= t; j++) r[j] *= inv;
        for (size_t j = t + 1; j < L; j++) r[j] = 0.0f;
    }
}

/* Encodes rows (count x head_dim) with codec into codes; decodes them back in place when decode. */
static int through(pass *p, const kvq_codec *codec, float *rows, size_t count, uint8_t *codes,
                   int decode, kvq_error *err)
{
    uint8_t *own = codes ? NULL : malloc(count * codec->code_bytes);
    if (!codes && !own) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for codes", p->m->dir);
    int rc = kvq_codec_encode(codec, rows, count, codes ? codes : own, err);
    if (!rc && decode) rc = kvq_codec_reconstruct(codec, codes ? codes : own, count, rows, err);
    free(own);
    return rc;
}

/* The keys and values of layer through the codecs, when they apply: K encoded (and decoded in
 * place unless read by score), V encoded and decoded in place. */
static int kv_codecs(pass *p, int layer, kvq_error *err)
{
    if (!kv_applies(p, layer)) return KVQ_OK;
    size_t rows = p->ntok * p->m->cfg.kv_heads;
    int rc = KVQ_OK;
    if (p->h->k_codec)
        rc = through(p, p->h->k_codec, p->k, rows, p->codes, !k_scored(p, layer), err);
    if (!rc && p->h->v_codec) rc = through(p, p->h->v_codec, p->v, rows, NULL, 1, err);
    return rc;
}

/* The K codes of sequence s and KV head g, gathered into p->kc in position order. */
static void gather_codes(pass *p, size_t s, size_t g)
{
    size_t cb = p->h->k_codec->code_bytes, kv = p->m->cfg.kv_heads;
    for (size_t t = 0; t < p->len; t++)
        memcpy(p->kc + t * cb, p->codes + ((s * p->len + t) * kv + g) * cb, cb);
}

static int attention(pass *p, int layer, kvq_error *err)
{
    const kvq_model_config *c = &p->m->cfg;
    size_t d = c->head_dim, qw = c->heads * d, kvw = c->kv_heads * d, L = p->len;
    size_t group = c->heads / c->kv_heads;
    int rc = kv_codecs(p, layer, err);
    int coded = k_scored(p, layer);
    for (size_t s = 0; s < p->nseq && !rc; s++)
        for (size_t g = 0; g < c->kv_heads && !rc; g++) {
            if (coded) gather_codes(p, s, g);
            for (size_t h = g * group; h < (g + 1) * group && !rc; h++) {
                if ((rc = head_scores(p, layer, s, h, g, err))) break;
                causal_softmax(p);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)L, (int)d, (int)L, 1.0f,
                            p->scores, (int)L, p->v + s * L * kvw + g * d, (int)kvw, 0.0f,
                            p->att + s * L * qw + h * d, (int)qw);
            }
        }
    return rc;
}

static int layer_pass(pass *p, int l, kvq_error *err)
{
    const kvq_model_config *c = &p->m->cfg;
    const kvq_model_layer *L = &p->m->layer[l];
    size_t n = p->ntok;
    int rc = rms_norm(p, L->attn_norm, p->x, p->xn, err);
    if (!rc) rc = observe(p, KVQ_ACT_ATTN_IN, l, p->xn, err);
    if (!rc) rc = linear(p, KVQ_MW_Q, l, p->xn, p->q, L->bias[0], err);
    if (!rc) rc = linear(p, KVQ_MW_K, l, p->xn, p->k, L->bias[1], err);
    if (!rc) rc = linear(p, KVQ_MW_V, l, p->xn, p->v, L->bias[2], err);
    if (rc) return rc;
    rope_apply(p, p->q, c->heads, c->heads * c->head_dim);
    rope_apply(p, p->k, c->kv_heads, c->kv_heads * c->head_dim);
    if (!rc) rc = observe(p, KVQ_ACT_Q, l, p->q, err);
    if (!rc) rc = observe(p, KVQ_ACT_K, l, p->k, err);
    if (!rc) rc = observe(p, KVQ_ACT_V, l, p->v, err);
    if (!rc) rc = attention(p, l, err);
    if (!rc) rc = observe(p, KVQ_ACT_ATTN_OUT, l, p->att, err);
    if (!rc) rc = linear(p, KVQ_MW_O, l, p->att, p->tmp, NULL, err);
    if (rc) return rc;
    for (size_t i = 0; i < n * c->hidden; i++) p->x[i] += p->tmp[i];
    rc = rms_norm(p, L->mlp_norm, p->x, p->xn, err);
    if (!rc) rc = observe(p, KVQ_ACT_MLP_IN, l, p->xn, err);
    if (!rc) rc = linear(p, KVQ_MW_GATE, l, p->xn, p->gate, NULL, err);
    if (!rc) rc = linear(p, KVQ_MW_UP, l, p->xn, p->up, NULL, err);
    if (rc) return rc;
    for (size_t i = 0; i < n * c->intermediate; i++) {
        float g = p->gate[i];
        p->gate[i] = g / (1.0f + expf(-g)) * p->up[i];
    }
    rc = observe(p, KVQ_ACT_MLP_ACT, l, p->gate, err);
    if (!rc) rc = linear(p, KVQ_MW_DOWN, l, p->gate, p->tmp, NULL, err);
    if (rc) return rc;
    for (size_t i = 0; i < n * c->hidden; i++) p->x[i] += p->tmp[i];
    return observe(p, KVQ_ACT_HIDDEN, l, p->x, err);
}

/* Log-softmax of each row of logits (rows x vocab), in place, accumulated in double. */
static void log_softmax(float *logits, size_t rows, size_t vocab)
{
    for (size_t r = 0; r < rows; r++) {
        float *z = logits + r * vocab;
        float mx = z[0];
        for (size_t v = 1; v < vocab; v++) mx = z[v] > mx ? z[v] : mx;
        double sum = 0;
        for (size_t v = 0; v < vocab; v++) sum += exp((double)z[v] - mx);
        double lse = mx + log(sum);
        for (size_t v = 0; v < vocab; v++) z[v] = (float)((double)z[v] - lse);
    }
}

int kvq_model_forward(const kvq_model *m, const int32_t *tokens, size_t nseq, size_t len,
                      const kvq_model_hooks *hooks, float *logp, kvq_error *err)
{
    int rc = kvq_model_check_tokens(m, tokens, nseq, len, m->dir, err);
    if (rc) return rc;
    const kvq_model_config *c = &m->cfg;
    pass p = {.m = m, .h = hooks, .nseq = nseq, .len = len, .ntok = nseq * len};
    rc = pass_alloc(&p, err);
    if (!rc) {
        rope_tables(&p);
        /* the embedding rows of the tokens, converted one at a time: scattered reads of a
         * large matrix, so no read-ahead (advice only) */
        kvq_map_advise(m->embed->data, (size_t)m->embed->nbytes, KVQ_ACCESS_RANDOM, NULL);
        for (size_t r = 0; r < p.ntok && !rc; r++) {
            float *row = p.x + r * c->hidden;
            kvq_tensor_read_row(m->embed, 0, (size_t)tokens[r], row);
            for (size_t j = 0; j < c->hidden && !rc; j++)
                if (!isfinite(row[j]))
                    rc = kvq_fail(err, KVQ_EFORMAT,
                                  "%s: tensor '%s' holds a non-finite value "
                                  "at [%ld, %zu]",
                                  m->dir, m->embed->name, (long)tokens[r], j);
        }
    }
    for (size_t l = 0; l < c->layers && !rc; l++) rc = layer_pass(&p, (int)l, err);
    if (!rc) rc = rms_norm(&p, m->norm, p.x, p.xn, err);
    if (!rc) rc = observe(&p, KVQ_ACT_FINAL, -1, p.xn, err);
    if (!rc && logp) {
        rc = linear(&p, KVQ_MW_HEAD, -1, p.xn, logp, NULL, err);
        if (!rc) log_softmax(logp, p.ntok, c->vocab);
    }
    pass_free(&p);
    return rc;
}

int kvq_model_sample(const kvq_model *m, kvq_rng *rng, size_t nseq, size_t len, int32_t *tokens,
                     kvq_error *err)
{
    if (len == 0 || len > m->cfg.max_pos)
        return kvq_fail(err, KVQ_EINVAL,
                        "%s: cannot sample %zu tokens (max_position_embeddings = %zu)", m->dir, len,
                        m->cfg.max_pos);
    int rc = KVQ_OK;
    size_t vocab = m->cfg.vocab;
    float *logp = malloc(nseq * len * vocab * sizeof *logp);
    int32_t *prefix = malloc(nseq * len * sizeof *prefix);
    if (!logp || !prefix) rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", m->dir);
    for (size_t s = 0; s < nseq && !rc; s++) tokens[s * len] = m->cfg.bos;
    /* step t: the first t tokens of every sequence give the distribution of token t */
    for (size_t t = 1; t < len && !rc; t++) {
        for (size_t s = 0; s < nseq; s++)
            memcpy(prefix + s * t, tokens + s * len, t * sizeof *prefix);
        rc = kvq_model_forward(m, prefix, nseq, t, NULL, logp, err);
        for (size_t s = 0; s < nseq && !rc; s++) {
            const float *lp = logp + (s * t + t - 1) * vocab;
            double u = kvq_rng_uniform(rng), acc = 0;
            size_t v = 0;
            for (; v + 1 < vocab; v++)
                if ((acc += exp((double)lp[v])) > u) break;
            tokens[s * len + t] = (int32_t)v;
        }
    }
    free(logp);
    free(prefix);
    return rc;
}
