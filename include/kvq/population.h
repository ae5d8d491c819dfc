/* Populations: the subjects of an evaluation.
 *
 * A population is a sample of rows of one tensor (converted to f32) with its provenance, plus
 * held-out *queries* to score against and, optionally, a *chain* of square matrices for chain
 * collapse. Specs (one grammar for the command line and for files):
 *     synthetic:NAME[?key=value&key=value...]      built-in generators (`kvqeval list populations`)
 * Loaders of real files (safetensors:, npy:) plug in beside the synthetic one (populations/).
 */
#ifndef KVQ_POPULATION_H
#define KVQ_POPULATION_H

#include "kvq/error.h"
#include "kvq/rng.h"
#include <stddef.h>
#include <stdint.h>

#define KVQ_TEXT_MAX 256

/* What a tensor is for; decides which regime a codec must respect. */
typedef enum kvq_role {
    KVQ_ROLE_OTHER = 0,
    KVQ_ROLE_ATTN_Q,
    KVQ_ROLE_ATTN_K,
    KVQ_ROLE_ATTN_V,
    KVQ_ROLE_ATTN_O,
    KVQ_ROLE_ATTN_QKV,
    KVQ_ROLE_MLP_GATE,
    KVQ_ROLE_MLP_UP,
    KVQ_ROLE_MLP_DOWN,
    KVQ_ROLE_VOCAB_EMBED,
    KVQ_ROLE_OUTPUT_HEAD,
    KVQ_ROLE_POS_EMBED,
    KVQ_ROLE_NORM_BIAS,
    KVQ_ROLE_SENTENCE_EMBED,
    KVQ_ROLE_AUDIO_LATENT,
    KVQ_ROLE_KV_CACHE,
    KVQ_ROLE_GAUSSIAN,
    KVQ_ROLE_COUNT
} kvq_role;

/* Stable snake_case name of a role ("k_proj", "mlp_gate", "vocab", ...). */
const char *kvq_role_name(kvq_role role);

/* Where a row or query of a model population comes from: the layer, the sequence and position of
 * its token in the population's sampled sequences, and the KV head (of a k or v row; the KV head
 * a query reads); -1 where not applicable. */
typedef struct kvq_origin {
    int32_t layer, seq, pos, head;
} kvq_origin;

/* What a model population measures, for the downstream criterion: an activation kind (its
 * kvq_act, include/kvq/model.h) or a weight (its kvq_model_weight), of one layer or all (-1). */
typedef struct kvq_model_target {
    int kind;   /* kvq_act, or -1 for a weight population */
    int weight; /* kvq_model_weight, or -1 for an activation population */
    int layer;  /* -1: every layer */
} kvq_model_target;

typedef struct kvq_population {
    char name[KVQ_TEXT_MAX];   /* the spec it was loaded from, as given */
    char source[KVQ_TEXT_MAX]; /* file path, or "synthetic" */
    char tensor[KVQ_TEXT_MAX]; /* tensor name, or the generator's name */
    kvq_role role;
    int layer;       /* layer index, -1 when unknown or not applicable */
    char dtype[16];  /* dtype in the source ("F32", "BF16", ...) */
    size_t shape[4]; /* original shape, unused entries 0 */
    size_t ndim;     /* number of used entries of shape */
    uint64_t seed;   /* the seed the sample was drawn with */

    size_t n, dim; /* rows: n x dim, row-major, owned */
    float *rows;
    size_t nq; /* queries: nq x dim, row-major, owned; disjoint from rows */
    float *queries;
    size_t *row_source, *query_source; /* n and nq entries, owned: where each row (query) was
                                          drawn from, its index among the source's rows (the
                                          selected tensors' rows in order, a generator's output);
                                          NULL when not known (a model's activations: see the
                                          origins) */
    size_t chain_len; /* optional chain: chain_len matrices dim x dim, owned; NULL if none */
    float *chain;
    float *chain_norm; /* NULL, or chain_len RMSNorm weight vectors of dim, owned: the chain is
                          then residual (include/kvq/chain.h) */
    double chain_eps;  /* the RMSNorm's epsilon */
    int chain_blocks;  /* no chain: the population has no layers (a generator, an npy file), so the
                          chain may be made of square blocks of its rows */
    char chain_why[KVQ_TEXT_MAX]; /* no chain and no blocks: why, for the cells' notes */

    /* Populations of a running model (model:DIR#..., populations/model_population.c); else zero. */
    int from_model;
    kvq_model_target target;
    kvq_origin *row_origin, *query_origin; /* n and nq entries, owned; NULL when not known */
    int causal;       /* attention metrics are causal: query i scores only the rows of its layer,
                         sequence and KV head at positions <= its own */
    int32_t *heldout; /* the criterion's held-out sequences, heldout_n x heldout_len ids, drawn */
    size_t heldout_n; /* from the model with a stream other than the population's */
    size_t heldout_len;
} kvq_population;

/* Loads a population from spec; seed drives all sampling and generation. On failure pop is left
 * empty (safe to free) and err names the spec and the problem. */
int kvq_population_load(kvq_population *pop, const char *spec, uint64_t seed, kvq_error *err);

/* A short label for tables and figures (populations/label.c): "synthetic:NAME" for a built-in
 * generator (its options left out), else the base name of the file or folder without its
 * extension, ':', the role (or the activation kind of a model population) and "@L" for a single
 * layer: "stories260K:k_proj", "stories260K:k@3", "llama_bf16:mlp_up@1". Not unique: the full spec
 * stays the population's key. */
void kvq_population_label(const kvq_population *pop, char *out, size_t size);

/* The layer a short label names ("stories260K:k@3": 3), with *family_len the length of the label
 * before its '@' (the family of its layers); -1, and the whole length, for a label that names no
 * single layer. */
long kvq_label_layer(const char *label, size_t *family_len);

/* The layers spec covers, for layer=all (populations/layers.c): every layer of a model: spec's
 * model, or the distinct layers of the tensors of a file spec's role= (ascending). *layers is a
 * new array of *count entries. KVQ_EINVAL when the spec has no role (file specs) or the role no
 * layered tensor; the checkpoint's or model's own errors otherwise. */
int kvq_population_layers(const char *spec, long **layers, size_t *count, kvq_error *err);

/* Frees what pop owns and zeroes it. */
void kvq_population_free(kvq_population *pop);

/* The signature statistics of a set of rows, the ones the built-in populations are built to show
 * (populations/signature.c):
 *   norm_cv        coefficient of variation of the row L2 norms (sample sd / mean);
 *   norm_max_ratio largest row norm / median row norm (an attention sink stands out here);
 *   mean_abs_cos   mean |cos| over all pairs of the sampled rows: all rows when
 *                  n <= KVQ_STATS_SAMPLE_ROWS, else a uniformly random subset of that many (drawn
 *                  from a fixed stream: the same rows give the same value);
 *   kurtosis       excess kurtosis of all coordinates pooled, GSL's definition (sample sd):
 *                  mean(((x - mean) / sd)^4) - 3, 0 for Gaussian coordinates;
 *   eff_rank       effective rank (Roy & Vetterli 2007): exp of the entropy of the singular
 *                  values of the row matrix normalised to sum 1; dim for isotropic rows, about
 *                  k for rows in a k-dimensional subspace. Exact when min(n, dim) <=
 *                  KVQ_STATS_SAMPLE_ROWS; otherwise that of the sampled rows (so at most
 *                  KVQ_STATS_SAMPLE_ROWS). The cost is O(n dim min(dim, m) + m^2 dim + m^3) with
 *                  m = KVQ_STATS_SAMPLE_ROWS: never cubic in dim. */
#define KVQ_STATS_SAMPLE_ROWS 512

typedef struct kvq_row_stats {
    double norm_cv, norm_max_ratio, mean_abs_cos, kurtosis, eff_rank;
} kvq_row_stats;

/* Computes the statistics of rows (n x dim, n >= 2). KVQ_ENOMEM, or KVQ_EINTERNAL when the
 * eigen-decomposition fails. */
int kvq_row_stats_compute(const float *rows, size_t n, size_t dim, kvq_row_stats *out,
                          kvq_error *err);

/* A built-in synthetic generator (populations/synth_*.c), listed in populations/synthetic.c. */
typedef struct kvq_synthetic {
    const char *name;    /* as in synthetic:NAME */
    const char *summary; /* one line: what signature it shows */
    kvq_role role;
    size_t default_n, default_dim;
    /* Fills rows (n x dim) from rng. Queries are drawn by the same call as extra rows, so the
     * generator sees n = rows + queries. 0 or a negative kvq_status. */
    int (*generate)(size_t n, size_t dim, kvq_rng *rng, float *rows, kvq_error *err);
} kvq_synthetic;

/* The generators, NULL-terminated, and the ones `--matrix all` runs (also NULL-terminated). */
extern const kvq_synthetic *const kvq_synthetics[];
extern const char *const kvq_builtin_populations[];

#endif
