/* safetensors reader: values equal numpy's reference conversion bit for bit (bf16, f16, f32 and
 * GPT-2's transposed Conv1D), and every class of malformed file is refused with a message naming
 * the file, the tensor and the offset. Golden files: tests/golden/gen_populations.py. */
#include "kvq/checkpoint.h"
#include "kvq/safetensors.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE(name) KVQ_TEST_DATA "/golden/populations/" name

/* Reads every row of t (viewed transposed or not) and compares the f32 bits with golden[key]. */
static void expect_rows_bits(const kvq_tensor *t, int transposed, const char *key, size_t first,
                             size_t count)
{
    cJSON *golden = kvq_test_golden("populations/populations.json");
    size_t n = 0, rows, dim;
    double *want = kvq_test_doubles(cJSON_GetObjectItemCaseSensitive(golden, key), &n);
    cr_assert_eq(kvq_tensor_rows(t, transposed, &rows, &dim, NULL), KVQ_OK);
    cr_assert_eq(n, count * dim, "%s: %zu golden values for %zu x %zu", key, n, count, dim);
    float *row = malloc(dim * sizeof *row);
    for (size_t r = 0; r < count; r++) {
        kvq_tensor_read_row(t, transposed, first + r, row);
        for (size_t j = 0; j < dim; j++) {
            uint32_t got;
            memcpy(&got, &row[j], sizeof got);
            cr_assert_eq(got, (uint32_t)want[r * dim + j], "%s[%zu][%zu]: 0x%08x, numpy 0x%08x",
                         key, r, j, got, (uint32_t)want[r * dim + j]);
        }
    }
    free(row);
    free(want);
    cJSON_Delete(golden);
}

Test(safetensors, bf16_equals_numpy_bit_for_bit)
{
    kvq_safetensors st;
    kvq_error err;
    cr_assert_eq(kvq_safetensors_open(&st, FIXTURE("llama_bf16.safetensors"), &err), KVQ_OK, "%s",
                 err.msg);
    cr_assert_eq(st.count, 21);
    cr_assert_eq(st.nmetadata, 1);
    const kvq_tensor *t = kvq_safetensors_find(&st, "model.embed_tokens.weight");
    cr_assert_not_null(t);
    cr_assert_eq(t->dtype, KVQ_DTYPE_BF16);
    cr_assert_eq(t->ndim, 2);
    cr_assert_eq(t->shape[0], 64);
    cr_assert_eq(t->shape[1], 16);
    expect_rows_bits(t, 0, "llama_embed_bits", 0, 64);
    cr_assert_null(kvq_safetensors_find(&st, "model.embed_tokens"));
    kvq_safetensors_close(&st);
}

Test(safetensors, f16_equals_numpy_bit_for_bit)
{
    kvq_safetensors st;
    kvq_error err;
    cr_assert_eq(kvq_safetensors_open(&st, FIXTURE("bert_f16.safetensors"), &err), KVQ_OK, "%s",
                 err.msg);
    const kvq_tensor *t = kvq_safetensors_find(&st, "bert.embeddings.word_embeddings.weight");
    cr_assert_not_null(t);
    cr_assert_eq(t->dtype, KVQ_DTYPE_F16);
    expect_rows_bits(t, 0, "bert_word_embeddings_bits", 0, 40);
    kvq_safetensors_close(&st);
}

Test(safetensors, gpt2_conv1d_rows_are_columns)
{
    kvq_checkpoint ck;
    kvq_error err;
    cr_assert_eq(kvq_checkpoint_open(&ck, FIXTURE("gpt2_f32.safetensors"), &err), KVQ_OK, "%s",
                 err.msg);
    const kvq_checkpoint_entry *c_attn = NULL, *c_proj = NULL;
    for (size_t i = 0; i < ck.count; i++) {
        if (strcmp(ck.entries[i].tensor->name, "h.1.attn.c_attn.weight") == 0)
            c_attn = &ck.entries[i];
        if (strcmp(ck.entries[i].tensor->name, "h.0.attn.c_proj.weight") == 0)
            c_proj = &ck.entries[i];
    }
    cr_assert(c_attn && c_proj);
    cr_assert(c_attn->cls.transposed && c_proj->cls.transposed);
    size_t rows, dim;
    cr_assert_eq(kvq_tensor_rows(c_attn->tensor, 1, &rows, &dim, NULL), KVQ_OK);
    cr_assert_eq(rows, 36);
    cr_assert_eq(dim, 12);
    expect_rows_bits(c_attn->tensor, 1, "gpt2_h1_k_rows_bits", 12, 12);
    expect_rows_bits(c_proj->tensor, 1, "gpt2_h0_attn_c_proj_rows_bits", 0, 12);
    kvq_checkpoint_close(&ck);
}

/* A safetensors image: the u64 length, header (padded with spaces to pad bytes when pad > its
 * length) and data_len bytes of data. */
static uint8_t *image(const char *header, size_t data_len, size_t *size)
{
    size_t h = strlen(header);
    *size = 8 + h + data_len;
    uint8_t *b = calloc(1, *size);
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)h >> (8 * i));
    memcpy(b + 8, header, h);
    return b;
}

static void expect_bad_bytes(const uint8_t *b, size_t size, const char *f1, const char *f2)
{
    kvq_safetensors st;
    kvq_error err;
    kvq_error_clear(&err);
    int rc = kvq_safetensors_parse(&st, b, size, "bad.safetensors", &err);
    cr_assert_eq(rc, KVQ_EFORMAT, "accepted (rc %d) where '%s' was expected", rc, f1);
    cr_assert(strstr(err.msg, "bad.safetensors"), "message lacks the file: %s", err.msg);
    cr_assert(strstr(err.msg, f1), "message lacks '%s': %s", f1, err.msg);
    cr_assert(!f2 || strstr(err.msg, f2), "message lacks '%s': %s", f2, err.msg);
    cr_assert_null(st.tensors);
    cr_assert_eq(st.count, 0);
}

static void expect_bad(const char *header, size_t data_len, const char *f1, const char *f2)
{
    size_t size;
    uint8_t *b = image(header, data_len, &size);
    expect_bad_bytes(b, size, f1, f2);
    free(b);
}

#define T(name, body) "{\"" name "\":" body "}"

Test(safetensors, accepts_minimal_and_metadata)
{
    size_t size;
    uint8_t *b = image("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":"
                       "[2,2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"I8\",\"shape\":[0],"
                       "\"data_offsets\":[16,16]}}   ",
                       16, &size);
    kvq_safetensors st;
    kvq_error err;
    cr_assert_eq(kvq_safetensors_parse(&st, b, size, "ok", &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(st.count, 2);
    cr_assert_eq(st.tensors[0].offset, size - 16);
    cr_assert_eq(st.tensors[1].nbytes, 0);
    kvq_safetensors_close(&st);
    free(b);
}

Test(safetensors, refuses_bad_header_length)
{
    uint8_t tiny[5] = {1, 0, 0, 0, 0};
    expect_bad_bytes(tiny, sizeof tiny, "too short for the 8-byte header length", NULL);
    size_t size;
    uint8_t *b = image("{}", 0, &size);
    b[0] = 200; /* header length beyond the file */
    expect_bad_bytes(b, size, "header length 200 at offset 0 exceeds the file", NULL);
    memset(b, 0xff, 8); /* absurdly large */
    expect_bad_bytes(b, size, "header length 18446744073709551615", "cap");
    free(b);
}

Test(safetensors, refuses_bad_json)
{
    expect_bad("{\"a\":{\"dtype\":\"F32\",", 0, "invalid JSON in the header", "offset");
    expect_bad("[1,2,3]", 0, "is not a JSON object", NULL);
    expect_bad("{} x", 0, "unexpected bytes after the header's JSON at offset 10", NULL);
    expect_bad(T("a", "[1]"), 0, "tensor 'a': entry is not a JSON object", NULL);
    expect_bad(T("a", "{\"shape\":[1],\"data_offsets\":[0,4]}"), 4, "tensor 'a': \"dtype\"", NULL);
    expect_bad(T("a", "{\"dtype\":\"F32\",\"data_offsets\":[0,4]}"), 4, "tensor 'a': \"shape\"",
               NULL);
    expect_bad(T("a", "{\"dtype\":\"F32\",\"shape\":[1]}"), 4, "tensor 'a': \"data_offsets\"",
               NULL);
    expect_bad("{\"__metadata__\":[1]}", 0, "\"__metadata__\" is not a JSON object", NULL);
    expect_bad("{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ 'k' is not a string", NULL);
}

Test(safetensors, refuses_unknown_dtype_and_bad_shape)
{
    expect_bad(T("w", "{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}"), 1,
               "tensor 'w': unknown dtype 'Q4'", NULL);
    expect_bad(T("w", "{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}"), 4,
               "tensor 'w': shape[0] is not a non-negative integer", NULL);
    expect_bad(T("w", "{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}"), 4, "shape[0]",
               NULL);
    expect_bad(T("w", "{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,"
                      "4]}"),
               4, "tensor 'w': shape overflows", NULL);
    expect_bad(T("w", "{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}"),
               4, "tensor 'w': 9 dimensions", NULL);
}

Test(safetensors, refuses_bad_offsets)
{
    expect_bad(T("w", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"), 4,
               "tensor 'w': data_offsets [0, 8] outside the data buffer of 4 bytes", "truncated");
    expect_bad(T("w", "{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}"), 4,
               "tensor 'w': data_offsets [4, 0]", NULL);
    expect_bad(T("w", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}"), 8,
               "tensor 'w': data_offsets [0, 4] span 4 bytes but dtype F32 x shape needs 8", NULL);
    expect_bad(T("w", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}"), 4,
               "must be [begin, end] integers", NULL);
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"b\":{\"dtype\":"
               "\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
               16, "tensors 'a' and 'b' overlap at file offset", NULL);
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":"
               "\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
               8, "tensor 'a' appears twice", NULL);
}

Test(safetensors, refuses_truncated_real_file)
{
    FILE *f = fopen(FIXTURE("llama_bf16.safetensors"), "rb");
    cr_assert_not_null(f);
    uint8_t *b = malloc(1 << 16);
    size_t size = fread(b, 1, 1 << 16, f);
    fclose(f);
    expect_bad_bytes(b, size - 1, "tensor 'model.norm.weight'", "truncated");
    free(b);
}

Test(safetensors, refuses_missing_and_folder)
{
    kvq_safetensors st;
    kvq_error err;
    cr_assert_eq(kvq_safetensors_open(&st, FIXTURE("nope.safetensors"), &err), KVQ_EIO);
    cr_assert(strstr(err.msg, "nope.safetensors"), "%s", err.msg);
    cr_assert_eq(kvq_safetensors_open(&st, FIXTURE("sharded"), &err), KVQ_EIO);
    cr_assert(strstr(err.msg, "not a regular file"), "%s", err.msg);
}
