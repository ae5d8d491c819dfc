/* The model runtime: the forward pass of a Hugging Face causal language model of the Llama
 * family, so that populations can come from a model that runs and codecs can be judged by what
 * the model loses (model/).
 *
 * A model is a folder with config.json and model.safetensors, or shards listed by
 * model.safetensors.index.json (include/kvq/checkpoint.h). Architectures: LlamaForCausalLM,
 * MistralForCausalLM and Qwen2ForCausalLM (q, k and v projections with biases). Config keys read:
 * architectures, hidden_size, intermediate_size, num_attention_heads, num_hidden_layers,
 * vocab_size, max_position_embeddings, rms_norm_eps, rope_theta (required); num_key_value_heads
 * (default num_attention_heads), head_dim (default hidden_size / num_attention_heads),
 * tie_word_embeddings (default false), bos_token_id (default 1), hidden_act (must be "silu" when
 * present), rope_scaling (must be absent or null). Everything is checked when the model is
 * opened, before any work: a missing or mistyped key, head counts that do not divide, a tensor
 * missing, of an unreadable dtype or of a shape other than the config's. Weights stay in the
 * file's read-only mapping and are converted to f32 one layer at a time.
 *
 * The forward pass is float32 (norms, softmax and log-softmax accumulate in double): RMSNorm,
 * q/k/v projections, rotate-half RoPE exactly as transformers applies it (the first and second
 * halves of a head are the pairs), grouped-query attention (query head h reads KV head
 * h / (heads / kv_heads)) scaled by 1/sqrt(head_dim) under a causal mask, o projection, residual,
 * RMSNorm, SwiGLU MLP down(silu(gate(x)) * up(x)), residual, final RMSNorm, LM head (the
 * embedding when tied). Matrix products are CBLAS sgemm over every token of every sequence.
 */
#ifndef KVQ_MODEL_H
#define KVQ_MODEL_H

#include "kvq/backend.h"
#include "kvq/bootstrap.h"
#include "kvq/checkpoint.h"
#include "kvq/error.h"
#include "kvq/population.h"
#include "kvq/rng.h"
#include <stddef.h>
#include <stdint.h>

/* The model shipped with kvqeval (models/), whose populations `--matrix all` includes. */
#define KVQ_SHIPPED_MODEL "stories260K"

typedef struct kvq_model_config {
    char arch[32]; /* "LlamaForCausalLM", ... */
    size_t hidden, intermediate, heads, kv_heads, head_dim, layers, vocab, max_pos;
    double rope_theta, rms_eps;
    int tied;     /* tie_word_embeddings */
    int qkv_bias; /* Qwen2 */
    int32_t bos;
} kvq_model_config;

/* The matrices of a layer, and the LM head (layer -1). */
typedef enum kvq_model_weight {
    KVQ_MW_Q = 0,
    KVQ_MW_K,
    KVQ_MW_V,
    KVQ_MW_O,
    KVQ_MW_GATE,
    KVQ_MW_UP,
    KVQ_MW_DOWN,
    KVQ_MW_HEAD,
    KVQ_MW_COUNT
} kvq_model_weight;

/* The activations a forward pass exposes, each a matrix of ntok rows (every token of every
 * sequence, sequence-major):
 *   q, k      post-RoPE query and key heads, heads x head_dim and kv_heads x head_dim wide;
 *   v         value heads, kv_heads x head_dim;
 *   attn_in   the normed hidden state entering attention (the input of q, k and v);
 *   attn_out  the attention heads' output, the input of the o projection (heads x head_dim);
 *   mlp_in    the normed hidden state entering the MLP (the input of gate and up);
 *   mlp_act   silu(gate) * up, the input of the down projection (intermediate);
 *   hidden    the residual stream after the layer (hidden);
 *   final     the final normed hidden state, the input of the LM head (layer -1). */
typedef enum kvq_act {
    KVQ_ACT_Q = 0,
    KVQ_ACT_K,
    KVQ_ACT_V,
    KVQ_ACT_ATTN_IN,
    KVQ_ACT_ATTN_OUT,
    KVQ_ACT_MLP_IN,
    KVQ_ACT_MLP_ACT,
    KVQ_ACT_HIDDEN,
    KVQ_ACT_FINAL,
    KVQ_ACT_COUNT
} kvq_act;

const char *kvq_act_name(kvq_act kind);
/* The kind named name; KVQ_EINVAL (listing the kinds) otherwise. */
int kvq_act_parse(const char *name, kvq_act *out, kvq_error *err);
/* The width of an activation's rows. */
size_t kvq_act_width(const kvq_model_config *cfg, kvq_act kind);

/* The tensors of one layer. */
typedef struct kvq_model_layer {
    const kvq_tensor *w[KVQ_MW_HEAD]; /* q k v o gate up down, [out, in] */
    const kvq_tensor *bias[3];        /* q k v biases (Qwen2), else NULL */
    const kvq_tensor *attn_norm, *mlp_norm;
} kvq_model_layer;

typedef struct kvq_model {
    char *dir;
    kvq_model_config cfg;
    kvq_checkpoint ck;
    kvq_model_layer *layer;                /* cfg.layers */
    const kvq_tensor *embed, *norm, *head; /* head == embed when tied */
} kvq_model;

/* The folder of model dir: dir itself when it exists; else, for a bare name (no '/'), the model of
 * that name shipped with kvqeval (KVQ_MODELS_DIR in the environment, else the source tree's
 * models/, e.g. "stories260K"). Writes it to out[size]; 0, or -1 when neither exists. */
int kvq_model_locate(const char *dir, char *out, size_t size);

/* Opens the model folder dir (located as above; m->dir is the folder found; see the top). On
 * failure m is left empty and err names the file and the key or tensor at fault (KVQ_EINVAL for
 * config problems, KVQ_EFORMAT/KVQ_EIO for files). */
int kvq_model_open(kvq_model *m, const char *dir, kvq_error *err);
void kvq_model_close(kvq_model *m);

/* The shape [out, in] of a weight. */
void kvq_model_weight_shape(const kvq_model_config *cfg, kvq_model_weight w, size_t *out,
                            size_t *in);
/* The tensor of weight w at layer (ignored for the head). */
const kvq_tensor *kvq_model_weight_tensor(const kvq_model *m, kvq_model_weight w, int layer);

/* Converts a tensor of the model to f32 (dst holds its element count); KVQ_EFORMAT naming the
 * tensor and the element when a value is not finite. */
int kvq_model_tensor_f32(const kvq_model *m, const kvq_tensor *t, float *dst, kvq_error *err);

/* What a forward pass may observe or change. Every member is optional (zeroed: the exact model).
 *   observe  called with every activation of every layer, exact as the model computes it (K and
 *            V before any codec); a non-zero return stops the pass with that status.
 *   linear   may replace y[ntok x out] = x[ntok x in] W^T for weight w of layer (-1: the head):
 *            returns 1 when it wrote y, 0 to let the exact product run, or a negative status.
 *   k_codec, v_codec  fitted codecs of dimension head_dim applied to the keys and values of every
 *            layer (kv_layer < 0) or of layer kv_layer: each layer's K rows are encoded as
 *            produced and attention reads them through the codec's score (asymmetric estimators
 *            act as deployed; a reconstruction-grade codec's keys are decoded, which its
 *            contract makes the same scores, exactly those of the exact pass for passthrough);
 *            V rows are encoded and read back through reconstruct. */
typedef struct kvq_model_hooks {
    void *ctx;
    int (*observe)(void *ctx, kvq_act kind, int layer, const float *x, size_t ntok, size_t width,
                   kvq_error *err);
    int (*linear)(void *ctx, kvq_model_weight w, int layer, const float *wt, size_t out, size_t in,
                  const float *x, size_t ntok, float *y, kvq_error *err);
    const kvq_codec *k_codec, *v_codec;
    int kv_layer;
} kvq_model_hooks;

/* Checks token ids (nseq x len, row-major): len in [1, max_position_embeddings], every id in
 * [0, vocab). label names the source in the message (KVQ_EINVAL naming sequence, position, id). */
int kvq_model_check_tokens(const kvq_model *m, const int32_t *tokens, size_t nseq, size_t len,
                           const char *label, kvq_error *err);

/* Reads token ids from a .npy file of int32 or int64 ids, 2-D (one row a sequence) or 1-D (one
 * sequence). *tokens is a new array of nseq x len ids. KVQ_EINVAL naming the file for another
 * dtype or shape, or a negative id. Little-endian hosts only, as the .npy reader. */
int kvq_model_tokens_load(const char *path, int32_t **tokens, size_t *nseq, size_t *len,
                          kvq_error *err);

/* Runs nseq sequences of len tokens each (checked as above) through the model. logp, when not
 * NULL, receives the log-softmax of the logits at every position: logp[(s * len + t) * vocab + v]
 * is log p(v | tokens s[0..t]). hooks may be NULL. */
int kvq_model_forward(const kvq_model *m, const int32_t *tokens, size_t nseq, size_t len,
                      const kvq_model_hooks *hooks, float *logp, kvq_error *err);

/* Samples nseq sequences of len tokens from the model at temperature 1: each begins with the BOS
 * id, token t + 1 is drawn (kvq_rng_uniform against the cumulative distribution) from
 * p(. | tokens[0..t]). tokens receives nseq x len ids. Deterministic for a given rng state. */
int kvq_model_sample(const kvq_model *m, kvq_rng *rng, size_t nseq, size_t len, int32_t *tokens,
                     kvq_error *err);

/* The downstream criterion of a codec on a model population (model/criterion.c): the model run
 * on the population's held-out sequences with the codec applied, against the exact model.
 *   weight populations: every tensor of the target (of its layer, with layer=) is fitted with
 *            a new instance of spec and replaced by its decode; a codec that does not decode
 *            computes the product from its scores;
 *   kind=k, kind=v: fitted (the cell's codec, fitted on the population's rows, i.e. calibration
 *            sequences) is applied to the keys (values) of every layer, or of the layer;
 *   other kinds: KVQ_EUNSUPPORTED (no criterion).
 * Metrics (nats; README, "Models"): next_kl (mean KL(p_exact || p_codec) of the next-token
 * distribution over positions), next_kl_p99, next_top1 (argmax agreement), delta_nll (mean NLL
 * difference on the held-out tokens, which the exact model sampled), each with a 95% percentile
 * bootstrap interval over sequences drawn from rng. seed derives the weight codecs' streams. */
typedef struct kvq_criterion {
    kvq_interval next_kl, next_kl_p99, next_top1, delta_nll;
} kvq_criterion;

int kvq_model_criterion(const kvq_model *m, const kvq_population *pop, const char *spec,
                        const kvq_codec *fitted, uint64_t seed, kvq_rng *rng, kvq_criterion *out,
                        kvq_error *err);

#endif
