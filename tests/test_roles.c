/* Role classification across naming conventions: every tensor of the fixture checkpoints
 * (tests/golden/gen_populations.py) and the names of other families, with their layer. The
 * expected roles are the conventions' meaning of each name (see include/kvq/roles.h). */
#include "kvq/checkpoint.h"
#include "kvq/roles.h"

#include <criterion/criterion.h>
#include <string.h>

#define FIXTURE(name) KVQ_TEST_DATA "/golden/populations/" name

typedef struct expect {
    const char *name;
    const char *role;
    int layer;
} expect;

static void expect_checkpoint(const char *path, const expect *want, size_t n)
{
    kvq_checkpoint ck;
    kvq_error err;
    cr_assert_eq(kvq_checkpoint_open(&ck, path, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(ck.count, n, "%s: %zu tensors, %zu expected", path, ck.count, n);
    for (size_t i = 0; i < n; i++) {
        const kvq_checkpoint_entry *e = NULL;
        for (size_t j = 0; j < ck.count; j++)
            if (strcmp(ck.entries[j].tensor->name, want[i].name) == 0) e = &ck.entries[j];
        cr_assert_not_null(e, "%s: tensor %s missing", path, want[i].name);
        cr_assert_str_eq(kvq_role_name(e->cls.role), want[i].role, "%s", want[i].name);
        cr_assert_eq(e->cls.layer, want[i].layer, "%s: layer %d", want[i].name, e->cls.layer);
    }
    kvq_checkpoint_close(&ck);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(roles, llama_bf16)
{
    static const expect want[] = {
        {"model.embed_tokens.weight", "vocab", -1},
        {"model.layers.0.self_attn.q_proj.weight", "q_proj", 0},
        {"model.layers.0.self_attn.k_proj.weight", "k_proj", 0},
        {"model.layers.0.self_attn.v_proj.weight", "v_proj", 0},
        {"model.layers.0.self_attn.o_proj.weight", "o_proj", 0},
        {"model.layers.0.mlp.gate_proj.weight", "mlp_gate", 0},
        {"model.layers.0.mlp.up_proj.weight", "mlp_up", 0},
        {"model.layers.0.mlp.down_proj.weight", "mlp_down", 0},
        {"model.layers.0.input_layernorm.weight", "norm_bias", 0},
        {"model.layers.0.post_attention_layernorm.weight", "norm_bias", 0},
        {"model.layers.1.self_attn.q_proj.weight", "q_proj", 1},
        {"model.layers.1.self_attn.k_proj.weight", "k_proj", 1},
        {"model.layers.1.self_attn.v_proj.weight", "v_proj", 1},
        {"model.layers.1.self_attn.o_proj.weight", "o_proj", 1},
        {"model.layers.1.mlp.gate_proj.weight", "mlp_gate", 1},
        {"model.layers.1.mlp.up_proj.weight", "mlp_up", 1},
        {"model.layers.1.mlp.down_proj.weight", "mlp_down", 1},
        {"model.layers.1.input_layernorm.weight", "norm_bias", 1},
        {"model.layers.1.post_attention_layernorm.weight", "norm_bias", 1},
        {"model.norm.weight", "norm_bias", -1},
        {"lm_head.weight", "lm_head", -1},
    };
    expect_checkpoint(FIXTURE("llama_bf16.safetensors"), want, N(want));
}

Test(roles, gpt2)
{
    static const expect want[] = {
        {"wte.weight", "vocab", -1},
        {"wpe.weight", "pos_embed", -1},
        {"h.0.ln_1.weight", "norm_bias", 0},
        {"h.0.ln_1.bias", "norm_bias", 0},
        {"h.0.ln_2.weight", "norm_bias", 0},
        {"h.0.ln_2.bias", "norm_bias", 0},
        {"h.0.attn.c_attn.weight", "qkv_proj", 0},
        {"h.0.attn.c_attn.bias", "norm_bias", 0},
        {"h.0.attn.c_proj.weight", "o_proj", 0},
        {"h.0.mlp.c_fc.weight", "mlp_up", 0},
        {"h.0.mlp.c_proj.weight", "mlp_down", 0},
        {"h.1.ln_1.weight", "norm_bias", 1},
        {"h.1.ln_1.bias", "norm_bias", 1},
        {"h.1.ln_2.weight", "norm_bias", 1},
        {"h.1.ln_2.bias", "norm_bias", 1},
        {"h.1.attn.c_attn.weight", "qkv_proj", 1},
        {"h.1.attn.c_attn.bias", "norm_bias", 1},
        {"h.1.attn.c_proj.weight", "o_proj", 1},
        {"h.1.mlp.c_fc.weight", "mlp_up", 1},
        {"h.1.mlp.c_proj.weight", "mlp_down", 1},
        {"ln_f.weight", "norm_bias", -1},
    };
    expect_checkpoint(FIXTURE("gpt2_f32.safetensors"), want, N(want));
}

Test(roles, bert_f16)
{
    static const expect want[] = {
        {"bert.embeddings.word_embeddings.weight", "vocab", -1},
        {"bert.embeddings.position_embeddings.weight", "pos_embed", -1},
        {"bert.embeddings.token_type_embeddings.weight", "other", -1},
        {"bert.embeddings.LayerNorm.weight", "norm_bias", -1},
        {"bert.encoder.layer.0.attention.self.query.weight", "q_proj", 0},
        {"bert.encoder.layer.0.attention.self.query.bias", "norm_bias", 0},
        {"bert.encoder.layer.0.attention.self.key.weight", "k_proj", 0},
        {"bert.encoder.layer.0.attention.self.key.bias", "norm_bias", 0},
        {"bert.encoder.layer.0.attention.self.value.weight", "v_proj", 0},
        {"bert.encoder.layer.0.attention.self.value.bias", "norm_bias", 0},
        {"bert.encoder.layer.0.attention.output.dense.weight", "o_proj", 0},
        {"bert.encoder.layer.0.attention.output.LayerNorm.weight", "norm_bias", 0},
        {"bert.encoder.layer.0.intermediate.dense.weight", "mlp_up", 0},
        {"bert.encoder.layer.0.output.dense.weight", "mlp_down", 0},
        {"bert.pooler.dense.weight", "other", -1},
        {"cls.predictions.decoder.weight", "lm_head", -1},
    };
    expect_checkpoint(FIXTURE("bert_f16.safetensors"), want, N(want));
}

Test(roles, llama2c_t5_whisper_generic)
{
    static const expect l2c[] = {
        {"tok_embeddings.weight", "vocab", -1},
        {"layers.0.attention.wq.weight", "q_proj", 0},
        {"layers.0.attention.wk.weight", "k_proj", 0},
        {"layers.0.attention.wv.weight", "v_proj", 0},
        {"layers.0.attention.wo.weight", "o_proj", 0},
        {"layers.0.feed_forward.w1.weight", "mlp_gate", 0},
        {"layers.0.feed_forward.w2.weight", "mlp_down", 0},
        {"layers.0.feed_forward.w3.weight", "mlp_up", 0},
        {"layers.0.attention_norm.weight", "norm_bias", 0},
        {"layers.0.ffn_norm.weight", "norm_bias", 0},
        {"norm.weight", "norm_bias", -1},
        {"output.weight", "lm_head", -1},
    };
    expect_checkpoint(FIXTURE("llama2c.safetensors"), l2c, N(l2c));
    static const expect t5[] = {
        {"shared.weight", "vocab", -1},
        {"encoder.block.0.layer.0.SelfAttention.q.weight", "q_proj", 0},
        {"encoder.block.0.layer.0.SelfAttention.k.weight", "k_proj", 0},
        {"encoder.block.0.layer.0.SelfAttention.v.weight", "v_proj", 0},
        {"encoder.block.0.layer.0.SelfAttention.o.weight", "o_proj", 0},
        {"encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "pos_embed", 0},
        {"encoder.block.0.layer.0.layer_norm.weight", "norm_bias", 0},
        {"encoder.block.0.layer.1.DenseReluDense.wi_0.weight", "mlp_gate", 0},
        {"encoder.block.0.layer.1.DenseReluDense.wi_1.weight", "mlp_up", 0},
        {"encoder.block.0.layer.1.DenseReluDense.wo.weight", "mlp_down", 0},
        {"decoder.block.1.layer.1.EncDecAttention.k.weight", "k_proj", 1},
        {"lm_head.weight", "lm_head", -1},
    };
    expect_checkpoint(FIXTURE("t5.safetensors"), t5, N(t5));
    static const expect whisper[] = {
        {"model.encoder.conv1.weight", "other", -1},
        {"model.encoder.embed_positions.weight", "pos_embed", -1},
        {"model.encoder.layers.0.self_attn.k_proj.weight", "k_proj", 0},
        {"model.encoder.layers.0.self_attn.out_proj.weight", "o_proj", 0},
        {"model.encoder.layers.0.self_attn_layer_norm.weight", "norm_bias", 0},
        {"model.encoder.layers.0.fc1.weight", "mlp_up", 0},
        {"model.encoder.layers.0.fc2.weight", "mlp_down", 0},
        {"model.decoder.layers.2.encoder_attn.q_proj.weight", "q_proj", 2},
        {"model.decoder.embed_tokens.weight", "vocab", -1},
        {"proj_out.weight", "lm_head", -1},
    };
    expect_checkpoint(FIXTURE("whisper.safetensors"), whisper, N(whisper));
    static const expect generic[] = {
        {"pos_embed", "pos_embed", -1},
        {"blocks.0.attn.qkv.weight", "qkv_proj", 0},
        {"blocks.0.attn.proj.weight", "o_proj", 0},
        {"blocks.0.mlp.fc1.weight", "mlp_up", 0},
        {"blocks.0.mlp.fc2.weight", "mlp_down", 0},
        {"head.weight", "lm_head", -1},
        {"classifier.weight", "lm_head", -1},
        {"blocks.0.norm1.weight", "norm_bias", 0},
    };
    expect_checkpoint(FIXTURE("generic.safetensors"), generic, N(generic));
}

static void expect_name(const char *name, uint64_t rows, uint64_t cols, const char *role, int layer,
                        int transposed)
{
    uint64_t shape[2] = {rows, cols};
    kvq_tensor_class c = kvq_classify_tensor(name, shape, 2);
    cr_assert_str_eq(kvq_role_name(c.role), role, "%s", name);
    cr_assert_eq(c.layer, layer, "%s", name);
    cr_assert_eq(c.transposed, transposed, "%s", name);
}

Test(roles, other_families_by_name)
{
    expect_name("model.layers.31.self_attn.k_proj.weight", 1024, 4096, "k_proj", 31, 0);
    expect_name("gpt_neox.layers.5.attention.query_key_value.weight", 384, 128, "qkv_proj", 5, 0);
    expect_name("gpt_neox.layers.5.attention.dense.weight", 128, 128, "o_proj", 5, 0);
    expect_name("gpt_neox.layers.5.mlp.dense_h_to_4h.weight", 512, 128, "mlp_up", 5, 0);
    expect_name("gpt_neox.layers.5.mlp.dense_4h_to_h.weight", 128, 512, "mlp_down", 5, 0);
    expect_name("gpt_neox.embed_in.weight", 500, 128, "vocab", -1, 0);
    expect_name("embed_out.weight", 500, 128, "lm_head", -1, 0);
    expect_name("distilbert.transformer.layer.2.attention.q_lin.weight", 8, 8, "q_proj", 2, 0);
    expect_name("distilbert.transformer.layer.2.ffn.lin1.weight", 32, 8, "mlp_up", 2, 0);
    expect_name("model.layers.0.self_attn.qkv_proj.weight", 9216, 3072, "qkv_proj", 0, 0);
    expect_name("model.layers.0.mlp.gate_up_proj.weight", 16384, 3072, "mlp_up", 0, 0);
    expect_name("model.layers.0.block_sparse_moe.experts.7.w1.weight", 64, 16, "mlp_gate", 0, 0);
    expect_name("model.layers.0.block_sparse_moe.gate.weight", 8, 16, "other", 0, 0);
    expect_name("transformer.h.0.attn.c_attn.weight", 6144, 2048, "qkv_proj", 0, 0);
    expect_name("transformer.h.0.attn.c_attn.weight", 768, 2304, "qkv_proj", 0, 1);
    expect_name("transformer.h.0.mlp.c_proj.weight", 3072, 768, "mlp_down", 0, 1);
    expect_name("transformer.h.0.mlp.c_proj.weight", 768, 3072, "mlp_down", 0, 0);
    expect_name("layers.0.attn.in_proj_weight", 24, 8, "qkv_proj", 0, 0);
    expect_name("vision_model.embeddings.position_embedding.weight", 50, 8, "pos_embed", -1, 0);
    expect_name("text_model.embeddings.token_embedding.weight", 500, 8, "vocab", -1, 0);
    expect_name("layers.0.attn.in_proj_bias", 24, 1, "norm_bias", 0, 0);
    expect_name("head.fc.weight", 6625, 120, "lm_head", -1,
                0); /* a recognition model's classifier */
    expect_name("classifier.dense.weight", 10, 8, "other", -1, 0);     /* dense: its own rule */
    expect_name("model.layers.3.head.fc.weight", 8, 8, "other", 3, 0); /* inside a block */
    expect_name("", 1, 1, "other", -1, 0);
    expect_name("a..b", 1, 1, "other", -1, 0);
    uint64_t one = 16;
    cr_assert_eq(kvq_classify_tensor("model.layers.0.self_attn.q_proj.weight", &one, 1).role,
                 KVQ_ROLE_NORM_BIAS, "a 1-D tensor is not encodable");
}

Test(roles, parse_and_encodable)
{
    kvq_role r;
    kvq_error err;
    cr_assert_eq(kvq_role_parse("mlp_gate", &r, &err), KVQ_OK);
    cr_assert_eq(r, KVQ_ROLE_MLP_GATE);
    cr_assert_eq(kvq_role_parse("key", &r, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "unknown role 'key' (known: other, q_proj"), "%s", err.msg);
    cr_assert(kvq_role_is_encodable(KVQ_ROLE_ATTN_K));
    cr_assert(!kvq_role_is_encodable(KVQ_ROLE_NORM_BIAS));
    cr_assert(!kvq_role_is_encodable(KVQ_ROLE_OTHER));
}
