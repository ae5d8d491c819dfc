/* Element types of checkpoint tensors and their conversion to f32 (include/kvq/tensor.h).
 * Elements are read byte by byte as little-endian (safetensors, `<` npy and GGUF data are), so the
 * data need not be aligned and the host's byte order does not matter. The ggml block types are
 * decoded by the codecs of the same name (backends/q4_0.c, ...), whose codes are ggml's blocks
 * byte for byte. */
#include "kvq/backend.h"
#include "kvq/half.h"
#include "kvq/tensor.h"

#include <assert.h>
#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;  /* bytes per element, or per block */
    size_t block; /* elements per block; 0 stands for 1 */
    int readable;
    const char *codec; /* the decoder of a block type */
} dtypes[KVQ_DTYPE_COUNT] = {
    [KVQ_DTYPE_F64] = {"F64", 8, 0, 1, NULL},
    [KVQ_DTYPE_F32] = {"F32", 4, 0, 1, NULL},
    [KVQ_DTYPE_F16] = {"F16", 2, 0, 1, NULL},
    [KVQ_DTYPE_BF16] = {"BF16", 2, 0, 1, NULL},
    [KVQ_DTYPE_F8_E4M3] = {"F8_E4M3", 1, 0, 0, NULL},
    [KVQ_DTYPE_F8_E5M2] = {"F8_E5M2", 1, 0, 0, NULL},
    [KVQ_DTYPE_I64] = {"I64", 8, 0, 0, NULL},
    [KVQ_DTYPE_I32] = {"I32", 4, 0, 0, NULL},
    [KVQ_DTYPE_I16] = {"I16", 2, 0, 0, NULL},
    [KVQ_DTYPE_I8] = {"I8", 1, 0, 0, NULL},
    [KVQ_DTYPE_U64] = {"U64", 8, 0, 0, NULL},
    [KVQ_DTYPE_U32] = {"U32", 4, 0, 0, NULL},
    [KVQ_DTYPE_U16] = {"U16", 2, 0, 0, NULL},
    [KVQ_DTYPE_U8] = {"U8", 1, 0, 0, NULL},
    [KVQ_DTYPE_BOOL] = {"BOOL", 1, 0, 0, NULL},
    /* ggml-common.h: block_q4_0 ... block_iq4_nl */
    [KVQ_DTYPE_Q4_0] = {"Q4_0", 18, 32, 1, "q4_0"},
    [KVQ_DTYPE_Q4_1] = {"Q4_1", 20, 32, 1, "q4_1"},
    [KVQ_DTYPE_Q5_0] = {"Q5_0", 22, 32, 1, "q5_0"},
    [KVQ_DTYPE_Q5_1] = {"Q5_1", 24, 32, 1, "q5_1"},
    [KVQ_DTYPE_Q8_0] = {"Q8_0", 34, 32, 1, "q8_0"},
    [KVQ_DTYPE_Q2_K] = {"Q2_K", 84, 256, 1, "q2_k"},
    [KVQ_DTYPE_Q3_K] = {"Q3_K", 110, 256, 1, "q3_k"},
    [KVQ_DTYPE_Q4_K] = {"Q4_K", 144, 256, 1, "q4_k"},
    [KVQ_DTYPE_Q5_K] = {"Q5_K", 176, 256, 1, "q5_k"},
    [KVQ_DTYPE_Q6_K] = {"Q6_K", 210, 256, 1, "q6_k"},
    [KVQ_DTYPE_IQ4_NL] = {"IQ4_NL", 18, 32, 1, "iq4_nl"},
};

const char *kvq_dtype_name(kvq_dtype t)
{
    return (unsigned)t < KVQ_DTYPE_COUNT ? dtypes[t].name : "?";
}

int kvq_dtype_parse(const char *name, kvq_dtype *out)
{
    for (int t = 0; t < KVQ_DTYPE_COUNT; t++) {
        if (!dtypes[t].codec && strcmp(dtypes[t].name, name) == 0) {
            *out = (kvq_dtype)t;
            return KVQ_OK;
        }
    }
    return KVQ_EFORMAT;
}

size_t kvq_dtype_size(kvq_dtype t)
{
    return (unsigned)t < KVQ_DTYPE_COUNT ? dtypes[t].size : 0;
}

size_t kvq_dtype_block(kvq_dtype t)
{
    return (unsigned)t < KVQ_DTYPE_COUNT && dtypes[t].block ? dtypes[t].block : 1;
}

int kvq_dtype_is_readable(kvq_dtype t)
{
    return (unsigned)t < KVQ_DTYPE_COUNT && dtypes[t].readable;
}

static uint64_t load_le(const uint8_t *p, size_t size)
{
    uint64_t v = 0;
    for (size_t i = size; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

/* One element at p as f32: F64 rounds to nearest, the others convert exactly. */
static float element_to_f32(kvq_dtype t, const uint8_t *p)
{
    switch (t) {
    case KVQ_DTYPE_F64: {
        uint64_t u = load_le(p, 8);
        double d;
        memcpy(&d, &u, sizeof d);
        return (float)d;
    }
    case KVQ_DTYPE_F32: {
        uint32_t u = (uint32_t)load_le(p, 4);
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    case KVQ_DTYPE_F16:
        return kvq_f16_to_f32((uint16_t)load_le(p, 2));
    case KVQ_DTYPE_BF16:
        return kvq_bf16_to_f32((uint16_t)load_le(p, 2));
    default:
        assert(!"dtype not readable");
        return 0.0f;
    }
}

int kvq_tensor_rows(const kvq_tensor *t, int transposed, size_t *rows, size_t *dim, kvq_error *err)
{
    if (t->ndim == 0)
        return kvq_fail(err, KVQ_EINVAL, "tensor '%s' is a scalar: it has no rows", t->name);
    if (transposed && t->ndim != 2)
        return kvq_fail(err, KVQ_EINVAL,
                        "tensor '%s' has %zu dimensions; a transposed view needs 2", t->name,
                        t->ndim);
    size_t block = kvq_dtype_block(t->dtype);
    if (block > 1 && (transposed || t->shape[t->ndim - 1] % block != 0))
        return kvq_fail(err, KVQ_EINVAL,
                        "tensor '%s' of %s: rows must be whole blocks of %zu, read untransposed",
                        t->name, kvq_dtype_name(t->dtype), block);
    uint64_t r = 1;
    for (size_t i = 0; i + 1 < t->ndim; i++) r *= t->shape[i]; /* fits: nbytes was checked */
    uint64_t d = t->shape[t->ndim - 1];
    if (transposed) {
        uint64_t tmp = r;
        r = d;
        d = tmp;
    }
    if (r == 0 || d == 0)
        return kvq_fail(err, KVQ_EINVAL, "tensor '%s' is empty (a dimension is 0)", t->name);
    if (r > SIZE_MAX || d > SIZE_MAX)
        return kvq_fail(err, KVQ_ERANGE, "tensor '%s' is too large for this machine", t->name);
    *rows = (size_t)r;
    *dim = (size_t)d;
    return KVQ_OK;
}

/* A row of blocks decoded by the codec of the block type; NaN when the codec refuses it. */
static void decode_blocks(kvq_dtype type, const uint8_t *p, size_t cols, float *out)
{
    kvq_codec codec;
    int rc = kvq_codec_open(&codec, dtypes[type].codec, cols, NULL, NULL);
    if (!rc) {
        rc = kvq_codec_reconstruct(&codec, p, 1, out, NULL);
        kvq_codec_close(&codec);
    }
    if (rc)
        for (size_t j = 0; j < cols; j++) out[j] = NAN;
}

void kvq_tensor_read_row(const kvq_tensor *t, int transposed, size_t row, float *out)
{
    assert(kvq_dtype_is_readable(t->dtype));
    size_t es = kvq_dtype_size(t->dtype);
    size_t cols = (size_t)t->shape[t->ndim - 1];
    if (dtypes[t->dtype].codec) {
        assert(!transposed);
        size_t row_bytes = cols / dtypes[t->dtype].block * es;
        decode_blocks(t->dtype, t->data + row * row_bytes, cols, out);
        return;
    }
    if (!transposed) {
        const uint8_t *p = t->data + row * cols * es;
        for (size_t j = 0; j < cols; j++) out[j] = element_to_f32(t->dtype, p + j * es);
        return;
    }
    size_t n = (size_t)t->shape[0];
    for (size_t j = 0; j < n; j++)
        out[j] = element_to_f32(t->dtype, t->data + (j * cols + row) * es);
}
