/* Reader of GGUF files (llama.cpp / ggml), versions 2 and 3, little-endian.
 *
 * Layout: "GGUF", u32 version, u64 tensor count, u64 metadata count; the metadata key/values
 * (key: u64 length + bytes; u32 value type; the value: u8 i8 u16 i16 u32 i32 f32 bool string
 * array u64 i64 f64, an array being u32 element type + u64 count + elements, nested arrays
 * allowed); the tensor infos (name string, u32 n_dims, n_dims u64 dims innermost first, u32 ggml
 * type, u64 offset into the data section); padding to the alignment (metadata
 * "general.alignment", a u32 power of two, default 32); the data section.
 *
 * Every check happens when the file is opened, so that nothing read later can go out of bounds:
 * the counts and every string, array and value lie within the file; keys are non-empty, without
 * NUL bytes and unique; a bool is 0 or 1; arrays nest at most KVQ_GGUF_MAX_NESTING deep; each
 * tensor has a non-empty name of at most KVQ_GGUF_NAME_MAX bytes without NUL bytes, at most
 * KVQ_GGUF_MAX_DIMS dimensions each below 2^63 whose product does not overflow, a ggml type
 * kvqeval knows (kvq_gguf_dtype), a row length ne[0] divisible by the type's block, an offset
 * that is a multiple of the alignment and bytes that end within the file; no two tensors share a
 * name or overlap. A failure names the file, the offset and the tensor or key at fault.
 *
 * Tensors are presented as safetensors presents them: the shape outer-first ([ne1, ne0] for a
 * matrix), so that rows are the ne[0]-contiguous rows of the file, and the dtype is the file's
 * own (F32, F16, BF16, or a ggml block type such as Q4_K, dequantized on read through the codec
 * of that name: include/kvq/tensor.h).
 */
#ifndef KVQ_GGUF_H
#define KVQ_GGUF_H

#include "kvq/error.h"
#include "kvq/safetensors.h"
#include "kvq/tensor.h"
#include <stddef.h>
#include <stdint.h>

#define KVQ_GGUF_MAX_DIMS 4
#define KVQ_GGUF_NAME_MAX 255
#define KVQ_GGUF_MAX_NESTING 8
#define KVQ_GGUF_DEFAULT_ALIGNMENT 32

/* The model description a manifest or `inspect` can show; numbers are -1 and the architecture
 * "" when the file does not give them (or gives them as another type than an integer). */
typedef struct kvq_gguf_info {
    char architecture[64];      /* general.architecture (truncated to fit) */
    long long block_count;      /* <arch>.block_count */
    long long head_count;       /* <arch>.attention.head_count */
    long long head_count_kv;    /* <arch>.attention.head_count_kv */
    long long context_length;   /* <arch>.context_length */
    long long embedding_length; /* <arch>.embedding_length */
} kvq_gguf_info;

typedef struct kvq_gguf {
    char *path;         /* the file, or the label given to kvq_gguf_parse; owned */
    const uint8_t *map; /* the mapping when opened from a file, else NULL */
    size_t map_size;
    kvq_tensor *tensors; /* sorted by name; names owned */
    size_t count;
    uint32_t version;
    uint64_t nmetadata; /* metadata key/values */
    uint64_t alignment;
    uint64_t data_start; /* file offset of the data section */
    kvq_gguf_info info;
} kvq_gguf;

/* The kvq dtype of ggml type id type (F32 0, F16 1, Q4_0 2, Q4_1 3, Q5_0 6, Q5_1 7, Q8_0 8,
 * Q2_K 10 ... Q6_K 14, IQ4_NL 20, I8 24, I16 25, I32 26, I64 27, F64 28, BF16 30);
 * KVQ_EUNSUPPORTED for the other ggml types and unknown ids. */
int kvq_gguf_dtype(uint32_t type, kvq_dtype *out);

/* Parses the file image bytes[size] (which must outlive g: tensors point into it). label names it
 * in messages. 0, or KVQ_EFORMAT / KVQ_ENOMEM with g left empty. */
int kvq_gguf_parse(kvq_gguf *g, const uint8_t *bytes, size_t size, const char *label,
                   kvq_error *err);

/* Maps path read-only and parses it. KVQ_EIO when it cannot be opened. */
int kvq_gguf_open(kvq_gguf *g, const char *path, kvq_error *err);

/* Frees and unmaps what g owns; g is left empty (closing an empty one is allowed). */
void kvq_gguf_close(kvq_gguf *g);

/* The tensor called name, or NULL. */
const kvq_tensor *kvq_gguf_find(const kvq_gguf *g, const char *name);

/* Moves the path, the mapping and the tensors of g into st, the tensor container a checkpoint
 * holds its files in (kvq_safetensors_close frees them; kvq_safetensors_find finds them), and
 * leaves g empty. st->header_len gets the data section's offset, st->nmetadata the metadata
 * count (saturated). */
void kvq_gguf_release(kvq_gguf *g, kvq_safetensors *st);

#endif
