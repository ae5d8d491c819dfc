/* The model runtime (include/kvq/model.h): log-probabilities against the independent numpy forward
 * pass of tests/golden/gen_model.py (float64, written from the transformers semantics), on a
 * random-weight Qwen2 (grouped-query attention, q/k/v biases, untied head, BF16), a random-weight
 * Mistral (explicit head_dim, one KV head, tied, F16) and the shipped stories260K (F32); the
 * config checks; sampling. */
#include "kvq/model.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODELS KVQ_TEST_DATA "/golden/models/"

static void open_model(kvq_model *m, const char *dir)
{
    kvq_error err;
    cr_assert_eq(kvq_model_open(m, dir, &err), KVQ_OK, "%s: %s", dir, err.msg);
}

/* Every golden row (seq, pos, token, logprob) of model key against the forward pass. */
static void check_golden(const char *key, const char *dir, const char *tokens_path)
{
    cJSON *g = kvq_test_golden("model.json");
    const cJSON *rows = cJSON_GetObjectItem(cJSON_GetObjectItem(g, key), "rows");
    cr_assert(cJSON_IsArray(rows), "%s: no rows", key);
    kvq_model m;
    open_model(&m, dir);
    int32_t *tokens;
    size_t nseq, len;
    kvq_error err;
    cr_assert_eq(kvq_model_tokens_load(tokens_path, &tokens, &nseq, &len, &err), KVQ_OK, "%s",
                 err.msg);
    size_t vocab = m.cfg.vocab;
    float *logp = malloc(nseq * len * vocab * sizeof *logp);
    cr_assert_eq(kvq_model_forward(&m, tokens, nseq, len, NULL, logp, &err), KVQ_OK, "%s", err.msg);
    size_t count = 0;
    double worst = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, rows)
    {
        size_t s = (size_t)kvq_test_num(r, "seq"), t = (size_t)kvq_test_num(r, "pos");
        int32_t tok = (int32_t)kvq_test_num(r, "token");
        cr_assert_eq(tokens[s * len + t], tok, "%s: token at %zu,%zu", key, s, t);
        double got = logp[(s * len + t - 1) * vocab + (size_t)tok];
        double want = kvq_test_num(r, "logprob");
        if (fabs(got - want) > worst) worst = fabs(got - want);
        count++;
    }
    cr_assert_eq(count, nseq * (len - 1), "%s: %zu golden rows for %zu x %zu tokens", key, count,
                 nseq, len);
    cr_assert_lt(worst, 1e-4, "%s: log-probabilities differ from numpy by %g", key, worst);
    free(logp);
    free(tokens);
    kvq_model_close(&m);
    cJSON_Delete(g);
}

Test(model, qwen2_gqa_biases_untied_bf16_equal_numpy)
{
    check_golden("tiny_qwen2", MODELS "tiny_qwen2", MODELS "tiny_qwen2/tokens.npy");
}

Test(model, mistral_head_dim_tied_f16_equal_numpy)
{
    check_golden("tiny_mistral", MODELS "tiny_mistral", MODELS "tiny_mistral/tokens.npy");
}

Test(model, shipped_stories260K_equals_numpy)
{
    check_golden("stories260K", "stories260K", KVQ_TEST_DATA "/golden/stories260K_tokens.npy");
}

/* A copy of tiny_qwen2 whose config.json has key set to the JSON value (NULL: removed): the
 * refusal must carry code and name what. */
static void expect_config_refused(const char *key, const char *value, int code, const char *what)
{
    FILE *in = fopen(MODELS "tiny_qwen2/config.json", "r");
    cr_assert_not_null(in);
    char text[4096];
    text[fread(text, 1, sizeof text - 1, in)] = '\0';
    fclose(in);
    cJSON *cfg = cJSON_Parse(text);
    cJSON_DeleteItemFromObjectCaseSensitive(cfg, key);
    if (value) cJSON_AddItemToObject(cfg, key, cJSON_Parse(value));
    char *out = cJSON_Print(cfg);
    char dir[] = "/tmp/kvq_model_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    fputs(out, f);
    fclose(f);
    free(out);
    cJSON_Delete(cfg);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    cr_assert_eq(symlink(MODELS "tiny_qwen2/model.safetensors", path), 0);
    kvq_model m;
    kvq_error err;
    int rc = kvq_model_open(&m, dir, &err);
    unlink(path);
    snprintf(path, sizeof path, "%s/config.json", dir);
    unlink(path);
    rmdir(dir);
    cr_assert_eq(rc, code, "%s=%s: expected a refusal naming %s: %s", key, value, what, err.msg);
    if (rc == KVQ_OK) {
        kvq_model_close(&m);
        return;
    }
    cr_assert(strstr(err.msg, what), "'%s' not named in: %s", what, err.msg);
    cr_assert_null(m.layer);
}

Test(model, config_and_shapes_are_checked_before_any_work)
{
    /* the fixture itself opens */
    kvq_model m;
    open_model(&m, MODELS "tiny_qwen2");
    cr_assert_eq(m.cfg.head_dim, 8);
    cr_assert(m.cfg.qkv_bias && !m.cfg.tied);
    kvq_model_close(&m);
    expect_config_refused("architectures", "[\"GPT2LMHeadModel\"]", KVQ_EUNSUPPORTED,
                          "GPT2LMHeadModel");
    expect_config_refused("intermediate_size", NULL, KVQ_EINVAL, "intermediate_size");
    expect_config_refused("num_key_value_heads", "3", KVQ_EINVAL,
                          "not a multiple of num_key_value_heads 3");
    expect_config_refused("hidden_act", "\"gelu\"", KVQ_EUNSUPPORTED, "hidden_act");
    expect_config_refused("rope_scaling", "{\"type\": \"linear\"}", KVQ_EUNSUPPORTED,
                          "rope_scaling");
    expect_config_refused("rms_norm_eps", "-1", KVQ_EINVAL, "rms_norm_eps");
    expect_config_refused("vocab_size", "\"64\"", KVQ_EINVAL, "vocab_size");
    /* a shape the weights do not have: the tensor is named */
    expect_config_refused("intermediate_size", "50", KVQ_EFORMAT,
                          "model.layers.0.mlp.gate_proj.weight");
    expect_config_refused("num_hidden_layers", "3", KVQ_EFORMAT,
                          "model.layers.2.self_attn.q_proj.weight' is missing");
    /* Llama has no q/k/v biases: the Qwen2 file's are not read, the rest fits and opens */
    expect_config_refused("architectures", "[\"LlamaForCausalLM\"]", KVQ_OK, "");
}

Test(model, tokens_are_checked)
{
    kvq_model m;
    open_model(&m, MODELS "tiny_qwen2");
    int32_t ok[3] = {1, 63, 0}, bad[3] = {1, 64, 0};
    kvq_error err;
    cr_assert_eq(kvq_model_check_tokens(&m, ok, 1, 3, "t", &err), KVQ_OK);
    cr_assert_eq(kvq_model_check_tokens(&m, bad, 1, 3, "t", &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "position 1: token id 64"), "%s", err.msg);
    int32_t *longer = calloc(65, sizeof *longer);
    cr_assert_eq(kvq_model_check_tokens(&m, longer, 1, 65, "t", &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "max_position_embeddings = 64"), "%s", err.msg);
    free(longer);
    kvq_model_close(&m);
}

Test(model, sampling_is_deterministic_and_starts_at_bos)
{
    kvq_model m;
    open_model(&m, "stories260K");
    int32_t a[3 * 20], b[3 * 20];
    kvq_rng r1, r2;
    kvq_rng_derive(&r1, 7, "test");
    kvq_rng_derive(&r2, 7, "test");
    kvq_error err;
    cr_assert_eq(kvq_model_sample(&m, &r1, 3, 20, a, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_model_sample(&m, &r2, 3, 20, b, &err), KVQ_OK, "%s", err.msg);
    cr_assert_arr_eq(a, b, sizeof a);
    int differ = 0;
    for (size_t s = 0; s < 3; s++) {
        cr_assert_eq(a[s * 20], m.cfg.bos);
        for (size_t t = 0; t < 20; t++) cr_assert(a[s * 20 + t] >= 0 && a[s * 20 + t] < 512);
        differ |= memcmp(a, a + s * 20, 20 * sizeof *a) != 0;
    }
    cr_assert(differ, "three samples came out identical");
    kvq_model_close(&m);
}
