/* Opening a model folder: config, checkpoint, every tensor bound and its shape checked
 * (include/kvq/model.h). */
#include "model_internal.h"
#include "populations/populations.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const weight_names[KVQ_MW_COUNT] = {
    "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
    "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj",    "lm_head"};

void kvq_model_weight_shape(const kvq_model_config *cfg, kvq_model_weight w, size_t *out,
                            size_t *in)
{
    size_t qw = cfg->heads * cfg->head_dim, kvw = cfg->kv_heads * cfg->head_dim;
    switch (w) {
    case KVQ_MW_Q:
        *out = qw, *in = cfg->hidden;
        break;
    case KVQ_MW_K:
    case KVQ_MW_V:
        *out = kvw, *in = cfg->hidden;
        break;
    case KVQ_MW_O:
        *out = cfg->hidden, *in = qw;
        break;
    case KVQ_MW_GATE:
    case KVQ_MW_UP:
        *out = cfg->intermediate, *in = cfg->hidden;
        break;
    case KVQ_MW_DOWN:
        *out = cfg->hidden, *in = cfg->intermediate;
        break;
    default:
        *out = cfg->vocab, *in = cfg->hidden;
        break;
    }
}

const kvq_tensor *kvq_model_weight_tensor(const kvq_model *m, kvq_model_weight w, int layer)
{
    return w == KVQ_MW_HEAD ? m->head : m->layer[layer].w[w];
}

static const kvq_checkpoint_entry *find_entry(const kvq_checkpoint *ck, const char *name)
{
    for (size_t i = 0; i < ck->count; i++)
        if (strcmp(ck->entries[i].tensor->name, name) == 0) return &ck->entries[i];
    return NULL;
}

/* Binds the tensor called name, checking dtype and shape ([d0] or [d0, d1]; d1 == 0: 1-D). */
static int bind(const kvq_model *m, const char *name, size_t d0, size_t d1, const kvq_tensor **out,
                kvq_error *err)
{
    const kvq_checkpoint_entry *e = find_entry(&m->ck, name);
    if (!e) return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s' is missing", m->dir, name);
    const kvq_tensor *t = e->tensor;
    if (!kvq_dtype_is_readable(t->dtype))
        return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s' has dtype %s (F32, F16, BF16 expected)",
                        e->file, name, kvq_dtype_name(t->dtype));
    size_t ndim = d1 ? 2 : 1;
    if (t->ndim != ndim || t->shape[0] != d0 || (d1 && t->shape[1] != d1)) {
        char got[96] = "";
        for (size_t i = 0, o = 0; i < t->ndim && o < sizeof got; i++)
            o += (size_t)snprintf(got + o, sizeof got - o, "%s%llu", i ? ", " : "",
                                  (unsigned long long)t->shape[i]);
        if (d1)
            return kvq_fail(err, KVQ_EFORMAT,
                            "%s: tensor '%s' has shape [%s], the config gives [%zu, %zu]", e->file,
                            name, got, d0, d1);
        return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s' has shape [%s], the config gives [%zu]",
                        e->file, name, got, d0);
    }
    *out = t;
    return KVQ_OK;
}

static int bind_layer(kvq_model *m, size_t l, kvq_error *err)
{
    const kvq_model_config *c = &m->cfg;
    kvq_model_layer *L = &m->layer[l];
    char name[128];
    int rc = KVQ_OK;
    for (int w = 0; w < KVQ_MW_HEAD && !rc; w++) {
        size_t out, in;
        kvq_model_weight_shape(c, (kvq_model_weight)w, &out, &in);
        snprintf(name, sizeof name, "model.layers.%zu.%s.weight", l, weight_names[w]);
        rc = bind(m, name, out, in, &L->w[w], err);
    }
    for (int w = 0; w < 3 && !rc && c->qkv_bias; w++) {
        size_t out, in;
        kvq_model_weight_shape(c, (kvq_model_weight)w, &out, &in);
        snprintf(name, sizeof name, "model.layers.%zu.%s.bias", l, weight_names[w]);
        rc = bind(m, name, out, 0, &L->bias[w], err);
    }
    snprintf(name, sizeof name, "model.layers.%zu.input_layernorm.weight", l);
    if (!rc) rc = bind(m, name, c->hidden, 0, &L->attn_norm, err);
    snprintf(name, sizeof name, "model.layers.%zu.post_attention_layernorm.weight", l);
    if (!rc) rc = bind(m, name, c->hidden, 0, &L->mlp_norm, err);
    return rc;
}

static int bind_all(kvq_model *m, kvq_error *err)
{
    const kvq_model_config *c = &m->cfg;
    int rc = bind(m, "model.embed_tokens.weight", c->vocab, c->hidden, &m->embed, err);
    if (!rc) rc = bind(m, "model.norm.weight", c->hidden, 0, &m->norm, err);
    if (!rc && c->tied && !find_entry(&m->ck, "lm_head.weight"))
        m->head = m->embed;
    else if (!rc)
        rc = bind(m, "lm_head.weight", c->vocab, c->hidden, &m->head, err);
    for (size_t l = 0; l < c->layers && !rc; l++) rc = bind_layer(m, l, err);
    return rc;
}

int kvq_model_locate(const char *dir, char *out, size_t size)
{
    struct stat st;
    if (stat(dir, &st) == 0 || strchr(dir, '/')) {
        snprintf(out, size, "%s", dir);
        return stat(dir, &st) == 0 ? 0 : -1;
    }
    const char *env = getenv("KVQ_MODELS_DIR");
    snprintf(out, size, "%s/%s", env && *env ? env : KVQ_MODELS_DIR, dir);
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
    snprintf(out, size, "%s", dir);
    return -1;
}

int kvq_model_open(kvq_model *m, const char *given, kvq_error *err)
{
    memset(m, 0, sizeof *m);
    char dir[4096];
    kvq_model_locate(given, dir, sizeof dir);
    int rc = kvq_model_config_load(&m->cfg, dir, err);
    if (rc) return rc;
    if (!(m->dir = strdup(dir)) || !(m->layer = calloc(m->cfg.layers, sizeof *m->layer))) {
        kvq_model_close(m);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", dir);
    }
    rc = kvq_checkpoint_open(&m->ck, dir, err);
    if (!rc) rc = bind_all(m, err);
    if (rc) kvq_model_close(m);
    return rc;
}

void kvq_model_close(kvq_model *m)
{
    kvq_checkpoint_close(&m->ck);
    free(m->layer);
    free(m->dir);
    memset(m, 0, sizeof *m);
}

int kvq_model_tensor_f32(const kvq_model *m, const kvq_tensor *t, float *dst, kvq_error *err)
{
    size_t rows, dim;
    int rc = kvq_tensor_rows(t, 0, &rows, &dim, err);
    if (rc) return rc;
    /* the whole matrix, front to back: read ahead (advice only, the reads are right without) */
    kvq_map_advise(t->data, (size_t)t->nbytes, KVQ_ACCESS_SEQUENTIAL, NULL);
    for (size_t r = 0; r < rows; r++) {
        float *row = dst + r * dim;
        kvq_tensor_read_row(t, 0, r, row);
        for (size_t j = 0; j < dim; j++)
            if (!isfinite(row[j]))
                return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s' holds %s at [%zu, %zu]", m->dir,
                                t->name, isnan(row[j]) ? "NaN" : "an infinity", r, j);
    }
    return KVQ_OK;
}
