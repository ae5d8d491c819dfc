/* safetensors: and npy: population specs on the fixture checkpoints
 * (tests/golden/gen_populations.py): sampled rows are real rows (bit for bit against numpy),
 * queries are held out, sampling is seeded, selection by role/layer/tensor, fused qkv blocks of
 * GPT-2, sharded folders, chains, --model specs, and errors that name the input. */
#include "kvq/checkpoint.h"
#include "kvq/population.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIR KVQ_TEST_DATA "/golden/populations/"

static void load(kvq_population *pop, const char *spec, uint64_t seed)
{
    kvq_error err;
    kvq_error_clear(&err);
    cr_assert_eq(kvq_population_load(pop, spec, seed, &err), KVQ_OK, "%s: %s", spec, err.msg);
}

/* Index of the golden row (bits[rows x dim]) equal to row, or -1. */
static long find_row(const double *bits, size_t rows, size_t dim, const float *row)
{
    for (size_t r = 0; r < rows; r++) {
        size_t j = 0;
        for (; j < dim; j++) {
            uint32_t u;
            memcpy(&u, &row[j], sizeof u);
            if (u != (uint32_t)bits[r * dim + j]) break;
        }
        if (j == dim) return (long)r;
    }
    return -1;
}

/* Every row and query of pop is a distinct golden row; returns how many golden rows were hit. */
static size_t expect_rows_from(const kvq_population *pop, const char *key)
{
    cJSON *golden = kvq_test_golden("populations/populations.json");
    size_t n;
    double *bits = kvq_test_doubles(cJSON_GetObjectItemCaseSensitive(golden, key), &n);
    size_t rows = n / pop->dim, hits = 0;
    char *seen = calloc(rows, 1);
    for (size_t i = 0; i < pop->n + pop->nq; i++) {
        const float *row =
            i < pop->n ? pop->rows + i * pop->dim : pop->queries + (i - pop->n) * pop->dim;
        long r = find_row(bits, rows, pop->dim, row);
        cr_assert_geq(r, 0, "%s: row %zu is not a row of the tensor", key, i);
        cr_assert(!seen[r], "%s: tensor row %ld drawn twice (rows and queries overlap?)", key, r);
        seen[r] = 1;
        hits++;
    }
    free(seen);
    free(bits);
    cJSON_Delete(golden);
    return hits;
}

Test(population_files, bf16_role_rows_are_real_rows)
{
    kvq_population pop;
    load(&pop, "safetensors:" DIR "llama_bf16.safetensors#role=lm_head&rows=50&queries=14", 1);
    cr_assert_eq(pop.n, 50);
    cr_assert_eq(pop.nq, 14);
    cr_assert_eq(pop.dim, 16);
    cr_assert_eq(expect_rows_from(&pop, "llama_lm_head_bits"), 64, "all 64 rows drawn once");
    cr_assert_eq(pop.role, KVQ_ROLE_OUTPUT_HEAD);
    cr_assert_str_eq(pop.tensor, "lm_head.weight");
    cr_assert_str_eq(pop.dtype, "BF16");
    cr_assert_eq(pop.layer, -1);
    cr_assert_eq(pop.ndim, 2);
    cr_assert_eq(pop.shape[0], 64);
    cr_assert_eq(pop.seed, 1);
    cr_assert_null(pop.chain);
    kvq_population_free(&pop);
}

Test(population_files, defaults_and_seeds)
{
    kvq_population a, b, c;
    load(&a, "safetensors:" DIR "llama_bf16.safetensors#role=lm_head", 3);
    cr_assert_eq(a.nq, 12, "min(256, 64 / 5)");
    cr_assert_eq(a.n, 52, "min(4096, 64 - queries)");
    load(&b, "safetensors:" DIR "llama_bf16.safetensors#role=lm_head&rows=20", 3);
    load(&c, "safetensors:" DIR "llama_bf16.safetensors#role=lm_head&rows=20&seed=4", 3);
    kvq_population d;
    load(&d, "safetensors:" DIR "llama_bf16.safetensors#role=lm_head&rows=20", 3);
    cr_assert_eq(memcmp(b.rows, d.rows, 20 * 16 * sizeof(float)), 0, "same seed, same sample");
    cr_assert_eq(memcmp(b.queries, d.queries, b.nq * 16 * sizeof(float)), 0);
    cr_assert_neq(memcmp(b.rows, c.rows, 20 * 16 * sizeof(float)), 0, "seed= ignored");
    cr_assert_eq(c.seed, 4);
    expect_rows_from(&c, "llama_lm_head_bits");
    kvq_population_free(&a);
    kvq_population_free(&b);
    kvq_population_free(&c);
    kvq_population_free(&d);
}

Test(population_files, role_layer_and_tensor)
{
    kvq_population pop;
    load(&pop, "safetensors:" DIR "llama_bf16.safetensors#role=k_proj", 1);
    cr_assert_eq(pop.n + pop.nq, 16, "k_proj of both layers pooled: 2 x 8 rows");
    cr_assert_eq(pop.layer, -1);
    cr_assert_str_eq(pop.tensor, "model.layers.0.self_attn.k_proj.weight (+1 more)");
    kvq_population_free(&pop);
    load(&pop, "safetensors:" DIR "llama_bf16.safetensors#role=mlp_down&layer=1", 1);
    cr_assert_eq(pop.layer, 1);
    cr_assert_eq(pop.dim, 32);
    cr_assert_eq(pop.n + pop.nq, 16);
    cr_assert_eq(pop.role, KVQ_ROLE_MLP_DOWN);
    kvq_population_free(&pop);
    load(&pop,
         "safetensors:" DIR "t5.safetensors#tensor=encoder.block.0.layer.0.SelfAttention.relative_"
         "attention_bias.weight",
         1);
    cr_assert_eq(pop.role, KVQ_ROLE_POS_EMBED);
    cr_assert_eq(pop.dim, 4);
    cr_assert_eq(pop.n + pop.nq, 32);
    kvq_population_free(&pop);
}

Test(population_files, gpt2_k_block_of_fused_conv1d)
{
    kvq_population pop;
    load(&pop, "safetensors:" DIR "gpt2_f32.safetensors#role=k_proj&layer=1&rows=10&queries=2", 1);
    cr_assert_str_eq(pop.tensor, "h.1.attn.c_attn.weight[k]");
    cr_assert_eq(pop.role, KVQ_ROLE_ATTN_K);
    cr_assert_eq(pop.dim, 12);
    cr_assert_eq(expect_rows_from(&pop, "gpt2_h1_k_rows_bits"), 12);
    kvq_population_free(&pop);
}

static void expect_chain(const kvq_population *pop, size_t layer, const char *key)
{
    cJSON *golden = kvq_test_golden("populations/populations.json");
    size_t n;
    double *bits = kvq_test_doubles(cJSON_GetObjectItemCaseSensitive(golden, key), &n);
    cr_assert_eq(n, pop->dim * pop->dim);
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &pop->chain[layer * n + i], sizeof u);
        cr_assert_eq(u, (uint32_t)bits[i], "%s[%zu]", key, i);
    }
    free(bits);
    cJSON_Delete(golden);
}

Test(population_files, chain_of_layers)
{
    kvq_population pop;
    load(&pop, "safetensors:" DIR "gpt2_f32.safetensors#role=o_proj&chain=1", 1);
    cr_assert_eq(pop.chain_len, 2);
    cr_assert_eq(pop.dim, 12);
    expect_chain(&pop, 0, "gpt2_h0_attn_c_proj_rows_bits");
    expect_chain(&pop, 1, "gpt2_h1_attn_c_proj_rows_bits");
    kvq_population_free(&pop);
    load(&pop, "safetensors:" DIR "sharded#role=q_proj&chain=1", 1);
    cr_assert_eq(pop.chain_len, 3);
    cr_assert_eq(pop.n + pop.nq, 48);
    kvq_population_free(&pop);
}

Test(population_files, npy_specs)
{
    kvq_population pop;
    load(&pop, "npy:" DIR "keys_v1.npy", 1);
    cr_assert_eq(pop.nq, 8);
    cr_assert_eq(pop.n, 32);
    cr_assert_eq(pop.role, KVQ_ROLE_OTHER);
    cr_assert_str_eq(pop.tensor, "keys_v1");
    cr_assert_eq(expect_rows_from(&pop, "keys_v1_bits"), 40);
    kvq_population_free(&pop);
    load(&pop, "npy:" DIR "cube_v3.npy#role=kv_cache&rows=15&queries=5", 1);
    cr_assert_eq(pop.role, KVQ_ROLE_KV_CACHE);
    cr_assert_eq(pop.ndim, 3);
    cr_assert_eq(pop.dim, 8);
    cr_assert_eq(expect_rows_from(&pop, "cube_v3_bits"), 20, "4 x 5 leading dims = 20 rows");
    kvq_population_free(&pop);
    load(&pop, "npy:" DIR "half_v2.npy", 1);
    cr_assert_str_eq(pop.dtype, "F16");
    expect_rows_from(&pop, "half_v2_bits");
    kvq_population_free(&pop);
}

static void expect_error(const char *spec, const char *f1, const char *f2)
{
    kvq_population pop;
    kvq_error err;
    kvq_error_clear(&err);
    cr_assert_neq(kvq_population_load(&pop, spec, 1, &err), KVQ_OK, "'%s' accepted", spec);
    cr_assert(strstr(err.msg, f1), "'%s': message lacks '%s': %s", spec, f1, err.msg);
    cr_assert(!f2 || strstr(err.msg, f2), "'%s': message lacks '%s': %s", spec, f2, err.msg);
    cr_assert_null(pop.rows);
    cr_assert_null(pop.chain);
}

Test(population_files, errors_name_the_input)
{
    expect_error("safetensors:" DIR "nope.safetensors", "cannot open", "nope.safetensors");
    expect_error("safetensors:" DIR "llama_bf16.safetensors", "holds 16 encodable tensors",
                 "k_proj x2");
    expect_error("safetensors:" DIR "llama_bf16.safetensors#role=qkv_proj", "no qkv_proj tensor",
                 "tensors here: q_proj x2");
    expect_error("safetensors:" DIR "llama_bf16.safetensors#role=k_proj&layer=7",
                 "no k_proj tensor in layer 7", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#role=key", "unknown role 'key'", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#tensor=nope", "no tensor named 'nope'",
                 NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#tensor=lm_head.weight&role=vocab",
                 "not both", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#layer=1", "layer= needs role=", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#role=vocab&rows=60&queries=5",
                 "has 64 rows: 60 rows + 5 held-out queries do not fit", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#role=vocab&bogus=1",
                 "no parameter 'bogus'", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#role=k_proj&chain=1",
                 "chain=1 needs one square matrix per layer", "8 x 16");
    expect_error("safetensors:" DIR "llama_bf16.safetensors#tensor=lm_head.weight&chain=1",
                 "chain=1 needs role=", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#role=norm_bias&layer=0",
                 "'model.layers.0.input_layernorm.weight (+1 more)' has 2 rows", "do not fit");
    expect_error("npy:" DIR "keys_v1.npy#tensor=x", "npy has no tensor= option", NULL);
    expect_error("npy:" DIR "keys_v1.npy#layer=1", "no parameter 'layer'", NULL);
    expect_error("npy:" DIR "fortran.npy", "Fortran-order", "fortran.npy");
    expect_error("npy:" DIR "llama_bf16.safetensors", "is not a .npy file", NULL);
    expect_error("safetensors:", "missing or too long path", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#role=vocab",
                 "tensor 'model.embed_tokens.weight' row 0 column 3 is inf",
                 "kvqeval samples finite rows only");
    expect_error("safetensors:" DIR "llama_bf16.safetensors#tensor=lm_head.weight&tensor=x",
                 "tensor= given twice", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#tensor=", "tensor= is empty", NULL);
    expect_error("safetensors:" DIR "llama_bf16.safetensors#rows", "'rows' is not key=value", NULL);
}

Test(population_files, model_specs)
{
    char **specs;
    size_t n;
    kvq_error err;
    cr_assert_eq(kvq_model_population_specs(DIR "llama_bf16.safetensors", 0, &specs, &n, &err),
                 KVQ_OK, "%s", err.msg);
    static const char *const roles[] = {"q_proj", "k_proj",   "v_proj", "o_proj", "mlp_gate",
                                        "mlp_up", "mlp_down", "vocab",  "lm_head"};
    cr_assert_eq(n, 9);
    for (size_t i = 0; i < n; i++) {
        char want[512];
        snprintf(want, sizeof want, "safetensors:%sllama_bf16.safetensors#role=%s", DIR, roles[i]);
        cr_assert_str_eq(specs[i], want);
    }
    kvq_model_population_specs_free(specs, n);
    cr_assert_eq(kvq_model_population_specs(DIR "gpt2_f32.safetensors", 0, &specs, &n, &err),
                 KVQ_OK, "%s", err.msg);
    static const char *const gpt2[] = {"o_proj",   "qkv_proj", "mlp_up",
                                       "mlp_down", "vocab",    "pos_embed"};
    cr_assert_eq(n, 6);
    for (size_t i = 0; i < n; i++) {
        cr_assert(strstr(specs[i], gpt2[i]), "%s lacks %s", specs[i], gpt2[i]);
        kvq_population pop;
        load(&pop, specs[i], 1);
        kvq_population_free(&pop);
    }
    kvq_model_population_specs_free(specs, n);
    cr_assert_eq(kvq_model_population_specs(DIR "nope", 0, &specs, &n, &err), KVQ_EIO);
    cr_assert(strstr(err.msg, "cannot open '" DIR "nope'"), "%s", err.msg);
}
