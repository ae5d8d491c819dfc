/* Sharded checkpoints and folders: what the index may and may not say, tensors split across
 * shards, and selections whose tensors disagree. The files are written here, in a temporary
 * folder; each refusal must name the file at fault. */
#include "kvq/checkpoint.h"
#include "kvq/population.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/kvq-shards-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static void write_text(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* A safetensors file of F32 zeros: names[i] of shape rows[i] x cols[i]. */
static void write_st(const char *file, const char *const *names, const int *rows, const int *cols,
                     int n)
{
    char header[2048] = "{";
    size_t used = 1, offset = 0;
    for (int i = 0; i < n; i++) {
        size_t bytes = (size_t)rows[i] * (size_t)cols[i] * 4;
        used += (size_t)snprintf(header + used, sizeof header - used,
                                 "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%d,%d],"
                                 "\"data_offsets\":[%zu,%zu]}",
                                 i ? "," : "", names[i], rows[i], cols[i], offset, offset + bytes);
        offset += bytes;
    }
    strcat(header, "}");
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    uint64_t len = strlen(header);
    uint8_t le[8];
    for (int i = 0; i < 8; i++) le[i] = (uint8_t)(len >> (8 * i));
    fwrite(le, 1, 8, f);
    fwrite(header, 1, len, f);
    for (size_t i = 0; i < offset; i++) fputc(0, f);
    fclose(f);
}

static const char *const two[] = {"model.layers.0.self_attn.k_proj.weight",
                                  "model.layers.1.self_attn.k_proj.weight"};
static const int rows8[] = {8, 8}, cols8[] = {8, 8};

static void expect_open_error(const char *f1, const char *f2)
{
    kvq_checkpoint ck;
    kvq_error err;
    kvq_error_clear(&err);
    cr_assert_neq(kvq_checkpoint_open(&ck, dir, &err), KVQ_OK, "'%s' expected", f1);
    cr_assert(strstr(err.msg, f1), "message lacks '%s': %s", f1, err.msg);
    cr_assert(!f2 || strstr(err.msg, f2), "message lacks '%s': %s", f2, err.msg);
    cr_assert_null(ck.entries);
}

TestSuite(population_shards, .init = make_dir, .fini = remove_dir);

Test(population_shards, index_must_match_the_shards)
{
    write_st("a.safetensors", two, rows8, cols8, 1);
    write_st("b.safetensors", two + 1, rows8, cols8, 1);
    write_text("model.safetensors.index.json",
               "{\"weight_map\":{\"model.layers.0.self_attn.k_proj.weight\":\"b.safetensors\","
               "\"model.layers.1.self_attn.k_proj.weight\":\"b.safetensors\"}}");
    expect_open_error("tensor 'model.layers.0.self_attn.k_proj.weight' is mapped to "
                      "'b.safetensors', which lacks it",
                      "model.safetensors.index.json");
    write_text(
        "model.safetensors.index.json",
        "{\"weight_map\":{\"model.layers.0.self_attn.k_proj.weight\":\"../a.safetensors\"}}");
    expect_open_error("must be a shard file name in the same folder", NULL);
    write_text("model.safetensors.index.json", "{\"weight_map\":{}}");
    expect_open_error("weight_map lists no tensor", NULL);
    write_text("model.safetensors.index.json", "{\"weight_map\":[");
    expect_open_error("not JSON with a \"weight_map\" object", NULL);
    write_text("model.safetensors.index.json",
               "{\"weight_map\":{\"model.layers.0.self_attn.k_proj.weight\":\"c.safetensors\"}}");
    expect_open_error("cannot open", "c.safetensors");
    write_text("model.safetensors.index.json",
               "{\"weight_map\":{\"model.layers.0.self_attn.k_proj.weight\":\"a.safetensors\","
               "\"model.layers.1.self_attn.k_proj.weight\":\"b.safetensors\"}}");
    kvq_population pop;
    kvq_error err;
    char spec[128];
    snprintf(spec, sizeof spec, "safetensors:%s#role=k_proj&chain=1", dir);
    cr_assert_eq(kvq_population_load(&pop, spec, 1, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(pop.chain_len, 2, "one chain matrix per layer, across shards");
    cr_assert_eq(pop.n + pop.nq, 16);
    kvq_population_free(&pop);
}

Test(population_shards, folder_without_index)
{
    expect_open_error("holds no model.safetensors.index.json and no .safetensors file", NULL);
    write_st("one.safetensors", two, rows8, cols8, 2);
    kvq_checkpoint ck;
    kvq_error err;
    cr_assert_eq(kvq_checkpoint_open(&ck, dir, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(ck.count, 2);
    kvq_checkpoint_close(&ck);
    write_st("two.safetensors", two + 1, rows8, cols8, 1);
    expect_open_error("tensor 'model.layers.1.self_attn.k_proj.weight' is in both",
                      "one.safetensors");
}

Test(population_shards, pooled_tensors_must_agree)
{
    static const int rows[] = {8, 8}, cols[] = {8, 6};
    write_st("m.safetensors", two, rows, cols, 2);
    kvq_population pop;
    kvq_error err;
    char spec[128];
    snprintf(spec, sizeof spec, "safetensors:%s/m.safetensors#role=k_proj", dir);
    cr_assert_neq(kvq_population_load(&pop, spec, 1, &err), KVQ_OK);
    cr_assert(strstr(err.msg, "'model.layers.0.self_attn.k_proj.weight' (rows of 8) and "
                              "'model.layers.1.self_attn.k_proj.weight' (rows of 6) differ"),
              "%s", err.msg);
    snprintf(spec, sizeof spec, "safetensors:%s/m.safetensors#role=k_proj&layer=1", dir);
    cr_assert_eq(kvq_population_load(&pop, spec, 1, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(pop.dim, 6);
    kvq_population_free(&pop);
}
