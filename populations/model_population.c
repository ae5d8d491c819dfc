/* model:DIR#options: populations from a model that runs (include/kvq/model.h).
 *
 *   kind=K    activations K (q, k, v, attn_in, attn_out, mlp_in, mlp_act, hidden, final) of the
 *             model on sequences it samples itself: per-head vectors (head_dim) for q, k and v
 *             (head=H one head, head=all, the default, pools the heads), per-token vectors
 *             otherwise. For kind=k the queries are the model's own post-RoPE query vectors of
 *             the heads that read those keys, and the population is causal (attention metrics
 *             let a query at position t of sequence s score only the keys of s, of its layer and
 *             KV head, at positions <= t). Other kinds hold out rows of the same pool as queries.
 *   role=R    weight rows of role R sampled as safetensors: does, with real queries: the inputs
 *             of that matrix (attn_in for q_proj, k_proj and v_proj; attn_out for o_proj; mlp_in
 *             for mlp_gate and mlp_up; mlp_act for mlp_down; the final normed hidden state for
 *             lm_head and for the tied embedding), so that the scores X W^T are the layer's
 *             outputs.
 *   layer=L   one layer (default: every layer, pooled); seqs=N, tokens=T: the sampled sequences
 *             (default 8 of 64 tokens, at most max_position_embeddings); seed=S; rows=, queries=.
 *   chain=1   (the default) a role of square matrices over every layer also carries the model's
 *             own layers of that role, whole and in order, as its chain (include/kvq/chain.h);
 *             residual=1 makes it the residual chain, with the RMSNorm weights of the sub-block
 *             each matrix belongs to (input_layernorm for q, k, v and o; post_attention_layernorm
 *             for gate, up and down) and the config's rms_norm_eps.
 * Every row and query records its (layer, sequence, position, head). The criterion's held-out
 * sequences (as many, as long) are drawn from another stream of the same seed. Streams derive
 * from the seed and the option values, never from the folder's path: the same checkpoint in two
 * places gives the same population. */
#include "kvq/memory.h"
#include "kvq/model.h"
#include "populations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ROWS 4096
#define MAX_ROWS (1L << 24)

static const kvq_param_doc model_options[] = {
    {"kind", "", "activations: q, k, v, attn_in, attn_out, mlp_in, mlp_act, hidden, final"},
    {"role", "", "weight rows of this role, queried by the matrix's real inputs"},
    {"layer", "", "one layer (default: every layer)"},
    {"head", "all", "q/k/v: one head, or all"},
    {"seqs", "8", "sequences sampled from the model"},
    {"tokens", "64", "tokens per sequence"},
    {"rows", "", "rows to sample (default min(4096, all but the queries))"},
    {"queries", "", "queries (default min(256, total/5))"},
    {"seed", "", "sampling seed (default: the run's --seed)"},
    {"chain", "1", "role= of square matrices, every layer: chain collapse over the model's layers"},
    {"residual", "0", "1: the chain adds the residual connection and RMSNorm of each layer"},
    {NULL, NULL, NULL},
};

/* The activation pool being captured: kind at layer (or every layer), one row per (layer,
 * token, head), with its origin. */
typedef struct pool {
    const kvq_model_config *cfg;
    kvq_act kind;
    int layer;  /* -1: every layer */
    long head;  /* -1: every head */
    size_t len; /* tokens per sequence */
    size_t dim, count, cap;
    float *rows;
    kvq_origin *origin;
} pool;

static int pool_observe(void *ctx, kvq_act kind, int layer, const float *x, size_t ntok,
                        size_t width, kvq_error *err)
{
    pool *p = ctx;
    if (kind != p->kind || (p->layer >= 0 && layer != p->layer)) return KVQ_OK;
    size_t heads = width / p->dim, group = 1;
    if (kind == KVQ_ACT_Q) group = p->cfg->heads / p->cfg->kv_heads;
    for (size_t t = 0; t < ntok; t++)
        for (size_t h = 0; h < heads; h++) {
            /* the KV head: of a k/v row, or the one a query head reads */
            long kvh = heads > 1 ? (long)(h / group) : -1;
            if (p->head >= 0 && kvh != p->head) continue;
            if (p->count == p->cap) {
                size_t cap = p->cap ? 2 * p->cap : 1024;
                float *r = realloc(p->rows, cap * p->dim * sizeof *r);
                if (r) p->rows = r;
                kvq_origin *o = r ? realloc(p->origin, cap * sizeof *o) : NULL;
                if (!o) return kvq_fail(err, KVQ_ENOMEM, "out of memory for activations");
                p->origin = o;
                p->cap = cap;
            }
            memcpy(p->rows + p->count * p->dim, x + t * width + h * p->dim, p->dim * sizeof(float));
            p->origin[p->count++] = (kvq_origin){(int32_t)layer, (int32_t)(t / p->len),
                                                 (int32_t)(t % p->len), (int32_t)kvh};
        }
    return KVQ_OK;
}

static void pool_free(pool *p)
{
    free(p->rows);
    free(p->origin);
}

/* The input activation of a role's matrix, and which weight it is. */
static int role_input(const kvq_model *m, kvq_role role, kvq_act *kind, int *weight, kvq_error *err)
{
    switch (role) {
    case KVQ_ROLE_ATTN_Q:
        *kind = KVQ_ACT_ATTN_IN, *weight = KVQ_MW_Q;
        return KVQ_OK;
    case KVQ_ROLE_ATTN_K:
        *kind = KVQ_ACT_ATTN_IN, *weight = KVQ_MW_K;
        return KVQ_OK;
    case KVQ_ROLE_ATTN_V:
        *kind = KVQ_ACT_ATTN_IN, *weight = KVQ_MW_V;
        return KVQ_OK;
    case KVQ_ROLE_ATTN_O:
        *kind = KVQ_ACT_ATTN_OUT, *weight = KVQ_MW_O;
        return KVQ_OK;
    case KVQ_ROLE_MLP_GATE:
        *kind = KVQ_ACT_MLP_IN, *weight = KVQ_MW_GATE;
        return KVQ_OK;
    case KVQ_ROLE_MLP_UP:
        *kind = KVQ_ACT_MLP_IN, *weight = KVQ_MW_UP;
        return KVQ_OK;
    case KVQ_ROLE_MLP_DOWN:
        *kind = KVQ_ACT_MLP_ACT, *weight = KVQ_MW_DOWN;
        return KVQ_OK;
    case KVQ_ROLE_OUTPUT_HEAD:
        *kind = KVQ_ACT_FINAL, *weight = KVQ_MW_HEAD;
        return KVQ_OK;
    case KVQ_ROLE_VOCAB_EMBED:
        if (!m->cfg.tied)
            return kvq_fail(err, KVQ_EINVAL,
                            "role vocab: the embedding of an untied model is looked up, not "
                            "multiplied (use role=lm_head)");
        *kind = KVQ_ACT_FINAL, *weight = KVQ_MW_HEAD;
        return KVQ_OK;
    default:
        return kvq_fail(err, KVQ_EINVAL, "role %s is not a matrix of the model's forward pass",
                        kvq_role_name(role));
    }
}

typedef struct request {
    char dir[KVQ_TEXT_MAX];
    kvq_params opt;
    kvq_act kind;
    kvq_role role;
    int is_role;
    long layer, head;
    size_t seqs, tokens;
    uint64_t seed;
} request;

static int parse(request *rq, const char *spec, const char *rest, uint64_t run_seed, kvq_error *err)
{
    memset(rq, 0, sizeof *rq);
    const char *hash = strrchr(rest, '#');
    size_t plen = hash ? (size_t)(hash - rest) : strlen(rest);
    if (plen == 0 || plen >= sizeof rq->dir || !hash)
        return kvq_fail(err, KVQ_EINVAL, "missing or too long folder, or no #kind= or #role=");
    memcpy(rq->dir, rest, plen);
    int rc = kvq_params_parse_pairs(hash + 1, '&', spec, &rq->opt, err);
    snprintf(rq->opt.name, sizeof rq->opt.name, "model");
    if (!rc) rc = kvq_params_apply_defaults(&rq->opt, model_options, err);
    if (rc) return rc;
    const char *kind = kvq_params_get(&rq->opt, "kind"), *role = kvq_params_get(&rq->opt, "role");
    if (!kind[0] == !role[0]) return kvq_fail(err, KVQ_EINVAL, "give kind= or role=, one of them");
    rq->is_role = role[0] != '\0';
    rc = rq->is_role ? kvq_role_parse(role, &rq->role, err) : kvq_act_parse(kind, &rq->kind, err);
    size_t v = 0;
    rq->layer = rq->head = -1;
    if (!rc && kvq_params_get(&rq->opt, "layer")[0]) {
        rc = kvq_option_size(&rq->opt, "layer", 0, 0, 1L << 20, &v, err);
        rq->layer = (long)v;
    }
    const char *head = kvq_params_get(&rq->opt, "head");
    if (!rc && strcmp(head, "all") != 0) {
        rc = kvq_option_size(&rq->opt, "head", 0, 0, 1L << 20, &v, err);
        rq->head = (long)v;
    }
    if (!rc) rc = kvq_option_size(&rq->opt, "seqs", 8, 1, 1 << 16, &rq->seqs, err);
    if (!rc) rc = kvq_option_size(&rq->opt, "tokens", 64, 2, 1 << 20, &rq->tokens, err);
    if (!rc) rc = kvq_option_seed(&rq->opt, run_seed, &rq->seed, err);
    return rc;
}

/* Checks the request against the model's config. */
static int check(const request *rq, const kvq_model *m, kvq_error *err)
{
    const kvq_model_config *c = &m->cfg;
    if (rq->layer >= (long)c->layers)
        return kvq_fail(err, KVQ_EINVAL, "layer=%ld: the model has %zu layers (0 to %zu)",
                        rq->layer, c->layers, c->layers - 1);
    if (rq->tokens > c->max_pos)
        return kvq_fail(err, KVQ_EINVAL, "tokens=%zu exceeds max_position_embeddings %zu",
                        rq->tokens, c->max_pos);
    int per_head =
        !rq->is_role && (rq->kind == KVQ_ACT_Q || rq->kind == KVQ_ACT_K || rq->kind == KVQ_ACT_V);
    if (rq->head >= 0 && !per_head)
        return kvq_fail(err, KVQ_EINVAL, "head= applies to kind=q, k and v only");
    size_t nh = !per_head ? 1 : rq->kind == KVQ_ACT_Q ? c->heads : c->kv_heads;
    if (rq->head >= (long)nh)
        return kvq_fail(err, KVQ_EINVAL, "head=%ld: the model has %zu %s heads", rq->head, nh,
                        rq->kind == KVQ_ACT_Q ? "query" : "KV");
    if (!rq->is_role && rq->kind == KVQ_ACT_FINAL && rq->layer >= 0)
        return kvq_fail(err, KVQ_EINVAL, "kind=final has no layer=");
    if (!rq->is_role && strcmp(kvq_params_get(&rq->opt, "residual"), "0") != 0)
        return kvq_fail(err, KVQ_EINVAL, "residual= applies to role= populations, not kind=");
    return KVQ_OK;
}

/* Draws seqs sequences from the model with the stream named label of the request's seed. */
static int sample_sequences(const kvq_model *m, const request *rq, const char *label,
                            int32_t **tokens, kvq_error *err)
{
    *tokens = malloc(rq->seqs * rq->tokens * sizeof **tokens);
    if (!*tokens) return kvq_fail(err, KVQ_ENOMEM, "out of memory for sequences");
    kvq_rng rng;
    kvq_rng_derive(&rng, rq->seed, label);
    return kvq_model_sample(m, &rng, rq->seqs, rq->tokens, *tokens, err);
}

/* Captures kind (at the request's layer, or every layer) over the sequences. */
static int capture(const kvq_model *m, const request *rq, const int32_t *tokens, kvq_act kind,
                   long head, pool *p, kvq_error *err)
{
    size_t width = kvq_act_width(&m->cfg, kind);
    int per_head = kind == KVQ_ACT_Q || kind == KVQ_ACT_K || kind == KVQ_ACT_V;
    *p = (pool){.cfg = &m->cfg,
                .kind = kind,
                .layer = (int)rq->layer,
                .head = head,
                .len = rq->tokens,
                .dim = per_head ? m->cfg.head_dim : width};
    kvq_model_hooks h = {.ctx = p, .observe = pool_observe};
    return kvq_model_forward(m, tokens, rq->seqs, rq->tokens, &h, NULL, err);
}

/* Copies the pool's entries idx[count] into rows/origin. */
static void take(const pool *p, const size_t *idx, size_t count, float *rows, kvq_origin *origin)
{
    for (size_t i = 0; i < count; i++) {
        memcpy(rows + i * p->dim, p->rows + idx[i] * p->dim, p->dim * sizeof(float));
        origin[i] = p->origin[idx[i]];
    }
}

/* The number given as option key, or fallback when it was left empty, in [min, max]. */
static int option_count(const request *rq, const char *key, size_t fallback, size_t min,
                        size_t *out, kvq_error *err)
{
    return kvq_option_size(&rq->opt, key, (long)fallback, (long)min, MAX_ROWS, out, err);
}

/* Draws count entries of pool p (sorted, without replacement) with stream label into
 * rows/origin, owned by the caller. */
static int draw_from(const request *rq, const pool *p, size_t count, const char *label,
                     float **rows, kvq_origin **origin, kvq_error *err)
{
    size_t *idx = malloc((count ? count : 1) * sizeof *idx), none;
    *rows = malloc((count ? count : 1) * p->dim * sizeof **rows);
    *origin = malloc((count ? count : 1) * sizeof **origin);
    int rc = idx && *rows && *origin
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu rows", count);
    kvq_rng rng;
    kvq_rng_derive(&rng, rq->seed, label);
    if (!rc) rc = kvq_sample_rows(&rng, p->count, count, 0, idx, &none, err);
    if (!rc) take(p, idx, count, *rows, *origin);
    free(idx);
    return rc;
}

/* queries= vectors of pool p (default min(256, count / 5)) as the population's queries. */
static int draw_queries(kvq_population *pop, const request *rq, const pool *p, kvq_error *err)
{
    size_t nq;
    int rc = option_count(rq, "queries", kvq_default_queries(p->count), 1, &nq, err);
    if (!rc && nq > p->count)
        rc = kvq_fail(err, KVQ_EINVAL, "queries=%zu: only %zu vectors captured", nq, p->count);
    if (rc) return rc;
    free(pop->queries);
    free(pop->query_origin);
    pop->nq = nq;
    return draw_from(rq, p, nq, "model:queries", &pop->queries, &pop->query_origin, err);
}

/* rows= vectors of pool p (default min(4096, all)) as the population's rows, and its queries:
 * from qpool, or held out of p when qpool is NULL. */
static int draw(kvq_population *pop, const request *rq, const pool *p, const pool *qpool,
                kvq_error *err)
{
    size_t nq = 0, n;
    int rc =
        qpool ? KVQ_OK : option_count(rq, "queries", kvq_default_queries(p->count), 1, &nq, err);
    size_t avail = p->count > nq ? p->count - nq : 0;
    if (!rc) rc = option_count(rq, "rows", avail < DEFAULT_ROWS ? avail : DEFAULT_ROWS, 2, &n, err);
    if (!rc && n > avail)
        rc = kvq_fail(err, KVQ_EINVAL,
                      "rows=%zu and %zu held-out queries exceed the %zu vectors "
                      "captured",
                      n, nq, p->count);
    if (rc) return rc;
    pop->dim = p->dim;
    if (qpool) {
        pop->n = n;
        rc = draw_from(rq, p, n, "model:rows", &pop->rows, &pop->row_origin, err);
        return rc ? rc : draw_queries(pop, rq, qpool, err);
    }
    /* rows and held-out queries of one pool, disjoint: one draw */
    size_t *ri = malloc(n * sizeof *ri), *qi = malloc(nq * sizeof *qi);
    pop->rows = malloc(n * p->dim * sizeof(float));
    pop->queries = malloc(nq * p->dim * sizeof(float));
    pop->row_origin = malloc(n * sizeof *pop->row_origin);
    pop->query_origin = malloc(nq * sizeof *pop->query_origin);
    if (!ri || !qi || !pop->rows || !pop->queries || !pop->row_origin || !pop->query_origin)
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu rows", n + nq);
    kvq_rng rng;
    kvq_rng_derive(&rng, rq->seed, "model:rows");
    if (!rc) rc = kvq_sample_rows(&rng, p->count, n, nq, ri, qi, err);
    if (!rc) {
        take(p, ri, n, pop->rows, pop->row_origin);
        take(p, qi, nq, pop->queries, pop->query_origin);
        pop->n = n;
        pop->nq = nq;
    }
    free(ri);
    free(qi);
    return rc;
}

static int load_activations(kvq_population *pop, const kvq_model *m, const request *rq,
                            const int32_t *tokens, kvq_error *err)
{
    pool rows = {0}, queries = {0};
    int causal = rq->kind == KVQ_ACT_K;
    int rc = capture(m, rq, tokens, rq->kind, rq->head, &rows, err);
    if (!rc && causal) rc = capture(m, rq, tokens, KVQ_ACT_Q, rq->head, &queries, err);
    char what[64];
    snprintf(what, sizeof what, "activations (%zu x %zu float32)", rows.count, rows.dim);
    if (!rc) rc = kvq_memory_check((double)rows.count * rows.dim * sizeof(float), what, err);
    if (!rc) rc = draw(pop, rq, &rows, causal ? &queries : NULL, err);
    pool_free(&rows);
    pool_free(&queries);
    pop->causal = causal;
    snprintf(pop->chain_why, sizeof pop->chain_why, "activations: no matrices to chain");
    pop->role = rq->kind == KVQ_ACT_K || rq->kind == KVQ_ACT_V ? KVQ_ROLE_KV_CACHE : KVQ_ROLE_OTHER;
    pop->target = (kvq_model_target){(int)rq->kind, -1, (int)rq->layer};
    snprintf(pop->tensor, sizeof pop->tensor, "%s", kvq_act_name(rq->kind));
    snprintf(pop->dtype, sizeof pop->dtype, "F32");
    pop->ndim = 2;
    pop->shape[0] = rows.count;
    pop->shape[1] = rows.dim;
    return rc;
}

/* The chain of a weight role (chain=1, residual=): every layer's matrix whole, in layer order, and
 * with residual=1 the norm of its sub-block; otherwise why there is none, in pop->chain_why. */
static int load_chain(kvq_population *pop, const kvq_model *m, const request *rq, int weight,
                      kvq_error *err)
{
    int chain = 0, residual = 0;
    int rc = kvq_params_bool(&rq->opt, "chain", &chain, err);
    if (!rc) rc = kvq_params_bool(&rq->opt, "residual", &residual, err);
    if (rc) return rc;
    size_t out = 0, in = 0, layers = m->cfg.layers;
    if (weight != KVQ_MW_HEAD) kvq_model_weight_shape(&m->cfg, (kvq_model_weight)weight, &out, &in);
    const char *why = !chain                  ? "chain=0"
                      : weight == KVQ_MW_HEAD ? "the role has one matrix, not one per layer"
                      : out != in             ? "the role's matrices are not square"
                      : rq->layer >= 0 ? "one layer: the chain runs on the role over every layer"
                                       : NULL;
    if (residual && why)
        return kvq_fail(err, KVQ_EINVAL, "residual=1 needs the role's chain, but %s", why);
    if (why) {
        snprintf(pop->chain_why, sizeof pop->chain_why, "%s", why);
        return KVQ_OK;
    }
    pop->chain = malloc(layers * in * in * sizeof *pop->chain);
    pop->chain_norm = residual ? malloc(layers * in * sizeof *pop->chain_norm) : NULL;
    if (!pop->chain || (residual && !pop->chain_norm))
        return kvq_fail(err, KVQ_ENOMEM, "out of memory for a chain of %zu layers of %zu x %zu",
                        layers, in, in);
    for (size_t l = 0; l < layers && !rc; l++) {
        const kvq_model_layer *L = &m->layer[l];
        rc = kvq_model_tensor_f32(m, kvq_model_weight_tensor(m, (kvq_model_weight)weight, (int)l),
                                  pop->chain + l * in * in, err);
        if (!rc && residual)
            rc = kvq_model_tensor_f32(m, weight <= KVQ_MW_O ? L->attn_norm : L->mlp_norm,
                                      pop->chain_norm + l * in, err);
    }
    pop->chain_len = rc ? 0 : layers;
    pop->chain_eps = m->cfg.rms_eps;
    pop->chain_why[0] = '\0';
    return rc;
}

/* Weight rows as safetensors: samples them (no held-out rows), queries from the input pool. */
static int load_weights(kvq_population *pop, const kvq_model *m, const request *rq,
                        const int32_t *tokens, kvq_error *err)
{
    kvq_act kind = KVQ_ACT_FINAL;
    int weight = KVQ_MW_HEAD;
    int rc = role_input(m, rq->role, &kind, &weight, err);
    if (rc) return rc;
    /* the same sample as safetensors:DIR#role=R[&layer=L][&rows=N]&seed=S, without held-out
     * rows */
    char fspec[KVQ_TEXT_MAX + 128], layer[24] = "", rows[48] = "";
    if (rq->layer >= 0) snprintf(layer, sizeof layer, "&layer=%ld", rq->layer);
    if (kvq_params_get(&rq->opt, "rows")[0])
        snprintf(rows, sizeof rows, "&rows=%s", kvq_params_get(&rq->opt, "rows"));
    snprintf(fspec, sizeof fspec, "safetensors:%s#role=%s%s%s&seed=%llu", m->dir,
             kvq_role_name(rq->role), layer, rows, (unsigned long long)rq->seed);
    kvq_file_request frq;
    rc = kvq_file_population_parse(&frq, fspec, fspec + 12, err);
    frq.no_queries = 1;
    if (!rc) rc = kvq_file_request_load(pop, &frq, rq->seed, err);
    if (rc) return rc;
    /* the queries: the matrix's inputs, every token (of the layer, or of every layer) */
    pool in = {0};
    request qrq = *rq;
    if (kind == KVQ_ACT_FINAL) qrq.layer = -1;
    rc = capture(m, &qrq, tokens, kind, -1, &in, err);
    if (!rc) rc = draw_queries(pop, rq, &in, err);
    pool_free(&in);
    pop->role = rq->role;
    pop->target = (kvq_model_target){-1, weight, (int)rq->layer};
    if (!rc) rc = load_chain(pop, m, rq, weight, err);
    return rc;
}

int kvq_model_population_load(kvq_population *pop, const char *spec, const char *rest,
                              uint64_t seed, kvq_error *err)
{
    request rq;
    int rc = parse(&rq, spec, rest, seed, err);
    if (rc) return kvq_error_wrap(err, "population '%s'", spec);
    kvq_model m;
    if ((rc = kvq_model_open(&m, rq.dir, err))) return kvq_error_wrap(err, "population '%s'", spec);
    int32_t *tokens = NULL;
    rc = check(&rq, &m, err);
    if (!rc) rc = sample_sequences(&m, &rq, "model:sequences", &tokens, err);
    if (!rc)
        rc = rq.is_role ? load_weights(pop, &m, &rq, tokens, err)
                        : load_activations(pop, &m, &rq, tokens, err);
    if (!rc) rc = sample_sequences(&m, &rq, "model:heldout", &pop->heldout, err);
    if (!rc) {
        pop->heldout_n = rq.seqs;
        pop->heldout_len = rq.tokens;
        pop->from_model = 1;
        pop->seed = rq.seed;
        pop->layer = (int)rq.layer;
        snprintf(pop->source, sizeof pop->source, "%s", m.dir);
    }
    free(tokens);
    kvq_model_close(&m);
    return rc ? kvq_error_wrap(err, "population '%s'", spec) : KVQ_OK;
}
