/* config.json of a Llama-family model (include/kvq/model.h): every key read, typed and checked
 * before any weight is touched. */
#include "model_internal.h"
#include "populations/populations.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_archs[] = {"LlamaForCausalLM", "MistralForCausalLM",
                                          "Qwen2ForCausalLM", NULL};

/* A positive integer key; required unless fallback >= 0 (used when the key is absent). */
static int get_size(const cJSON *root, const char *path, const char *key, long long fallback,
                    size_t *out, kvq_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v || cJSON_IsNull(v)) {
        if (fallback < 0) return kvq_fail(err, KVQ_EINVAL, "%s: missing key '%s'", path, key);
        *out = (size_t)fallback;
        return KVQ_OK;
    }
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(d >= 1 && d <= 1e12) || d != floor(d))
        return kvq_fail(err, KVQ_EINVAL, "%s: '%s' must be a positive integer", path, key);
    *out = (size_t)d;
    return KVQ_OK;
}

static int get_positive(const cJSON *root, const char *path, const char *key, double *out,
                        kvq_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) return kvq_fail(err, KVQ_EINVAL, "%s: missing key '%s'", path, key);
    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || !isfinite(v->valuedouble))
        return kvq_fail(err, KVQ_EINVAL, "%s: '%s' must be a positive number", path, key);
    *out = v->valuedouble;
    return KVQ_OK;
}

static int get_arch(const cJSON *root, const char *path, kvq_model_config *cfg, kvq_error *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "architectures");
    if (!a) return kvq_fail(err, KVQ_EINVAL, "%s: missing key 'architectures'", path);
    const cJSON *first = cJSON_IsArray(a) && cJSON_GetArraySize(a) == 1 ? a->child : NULL;
    if (!cJSON_IsString(first))
        return kvq_fail(err, KVQ_EINVAL, "%s: 'architectures' must be a list of one name", path);
    for (const char *const *k = known_archs; *k; k++) {
        if (strcmp(first->valuestring, *k) == 0) {
            snprintf(cfg->arch, sizeof cfg->arch, "%s", *k);
            cfg->qkv_bias = strcmp(*k, "Qwen2ForCausalLM") == 0;
            return KVQ_OK;
        }
    }
    return kvq_fail(err, KVQ_EUNSUPPORTED,
                    "%s: architecture '%.64s' is not supported (kvqeval runs LlamaForCausalLM, "
                    "MistralForCausalLM and Qwen2ForCausalLM)",
                    path, first->valuestring);
}

/* Optional keys that change the function computed: refused unless they hold the value the
 * forward pass implements. */
static int check_options(const cJSON *root, const char *path, kvq_model_config *cfg, kvq_error *err)
{
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(root, "hidden_act");
    if (act && !(cJSON_IsString(act) && strcmp(act->valuestring, "silu") == 0))
        return kvq_fail(err, KVQ_EUNSUPPORTED, "%s: 'hidden_act' must be \"silu\"", path);
    const cJSON *scaling = cJSON_GetObjectItemCaseSensitive(root, "rope_scaling");
    if (scaling && !cJSON_IsNull(scaling))
        return kvq_fail(err, KVQ_EUNSUPPORTED, "%s: 'rope_scaling' is not supported", path);
    const cJSON *tied = cJSON_GetObjectItemCaseSensitive(root, "tie_word_embeddings");
    if (tied && !cJSON_IsBool(tied))
        return kvq_fail(err, KVQ_EINVAL, "%s: 'tie_word_embeddings' must be true or false", path);
    cfg->tied = tied && cJSON_IsTrue(tied);
    const cJSON *bias = cJSON_GetObjectItemCaseSensitive(root, "attention_bias");
    if (bias && !cJSON_IsBool(bias))
        return kvq_fail(err, KVQ_EINVAL, "%s: 'attention_bias' must be true or false", path);
    if (bias && cJSON_IsTrue(bias)) cfg->qkv_bias = 1;
    return KVQ_OK;
}

static int check_shapes(const char *path, kvq_model_config *cfg, kvq_error *err)
{
    if (cfg->heads % cfg->kv_heads)
        return kvq_fail(err, KVQ_EINVAL,
                        "%s: num_attention_heads %zu is not a multiple of num_key_value_heads %zu",
                        path, cfg->heads, cfg->kv_heads);
    if (cfg->head_dim % 2)
        return kvq_fail(err, KVQ_EINVAL, "%s: head_dim %zu must be even (RoPE pairs)", path,
                        cfg->head_dim);
    return KVQ_OK;
}

int kvq_model_config_parse(kvq_model_config *cfg, const char *text, size_t len, const char *path,
                           kvq_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return kvq_fail(err, KVQ_EFORMAT, "%s: not a JSON object", path);
    }
    size_t bos = 0;
    int rc = get_arch(root, path, cfg, err);
    if (!rc) rc = get_size(root, path, "hidden_size", -1, &cfg->hidden, err);
    if (!rc) rc = get_size(root, path, "intermediate_size", -1, &cfg->intermediate, err);
    if (!rc) rc = get_size(root, path, "num_attention_heads", -1, &cfg->heads, err);
    if (!rc) rc = get_size(root, path, "num_hidden_layers", -1, &cfg->layers, err);
    if (!rc) rc = get_size(root, path, "vocab_size", -1, &cfg->vocab, err);
    if (!rc) rc = get_size(root, path, "max_position_embeddings", -1, &cfg->max_pos, err);
    if (!rc)
        rc =
            get_size(root, path, "num_key_value_heads", (long long)cfg->heads, &cfg->kv_heads, err);
    if (!rc && cfg->hidden % cfg->heads && !cJSON_GetObjectItemCaseSensitive(root, "head_dim"))
        rc = kvq_fail(err, KVQ_EINVAL,
                      "%s: hidden_size %zu is not a multiple of num_attention_heads %zu (and no "
                      "head_dim)",
                      path, cfg->hidden, cfg->heads);
    if (!rc)
        rc = get_size(root, path, "head_dim", (long long)(cfg->hidden / cfg->heads), &cfg->head_dim,
                      err);
    if (!rc) rc = get_positive(root, path, "rms_norm_eps", &cfg->rms_eps, err);
    if (!rc) rc = get_positive(root, path, "rope_theta", &cfg->rope_theta, err);
    if (!rc) rc = check_options(root, path, cfg, err);
    if (!rc) {
        /* bos_token_id: an id, 0 allowed */
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "bos_token_id");
        bos = 1;
        if (b && !cJSON_IsNull(b)) {
            if (!cJSON_IsNumber(b) || !(b->valuedouble >= 0 && b->valuedouble < 2147483648.0) ||
                b->valuedouble != floor(b->valuedouble))
                rc = kvq_fail(err, KVQ_EINVAL,
                              "%s: 'bos_token_id' must be an integer from 0 to "
                              "2^31 - 1",
                              path);
            else
                bos = (size_t)b->valuedouble;
        }
    }
    cJSON_Delete(root);
    if (!rc) rc = check_shapes(path, cfg, err);
    if (!rc && bos >= cfg->vocab)
        rc = kvq_fail(err, KVQ_EINVAL, "%s: bos_token_id %zu is not below vocab_size %zu", path,
                      bos, cfg->vocab);
    if (!rc && (cfg->vocab > INT32_MAX || cfg->hidden > (1u << 20) || cfg->heads > 4096 ||
                cfg->intermediate > (1u << 22) || cfg->max_pos > (1u << 24)))
        rc = kvq_fail(err, KVQ_ERANGE, "%s: sizes beyond what kvqeval runs", path);
    cfg->bos = (int32_t)bos;
    return rc;
}

int kvq_model_config_load(kvq_model_config *cfg, const char *dir, kvq_error *err)
{
    size_t len = strlen(dir) + sizeof "/config.json";
    char *path = malloc(len);
    if (!path) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", dir);
    snprintf(path, len, "%s/config.json", dir);
    kvq_mapping map;
    int rc = kvq_map_file(&map, path, err);
    if (!rc) {
        rc = kvq_model_config_parse(cfg, (const char *)map.data, map.size, path, err);
        kvq_unmap_file(&map);
    }
    free(path);
    return rc;
}
