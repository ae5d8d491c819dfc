/* --model PATH: one population spec per encodable role of a checkpoint
 * (include/kvq/checkpoint.h). A folder with the config.json of a model the runtime runs
 * (include/kvq/model.h) gives model: populations instead: the roles its forward pass multiplies,
 * queried by their real inputs, plus its keys and values (kind=k, kind=v). One population per
 * role, sampled across all its layers, keeps the matrix at a dozen populations for any depth of
 * model; --per-layer gives one per role and layer (#role=k_proj&layer=3). */
#include "kvq/checkpoint.h"
#include "kvq/model.h"

#include <stdarg.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when the tensor can be sampled as rows: a readable dtype and at least 2 dimensions. */
static int samplable(const kvq_checkpoint_entry *e)
{
    return kvq_role_is_encodable(e->cls.role) && kvq_dtype_is_readable(e->tensor->dtype) &&
           e->tensor->ndim >= 2;
}

void kvq_model_population_specs_free(char **specs, size_t count)
{
    for (size_t i = 0; specs && i < count; i++) free(specs[i]);
    free(specs);
}

typedef struct slot {
    int role, layer; /* layer -1: every layer of the role */
} slot;

static int by_role_then_layer(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    if (x->role != y->role) return x->role < y->role ? -1 : 1;
    return (x->layer > y->layer) - (x->layer < y->layer);
}

/* The distinct (role, layer) slots of ck's samplable tensors, sorted; layer -1 for each role
 * unless per_layer, and then only for a role whose tensors have no layer. Returns the count. */
static size_t collect_slots(const kvq_checkpoint *ck, int per_layer, slot *s)
{
    size_t m = 0;
    for (size_t i = 0; i < ck->count; i++)
        if (samplable(&ck->entries[i]))
            s[m++] = (slot){ck->entries[i].cls.role, per_layer ? ck->entries[i].cls.layer : -1};
    qsort(s, m, sizeof *s, by_role_then_layer);
    size_t kept = 0;
    for (size_t i = 0; i < m; i++) {
        if (kept && s[kept - 1].role == s[i].role && s[kept - 1].layer == s[i].layer) continue;
        /* with per_layer, layer= selects the layered tensors: a role's unlayered slot goes */
        if (kept && s[kept - 1].role == s[i].role && s[kept - 1].layer < 0) kept--;
        s[kept++] = s[i];
    }
    return kept;
}

/* The model that runs, when path is a folder with a config.json of an architecture the runtime
 * knows: 1 (and its config), 0 when it is not one (no config.json, or another architecture), or
 * a negative status for a config.json that is broken. */
static int runnable(const char *path, kvq_model_config *cfg, kvq_error *err)
{
    struct stat st;
    char cfg_path[4200];
    snprintf(cfg_path, sizeof cfg_path, "%s/config.json", path);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode) || stat(cfg_path, &st) != 0) return 0;
    kvq_model m;
    int rc = kvq_model_open(&m, path, err);
    if (rc == KVQ_EUNSUPPORTED) return 0;
    if (rc) return rc;
    *cfg = m.cfg;
    kvq_model_close(&m);
    return 1;
}

/* With a runnable model, the roles whose matrices the forward pass multiplies (the tied
 * embedding is the LM head). */
static int has_inputs(kvq_role role, const kvq_model_config *cfg)
{
    switch (role) {
    case KVQ_ROLE_ATTN_Q:
    case KVQ_ROLE_ATTN_K:
    case KVQ_ROLE_ATTN_V:
    case KVQ_ROLE_ATTN_O:
    case KVQ_ROLE_MLP_GATE:
    case KVQ_ROLE_MLP_UP:
    case KVQ_ROLE_MLP_DOWN:
    case KVQ_ROLE_OUTPUT_HEAD:
        return 1;
    case KVQ_ROLE_VOCAB_EMBED:
        return cfg->tied;
    default:
        return 0;
    }
}

/* Appends one formatted spec to out[*n]. */
static int push(char **out, size_t *n, kvq_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int push(char **out, size_t *n, kvq_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(out[*n] = malloc((size_t)len + 1)))
        return kvq_fail(err, KVQ_ENOMEM, "out of memory");
    va_start(ap, fmt);
    vsnprintf(out[(*n)++], (size_t)len + 1, fmt, ap);
    va_end(ap);
    return KVQ_OK;
}

int kvq_model_population_specs(const char *path, int per_layer, char ***specs, size_t *count,
                               kvq_error *err)
{
    *specs = NULL;
    *count = 0;
    char where[4096];
    kvq_model_locate(path, where, sizeof where); /* a shipped model by name, e.g. stories260K */
    kvq_model_config cfg = {0};
    int model = runnable(where, &cfg, err);
    if (model < 0) return model;
    kvq_checkpoint ck;
    int rc = kvq_checkpoint_open(&ck, model ? where : path, err);
    if (rc) return rc;
    slot *s = malloc((ck.count ? ck.count : 1) * sizeof *s);
    size_t m = s ? collect_slots(&ck, per_layer, s) : 0;
    kvq_checkpoint_close(&ck);
    size_t kv = model ? 2 * (per_layer ? cfg.layers : 1) : 0;
    char **out = calloc(m + kv + 1, sizeof *out);
    if (!s || !out) {
        free(s);
        free(out);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
    }
    size_t plen = strlen(path);
    int gguf = plen > 5 && strcmp(path + plen - 5, ".gguf") == 0;
    const char *scheme = model ? "model" : gguf ? "gguf" : "safetensors";
    size_t n = 0;
    for (size_t i = 0; i < m && !rc; i++) {
        if (model && !has_inputs((kvq_role)s[i].role, &cfg)) continue;
        const char *name = kvq_role_name((kvq_role)s[i].role);
        rc = s[i].layer < 0
                 ? push(out, &n, err, "%s:%s#role=%s", scheme, path, name)
                 : push(out, &n, err, "%s:%s#role=%s&layer=%d", scheme, path, name, s[i].layer);
    }
    for (size_t i = 0; i < kv && !rc; i++) {
        const char *kind = i % 2 ? "v" : "k";
        rc = per_layer ? push(out, &n, err, "model:%s#kind=%s&layer=%zu", path, kind, i / 2)
                       : push(out, &n, err, "model:%s#kind=%s", path, kind);
    }
    free(s);
    if (!rc && n == 0) rc = kvq_fail(err, KVQ_EINVAL, "'%s': no encodable float tensor", path);
    if (rc) {
        kvq_model_population_specs_free(out, n);
        return rc;
    }
    *specs = out;
    *count = n;
    return KVQ_OK;
}
