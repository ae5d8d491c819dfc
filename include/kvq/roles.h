/* Role classification: what a checkpoint tensor is for, read from its name.
 *
 * The name is split at '.'; the *module* is the component before a final "weight" or "bias"
 * (or the last component: "in_proj_weight"), its *parent* the one before that. Rules, first match
 * wins:
 *   - 0-D and 1-D tensors, anything ending in "bias" (but relative_attention_bias), and any
 *     component naming a norm (norm, layernorm, ln_1, ln_f, ...) -> norm_bias (not encodable);
 *   - attention: q_proj k_proj v_proj o_proj out_proj (Llama, Qwen, Mistral, Whisper, BART),
 *     query key value + attention.output.dense (BERT, MiniLM), wq wk wv wo (llama2.c),
 *     q k v o under an *Attention parent (T5), q_lin k_lin v_lin out_lin (DistilBERT),
 *     attention.dense (GPT-NeoX), attn.proj (ViT), attn.c_proj (GPT-2);
 *   - fused qkv: c_attn (GPT-2), qkv, qkv_proj, Wqkv, query_key_value, in_proj_weight;
 *   - MLP gate: gate_proj, w1, wi_0; up: up_proj, w3, wi_1, wi, c_fc, fc1, fc_in,
 * intermediate.dense, dense_h_to_4h, lin1, gate_up_proj (fused gate+up); down: down_proj, w2, wo
 * (T5), mlp.c_proj, fc2, fc_out, output.dense (BERT), dense_4h_to_h, lin2;
 *   - vocab embedding: embed_tokens, wte, word_embeddings, tok_embeddings, token_embedding, shared
 *     (T5), embed_in; output head: lm_head, embed_out, proj_out (Whisper), head, classifier,
 *     top-level output (llama2.c), predictions.decoder (BERT MLM);
 *   - position embedding: wpe, position_embeddings, embed_positions, position_embedding,
 *     pos_embed, relative_attention_bias (T5);
 *   - anything else -> other (not encodable by default: conv kernels, routers, poolers).
 * Names are compared case-insensitively. The layer is the first all-digit component
 * ("model.layers.3.self_attn.k_proj.weight" -> 3, "encoder.block.3.layer.0.SelfAttention.k.weight"
 * -> 3), -1 when there is none.
 *
 * GPT-2's Conv1D modules (c_attn, c_fc, c_proj) store weights [in, out], transposed from
 * nn.Linear's [out, in]; such a tensor is marked transposed so that its rows are read as columns
 * and every weight's rows are output features. c_attn and c_fc count as Conv1D when they are
 * wider than tall and mlp.c_proj when it is taller than wide (GPT-BigCode stores the same names
 * as nn.Linear, the other way round); the square attn.c_proj is taken as Conv1D.
 */
#ifndef KVQ_ROLES_H
#define KVQ_ROLES_H

#include "kvq/population.h"
#include <stddef.h>
#include <stdint.h>

typedef struct kvq_tensor_class {
    kvq_role role;
    int layer;      /* -1 when the name has no layer index */
    int transposed; /* stored [in, out] (GPT-2 Conv1D): rows are the columns */
} kvq_tensor_class;

/* Classifies a tensor from its name and shape (shape[ndim]). */
kvq_tensor_class kvq_classify_tensor(const char *name, const uint64_t *shape, size_t ndim);

/* The role called name (kvq_role_name spelling); KVQ_EINVAL with the list of roles if none. */
int kvq_role_parse(const char *name, kvq_role *out, kvq_error *err);

/* 1 for the roles whose tensors are weights a codec would compress (attention, fused qkv, MLP,
 * embeddings, heads); 0 for norm_bias and other. */
int kvq_role_is_encodable(kvq_role role);

#endif
