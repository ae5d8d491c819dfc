/* GGUF reader: shapes, dtypes and metadata of llama.cpp-style files, rows equal to the golden
 * values (F32, F16, BF16 exactly; Q8_0, Q4_0, Q4_K dequantized through the codecs to the values of
 * tests/golden/gen_deployed.py's quantizers), llama.cpp names classified by role and layer, every
 * hostile file refused with a message naming what, and gguf: populations. Golden files:
 * tests/golden/gen_gguf.py. */
#include "kvq/checkpoint.h"
#include "kvq/gguf.h"
#include "kvq/population.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIR KVQ_TEST_DATA "/golden/gguf/"

/* Checks every tensor of golden["files"][file] against g: dtype, shape, and the rows given. */
static void expect_file(const kvq_gguf *g, const char *file)
{
    cJSON *golden = kvq_test_golden("gguf/gguf.json");
    const cJSON *tensors =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(golden, "files"), file);
    cr_assert_not_null(tensors, "%s not in gguf.json", file);
    cr_assert_eq(g->count, (size_t)cJSON_GetArraySize(tensors));
    for (const cJSON *e = tensors->child; e; e = e->next) {
        const kvq_tensor *t = kvq_gguf_find(g, e->string);
        cr_assert_not_null(t, "%s: no tensor '%s'", file, e->string);
        const char *dtype = cJSON_GetObjectItemCaseSensitive(e, "dtype")->valuestring;
        cr_assert_str_eq(kvq_dtype_name(t->dtype), dtype, "%s", e->string);
        const cJSON *shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
        cr_assert_eq(t->ndim, (size_t)cJSON_GetArraySize(shape), "%s", e->string);
        for (size_t i = 0; i < t->ndim; i++)
            cr_assert_eq(t->shape[i], (uint64_t)cJSON_GetArrayItem(shape, (int)i)->valuedouble,
                         "%s: shape[%zu]", e->string, i);
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(e, "rows");
        if (!rows) continue;
        size_t n = 0, count, dim;
        cr_assert_eq(kvq_tensor_rows(t, 0, &count, &dim, NULL), KVQ_OK);
        cr_assert_eq((size_t)cJSON_GetArraySize(rows), count, "%s", e->string);
        float *row = malloc(dim * sizeof *row);
        for (size_t r = 0; r < count; r++) {
            float *want = kvq_test_floats(cJSON_GetArrayItem(rows, (int)r), &n);
            cr_assert_eq(n, dim);
            kvq_tensor_read_row(t, 0, r, row);
            for (size_t j = 0; j < dim; j++)
                cr_assert_eq(row[j], want[j], "%s %s[%zu][%zu]: %.9g, golden %.9g", file, e->string,
                             r, j, (double)row[j], (double)want[j]);
            free(want);
        }
        free(row);
    }
    cJSON_Delete(golden);
}

Test(gguf, llama_metadata_shapes_and_rows)
{
    kvq_gguf g;
    kvq_error err;
    cr_assert_eq(kvq_gguf_open(&g, DIR "llama.gguf", &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(g.version, 3);
    cr_assert_eq(g.alignment, 32);
    cr_assert_eq(g.nmetadata, 22);
    cr_assert_str_eq(g.info.architecture, "llama");
    cr_assert_eq(g.info.block_count, 2);
    cr_assert_eq(g.info.head_count, 4);
    cr_assert_eq(g.info.head_count_kv, 2);
    cr_assert_eq(g.info.context_length, 64);
    cr_assert_eq(g.info.embedding_length, 32);
    cr_assert_eq(g.data_start % 32, 0);
    expect_file(&g, "llama.gguf");
    cr_assert_null(kvq_gguf_find(&g, "blk.0.attn_k"));
    kvq_gguf_close(&g);
}

Test(gguf, quantized_rows_decode_to_the_golden_values)
{
    kvq_gguf g;
    kvq_error err;
    cr_assert_eq(kvq_gguf_open(&g, DIR "quant.gguf", &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(g.version, 2);
    cr_assert_eq(g.alignment, 64);
    cr_assert_eq(g.info.block_count, 1);
    cr_assert_eq(g.info.head_count, -1);
    const kvq_tensor *t = kvq_gguf_find(&g, "blk.0.attn_k.weight");
    cr_assert_eq(t->dtype, KVQ_DTYPE_Q8_0);
    cr_assert_eq(t->nbytes, 6 * 2 * 34);
    cr_assert_eq(t->offset % 64, 0);
    cr_assert_eq(kvq_tensor_rows(t, 1, &(size_t){0}, &(size_t){0}, &err), KVQ_EINVAL,
                 "a block type read transposed");
    expect_file(&g, "quant.gguf");
    kvq_gguf_close(&g);
}

Test(gguf, llama_cpp_names_give_roles_and_layers)
{
    static const struct {
        const char *name, *role;
        int layer;
    } want[] = {
        {"token_embd.weight", "vocab", -1},         {"blk.0.attn_q.weight", "q_proj", 0},
        {"blk.0.attn_k.weight", "k_proj", 0},       {"blk.1.attn_v.weight", "v_proj", 1},
        {"blk.1.attn_output.weight", "o_proj", 1},  {"blk.0.ffn_gate.weight", "mlp_gate", 0},
        {"blk.1.ffn_up.weight", "mlp_up", 1},       {"blk.1.ffn_down.weight", "mlp_down", 1},
        {"blk.1.attn_norm.weight", "norm_bias", 1}, {"blk.0.ffn_norm.weight", "norm_bias", 0},
        {"output_norm.weight", "norm_bias", -1},    {"output.weight", "lm_head", -1},
    };
    kvq_checkpoint ck;
    kvq_error err;
    cr_assert_eq(kvq_checkpoint_open(&ck, DIR "llama.gguf", &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(ck.count, 21);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const kvq_checkpoint_entry *e = NULL;
        for (size_t j = 0; j < ck.count; j++)
            if (strcmp(ck.entries[j].tensor->name, want[i].name) == 0) e = &ck.entries[j];
        cr_assert_not_null(e, "%s", want[i].name);
        cr_assert_str_eq(kvq_role_name(e->cls.role), want[i].role, "%s", want[i].name);
        cr_assert_eq(e->cls.layer, want[i].layer, "%s", want[i].name);
        cr_assert_eq(e->cls.transposed, 0);
    }
    kvq_checkpoint_close(&ck);
}

Test(gguf, every_hostile_file_is_refused_naming_what)
{
    cJSON *golden = kvq_test_golden("gguf/gguf.json");
    const cJSON *refused = cJSON_GetObjectItemCaseSensitive(golden, "refused");
    cr_assert_geq(cJSON_GetArraySize(refused), 8);
    for (const cJSON *e = refused->child; e; e = e->next) {
        char path[512];
        snprintf(path, sizeof path, DIR "%s", e->string);
        kvq_gguf g;
        kvq_error err = {0};
        cr_assert_eq(kvq_gguf_open(&g, path, &err), KVQ_EFORMAT, "%s accepted", e->string);
        cr_assert_not_null(strstr(err.msg, e->string), "%s: message '%s' names no file", e->string,
                           err.msg);
        cr_assert_not_null(strstr(err.msg, e->valuestring), "%s: message '%s' lacks '%s'",
                           e->string, err.msg, e->valuestring);
        cr_assert_null(g.tensors);
        kvq_checkpoint ck;
        cr_assert_eq(kvq_checkpoint_open(&ck, path, &err), KVQ_EFORMAT, "%s", e->string);
    }
    cJSON_Delete(golden);
}

Test(gguf, gguf_populations_load)
{
    kvq_population pop;
    kvq_error err;
    cr_assert_eq(kvq_population_load(&pop, "gguf:" DIR "llama.gguf#role=k_proj", 7, &err), KVQ_OK,
                 "%s", err.msg);
    cr_assert_eq(pop.dim, 32);
    cr_assert_eq(pop.role, KVQ_ROLE_ATTN_K);
    cr_assert_eq(pop.n + pop.nq, 32); /* two layers of 16 rows */
    cr_assert_str_eq(pop.dtype, "F32");
    kvq_population_free(&pop);

    cr_assert_eq(
        kvq_population_load(&pop, "gguf:" DIR "quant.gguf#tensor=blk.0.ffn_down.weight&queries=1",
                            7, &err),
        KVQ_OK, "%s", err.msg);
    cr_assert_str_eq(pop.dtype, "Q4_K");
    cr_assert_eq(pop.dim, 256);
    cr_assert_eq(pop.n, 2);
    kvq_population_free(&pop);

    cr_assert_eq(kvq_population_load(&pop, "gguf:" DIR "gguf.json#role=k_proj", 7, &err),
                 KVQ_EINVAL);
    cr_assert_not_null(strstr(err.msg, ".gguf"), "%s", err.msg);
}

Test(gguf, model_specs_keep_the_gguf_scheme)
{
    char **specs;
    size_t n;
    kvq_error err;
    cr_assert_eq(kvq_model_population_specs(DIR "llama.gguf", 0, &specs, &n, &err), KVQ_OK, "%s",
                 err.msg);
    cr_assert_eq(n, 9, "q k v o gate up down vocab lm_head");
    for (size_t i = 0; i < n; i++) cr_assert_eq(strncmp(specs[i], "gguf:", 5), 0, "%s", specs[i]);
    kvq_model_population_specs_free(specs, n);
}
