/* Tensors of checkpoint files (safetensors, npy) as kvqeval reads them: a dtype, a shape and a
 * pointer into a read-only memory mapping, viewed as a matrix of rows.
 *
 * Rows: a tensor of shape [d0, ..., dk] is a matrix of d0*...*d(k-1) rows of dk values (leading
 * dimensions flattened, C order); a 1-D tensor is one row; a 0-D tensor has no rows. A
 * *transposed* view (GPT-2 Conv1D weights, stored [in, out]) reads the columns of a 2-D tensor as
 * its rows, so that every weight is seen [out, in] as nn.Linear stores it. Only the bytes of the
 * rows asked for are read, so sampling a few rows of a large mapped tensor touches only those
 * pages (a transposed row is strided and touches every page of the tensor).
 */
#ifndef KVQ_TENSOR_H
#define KVQ_TENSOR_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

/* Element types of safetensors (their spelling is the name); npy maps onto the same set. The
 * ggml block types (Q4_0 ... IQ4_NL) come only from GGUF files (include/kvq/gguf.h): a row of
 * such a tensor is a run of blocks, each of kvq_dtype_block elements in kvq_dtype_size bytes,
 * byte-identical to the codec of the same name in lower case (backends/q4_0.c, ...), which
 * dequantizes it. */
typedef enum kvq_dtype {
    KVQ_DTYPE_F64 = 0,
    KVQ_DTYPE_F32,
    KVQ_DTYPE_F16,
    KVQ_DTYPE_BF16,
    KVQ_DTYPE_F8_E4M3,
    KVQ_DTYPE_F8_E5M2,
    KVQ_DTYPE_I64,
    KVQ_DTYPE_I32,
    KVQ_DTYPE_I16,
    KVQ_DTYPE_I8,
    KVQ_DTYPE_U64,
    KVQ_DTYPE_U32,
    KVQ_DTYPE_U16,
    KVQ_DTYPE_U8,
    KVQ_DTYPE_BOOL,
    KVQ_DTYPE_Q4_0,
    KVQ_DTYPE_Q4_1,
    KVQ_DTYPE_Q5_0,
    KVQ_DTYPE_Q5_1,
    KVQ_DTYPE_Q8_0,
    KVQ_DTYPE_Q2_K,
    KVQ_DTYPE_Q3_K,
    KVQ_DTYPE_Q4_K,
    KVQ_DTYPE_Q5_K,
    KVQ_DTYPE_Q6_K,
    KVQ_DTYPE_IQ4_NL,
    KVQ_DTYPE_COUNT
} kvq_dtype;

/* "F32", "BF16", "Q4_K", ... */
const char *kvq_dtype_name(kvq_dtype t);
/* The element type spelled name (safetensors spelling, exact case); KVQ_EFORMAT if unknown or a
 * ggml block type (those are GGUF's, identified there by number). */
int kvq_dtype_parse(const char *name, kvq_dtype *out);
/* Bytes per element; for a block type, bytes per block. */
size_t kvq_dtype_size(kvq_dtype t);
/* Elements per block: 1 for the element types, 32 or 256 for the ggml block types. */
size_t kvq_dtype_block(kvq_dtype t);
/* 1 when kvqeval converts the dtype to f32 rows (F64, F32, F16, BF16 and the ggml block types,
 * dequantized by their codecs); integer, boolean and fp8 tensors are listed by `inspect` but not
 * sampled (their scale lives elsewhere). */
int kvq_dtype_is_readable(kvq_dtype t);

#define KVQ_TENSOR_MAX_DIMS 8

typedef struct kvq_tensor {
    const char *name; /* owned by the file the tensor belongs to */
    kvq_dtype dtype;
    size_t ndim;
    uint64_t shape[KVQ_TENSOR_MAX_DIMS];
    const uint8_t *data; /* first byte, inside the file's mapping */
    uint64_t offset;     /* of data from the start of the file */
    uint64_t nbytes;     /* element count / block x dtype size, checked against the file */
} kvq_tensor;

/* The tensor seen as rows x dim (transposed: 2-D only, columns become rows). KVQ_EINVAL naming
 * the tensor when it has no rows (0-D, a zero dimension), transposed is asked of a tensor that
 * is not 2-D or of a block type, or a block type's row is not a whole number of blocks. */
int kvq_tensor_rows(const kvq_tensor *t, int transposed, size_t *rows, size_t *dim, kvq_error *err);

/* Converts row `row` (< rows) of the view to f32 in out[dim]. The dtype must be readable and the
 * view valid (kvq_tensor_rows succeeded): both are the caller's checks, asserted here. A block
 * type's row is decoded by its codec (kvq_codec_reconstruct); should the codec refuse it, out is
 * filled with NaN, which the population loaders refuse naming the tensor and row. */
void kvq_tensor_read_row(const kvq_tensor *t, int transposed, size_t row, float *out);

#endif
