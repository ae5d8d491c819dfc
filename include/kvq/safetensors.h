/* Reader of Hugging Face safetensors files.
 *
 * Layout: 8 bytes, a little-endian u64 N; N bytes of JSON header (an object: tensor name ->
 * {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, plus an optional "__metadata__"
 * object of strings); then the data buffer, offsets relative to its start.
 *
 * Every check happens when the file is opened, so that nothing read later can go out of bounds:
 * the header length fits the file and is at most KVQ_SAFETENSORS_HEADER_MAX; the header is valid
 * JSON, an object, followed only by padding spaces; every entry has a known dtype, a shape of at
 * most KVQ_TENSOR_MAX_DIMS non-negative integers, and data_offsets with begin <= end <= the size
 * of the data buffer and end - begin == elements x dtype size; no two tensors share a name; no
 * two tensors' bytes overlap. Gaps between tensors are allowed. A failure names the file, the
 * tensor (when one is at fault), the offset and what was expected.
 */
#ifndef KVQ_SAFETENSORS_H
#define KVQ_SAFETENSORS_H

#include "kvq/error.h"
#include "kvq/tensor.h"
#include <stddef.h>
#include <stdint.h>

/* The reference implementation's cap on the header length (100 MB). */
#define KVQ_SAFETENSORS_HEADER_MAX 100000000u

typedef struct kvq_safetensors {
    char *path;         /* the file, or the label given to kvq_safetensors_parse; owned */
    const uint8_t *map; /* the mapping when opened from a file, else NULL */
    size_t map_size;
    kvq_tensor *tensors; /* sorted by name; names owned */
    size_t count;
    size_t nmetadata; /* entries in __metadata__ */
    uint64_t header_len;
} kvq_safetensors;

/* Parses the file image bytes[size] (which must outlive st: tensors point into it). label names
 * it in messages. 0, or KVQ_EFORMAT / KVQ_ENOMEM with st left empty. */
int kvq_safetensors_parse(kvq_safetensors *st, const uint8_t *bytes, size_t size, const char *label,
                          kvq_error *err);

/* Maps path read-only and parses it. KVQ_EIO when it cannot be opened. */
int kvq_safetensors_open(kvq_safetensors *st, const char *path, kvq_error *err);

/* Frees and unmaps what st owns; st is left empty (closing an empty one is allowed). */
void kvq_safetensors_close(kvq_safetensors *st);

/* The tensor called name, or NULL. */
const kvq_tensor *kvq_safetensors_find(const kvq_safetensors *st, const char *name);

#endif
