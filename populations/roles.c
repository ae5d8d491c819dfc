/* Role names and the classification of tensor names (include/kvq/roles.h). */
#include "kvq/roles.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const role_names[KVQ_ROLE_COUNT] = {
    [KVQ_ROLE_OTHER] = "other",
    [KVQ_ROLE_ATTN_Q] = "q_proj",
    [KVQ_ROLE_ATTN_K] = "k_proj",
    [KVQ_ROLE_ATTN_V] = "v_proj",
    [KVQ_ROLE_ATTN_O] = "o_proj",
    [KVQ_ROLE_ATTN_QKV] = "qkv_proj",
    [KVQ_ROLE_MLP_GATE] = "mlp_gate",
    [KVQ_ROLE_MLP_UP] = "mlp_up",
    [KVQ_ROLE_MLP_DOWN] = "mlp_down",
    [KVQ_ROLE_VOCAB_EMBED] = "vocab",
    [KVQ_ROLE_OUTPUT_HEAD] = "lm_head",
    [KVQ_ROLE_POS_EMBED] = "pos_embed",
    [KVQ_ROLE_NORM_BIAS] = "norm_bias",
    [KVQ_ROLE_SENTENCE_EMBED] = "sentence_embed",
    [KVQ_ROLE_AUDIO_LATENT] = "audio_latent",
    [KVQ_ROLE_KV_CACHE] = "kv_cache",
    [KVQ_ROLE_GAUSSIAN] = "gaussian",
};

const char *kvq_role_name(kvq_role role)
{
    if ((unsigned)role >= KVQ_ROLE_COUNT) return "other";
    return role_names[role];
}

int kvq_role_parse(const char *name, kvq_role *out, kvq_error *err)
{
    char known[256] = "";
    size_t used = 0;
    for (int r = 0; r < KVQ_ROLE_COUNT; r++) {
        if (strcmp(role_names[r], name) == 0) {
            *out = (kvq_role)r;
            return KVQ_OK;
        }
        if (used < sizeof known)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", r ? ", " : "",
                                     role_names[r]);
    }
    return kvq_fail(err, KVQ_EINVAL, "unknown role '%s' (known: %s)", name, known);
}

int kvq_role_is_encodable(kvq_role role)
{
    return role != KVQ_ROLE_OTHER && role != KVQ_ROLE_NORM_BIAS && (unsigned)role < KVQ_ROLE_COUNT;
}

/* Orientation tests of GPT-2 Conv1D names ([in, out]); see roles.h. */
enum { LINEAR = 0, CONV1D_WIDE, CONV1D_TALL, CONV1D };

typedef struct rule {
    const char *module;
    const char *parent; /* NULL: any; else a substring the parent must contain */
    kvq_role role;
    int conv1d;
} rule;

/* First match wins: the parent-specific rules come before the generic ones of the same module. */
static const rule rules[] = {
    {"q_proj", NULL, KVQ_ROLE_ATTN_Q, LINEAR},
    {"k_proj", NULL, KVQ_ROLE_ATTN_K, LINEAR},
    {"v_proj", NULL, KVQ_ROLE_ATTN_V, LINEAR},
    {"o_proj", NULL, KVQ_ROLE_ATTN_O, LINEAR},
    {"out_proj", NULL, KVQ_ROLE_ATTN_O, LINEAR},
    {"query", NULL, KVQ_ROLE_ATTN_Q, LINEAR},
    {"key", NULL, KVQ_ROLE_ATTN_K, LINEAR},
    {"value", NULL, KVQ_ROLE_ATTN_V, LINEAR},
    {"wq", NULL, KVQ_ROLE_ATTN_Q, LINEAR},
    {"wk", NULL, KVQ_ROLE_ATTN_K, LINEAR},
    {"wv", NULL, KVQ_ROLE_ATTN_V, LINEAR},
    {"wo", "attention", KVQ_ROLE_ATTN_O, LINEAR},
    {"q", "attention", KVQ_ROLE_ATTN_Q, LINEAR},
    {"k", "attention", KVQ_ROLE_ATTN_K, LINEAR},
    {"v", "attention", KVQ_ROLE_ATTN_V, LINEAR},
    {"o", "attention", KVQ_ROLE_ATTN_O, LINEAR},
    {"q_lin", NULL, KVQ_ROLE_ATTN_Q, LINEAR},
    {"k_lin", NULL, KVQ_ROLE_ATTN_K, LINEAR},
    {"v_lin", NULL, KVQ_ROLE_ATTN_V, LINEAR},
    {"out_lin", NULL, KVQ_ROLE_ATTN_O, LINEAR},
    {"proj", "attn", KVQ_ROLE_ATTN_O, LINEAR},
    {"c_proj", "attn", KVQ_ROLE_ATTN_O, CONV1D},
    {"c_attn", NULL, KVQ_ROLE_ATTN_QKV, CONV1D_WIDE},
    {"qkv", NULL, KVQ_ROLE_ATTN_QKV, LINEAR},
    {"qkv_proj", NULL, KVQ_ROLE_ATTN_QKV, LINEAR},
    {"wqkv", NULL, KVQ_ROLE_ATTN_QKV, LINEAR},
    {"query_key_value", NULL, KVQ_ROLE_ATTN_QKV, LINEAR},
    {"in_proj_weight", NULL, KVQ_ROLE_ATTN_QKV, LINEAR},
    {"gate_proj", NULL, KVQ_ROLE_MLP_GATE, LINEAR},
    {"w1", NULL, KVQ_ROLE_MLP_GATE, LINEAR},
    {"wi_0", NULL, KVQ_ROLE_MLP_GATE, LINEAR},
    {"up_proj", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"gate_up_proj", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"w3", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"wi_1", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"wi", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"c_fc", NULL, KVQ_ROLE_MLP_UP, CONV1D_WIDE},
    {"fc1", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"fc_in", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"dense_h_to_4h", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"lin1", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"down_proj", NULL, KVQ_ROLE_MLP_DOWN, LINEAR},
    {"w2", NULL, KVQ_ROLE_MLP_DOWN, LINEAR},
    {"wo", NULL, KVQ_ROLE_MLP_DOWN, LINEAR},
    {"c_proj", NULL, KVQ_ROLE_MLP_DOWN, CONV1D_TALL},
    {"fc2", NULL, KVQ_ROLE_MLP_DOWN, LINEAR},
    {"fc_out", NULL, KVQ_ROLE_MLP_DOWN, LINEAR},
    {"dense_4h_to_h", NULL, KVQ_ROLE_MLP_DOWN, LINEAR},
    {"lin2", NULL, KVQ_ROLE_MLP_DOWN, LINEAR},
    {"embed_tokens", NULL, KVQ_ROLE_VOCAB_EMBED, LINEAR},
    {"wte", NULL, KVQ_ROLE_VOCAB_EMBED, LINEAR},
    {"word_embeddings", NULL, KVQ_ROLE_VOCAB_EMBED, LINEAR},
    {"tok_embeddings", NULL, KVQ_ROLE_VOCAB_EMBED, LINEAR},
    {"token_embedding", NULL, KVQ_ROLE_VOCAB_EMBED, LINEAR},
    {"shared", NULL, KVQ_ROLE_VOCAB_EMBED, LINEAR},
    {"embed_in", NULL, KVQ_ROLE_VOCAB_EMBED, LINEAR},
    {"lm_head", NULL, KVQ_ROLE_OUTPUT_HEAD, LINEAR},
    {"embed_out", NULL, KVQ_ROLE_OUTPUT_HEAD, LINEAR},
    {"proj_out", NULL, KVQ_ROLE_OUTPUT_HEAD, LINEAR},
    {"head", NULL, KVQ_ROLE_OUTPUT_HEAD, LINEAR},
    {"classifier", NULL, KVQ_ROLE_OUTPUT_HEAD, LINEAR},
    {"decoder", "predictions", KVQ_ROLE_OUTPUT_HEAD, LINEAR},
    {"wpe", NULL, KVQ_ROLE_POS_EMBED, LINEAR},
    {"position_embeddings", NULL, KVQ_ROLE_POS_EMBED, LINEAR},
    {"position_embedding", NULL, KVQ_ROLE_POS_EMBED, LINEAR},
    {"embed_positions", NULL, KVQ_ROLE_POS_EMBED, LINEAR},
    {"pos_embed", NULL, KVQ_ROLE_POS_EMBED, LINEAR},
    {"relative_attention_bias", NULL, KVQ_ROLE_POS_EMBED, LINEAR},
    /* llama.cpp's GGUF names (blk.N.attn_q.weight, ...; the norms and the top-level output are
     * caught above) */
    {"attn_q", NULL, KVQ_ROLE_ATTN_Q, LINEAR},
    {"attn_k", NULL, KVQ_ROLE_ATTN_K, LINEAR},
    {"attn_v", NULL, KVQ_ROLE_ATTN_V, LINEAR},
    {"attn_output", NULL, KVQ_ROLE_ATTN_O, LINEAR},
    {"attn_qkv", NULL, KVQ_ROLE_ATTN_QKV, LINEAR},
    {"ffn_gate", NULL, KVQ_ROLE_MLP_GATE, LINEAR},
    {"ffn_up", NULL, KVQ_ROLE_MLP_UP, LINEAR},
    {"ffn_down", NULL, KVQ_ROLE_MLP_DOWN, LINEAR},
    {"token_embd", NULL, KVQ_ROLE_VOCAB_EMBED, LINEAR},
};

#define MAX_PARTS 32

/* Splits buf in place at '.'; returns the number of components (0 when there are too many). */
static size_t split(char *buf, char *parts[MAX_PARTS])
{
    size_t n = 0;
    for (char *p = buf;; p++) {
        if (n == MAX_PARTS) return 0;
        parts[n++] = p;
        p = strchr(p, '.');
        if (!p) return n;
        *p = '\0';
    }
}

static int contains_ci(const char *hay, const char *needle)
{
    for (size_t n = strlen(needle); *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return 1;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int is_norm(char *parts[], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (contains_ci(parts[i], "norm") || strncasecmp(parts[i], "ln_", 3) == 0 ||
            strcasecmp(parts[i], "ln") == 0)
            return 1;
    return 0;
}

static int first_layer(char *parts[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(parts[i]);
        if (len == 0 || len > 9 || strspn(parts[i], "0123456789") != len) continue;
        int v = 0;
        for (const char *p = parts[i]; *p; p++) v = v * 10 + (*p - '0');
        return v;
    }
    return -1;
}

static int conv1d_orientation(int kind, const uint64_t *shape, size_t ndim)
{
    if (kind == LINEAR || ndim != 2) return 0;
    if (kind == CONV1D_WIDE) return shape[1] > shape[0];
    if (kind == CONV1D_TALL) return shape[0] > shape[1];
    return 1;
}

/* BERT's attention.output.dense, intermediate.dense, output.dense and GPT-NeoX attention.dense. */
static kvq_role dense_role(const char *parent, const char *grandparent)
{
    if (contains_ci(parent, "attention")) return KVQ_ROLE_ATTN_O;
    if (strcasecmp(parent, "intermediate") == 0) return KVQ_ROLE_MLP_UP;
    if (strcasecmp(parent, "output") == 0)
        return contains_ci(grandparent, "attention") ? KVQ_ROLE_ATTN_O : KVQ_ROLE_MLP_DOWN;
    return KVQ_ROLE_OTHER;
}

static kvq_tensor_class classify_parts(char *parts[], size_t n, const uint64_t *shape, size_t ndim)
{
    kvq_tensor_class c = {KVQ_ROLE_OTHER, first_layer(parts, n), 0};
    const char *last = parts[n - 1];
    int has_weight = n > 1 && (strcmp(last, "weight") == 0 || strcmp(last, "bias") == 0);
    size_t mi = has_weight ? n - 2 : n - 1;
    const char *module = parts[mi], *parent = mi > 0 ? parts[mi - 1] : "";
    const char *grandparent = mi > 1 ? parts[mi - 2] : "";
    int relative = strcasecmp(module, "relative_attention_bias") == 0;
    if (ndim <= 1 || (!relative && ends_with(last, "bias")) || is_norm(parts, n)) {
        c.role = KVQ_ROLE_NORM_BIAS;
        return c;
    }
    if (strcasecmp(module, "output") == 0 && mi == 0) {
        c.role = KVQ_ROLE_OUTPUT_HEAD; /* llama2.c's top-level output.weight */
        return c;
    }
    if (strcasecmp(module, "dense") == 0) {
        c.role = dense_role(parent, grandparent);
        return c;
    }
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const rule *r = &rules[i];
        if (strcasecmp(module, r->module) != 0) continue;
        if (r->parent && !contains_ci(parent, r->parent)) continue;
        c.role = r->role;
        c.transposed = conv1d_orientation(r->conv1d, shape, ndim);
        return c;
    }
    /* A layer inside an output head outside the blocks (head.fc, classifier.out_proj of a
     * recognition model): the parent names the role. */
    if (c.layer < 0)
        for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
            if (rules[i].role == KVQ_ROLE_OUTPUT_HEAD && !rules[i].parent &&
                strcasecmp(parent, rules[i].module) == 0)
                c.role = KVQ_ROLE_OUTPUT_HEAD;
    return c;
}

kvq_tensor_class kvq_classify_tensor(const char *name, const uint64_t *shape, size_t ndim)
{
    kvq_tensor_class other = {KVQ_ROLE_OTHER, -1, 0};
    char buf[512], *parts[MAX_PARTS];
    size_t len = strlen(name);
    if (len == 0 || len >= sizeof buf) return other;
    memcpy(buf, name, len + 1);
    size_t n = split(buf, parts);
    return n ? classify_parts(parts, n, shape, ndim) : other;
}
