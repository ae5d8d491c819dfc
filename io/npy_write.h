/* Writing NumPy .npy files (format 1.0, C order, little endian), atomically. */
#ifndef KVQ_NPY_WRITE_H
#define KVQ_NPY_WRITE_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

/* Writes the rows x cols int32 matrix data to path as an '<i4' array; nothing appears under path
 * unless the whole file was written. */
int kvq_npy_write_i32(const char *path, const int32_t *data, size_t rows, size_t cols,
                      kvq_error *err);

/* The same for a rows x cols float32 matrix, as an '<f4' array. */
int kvq_npy_write_f32(const char *path, const float *data, size_t rows, size_t cols,
                      kvq_error *err);

#endif
