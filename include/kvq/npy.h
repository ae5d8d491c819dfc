/* Reader of NumPy .npy files, format versions 1.0, 2.0 and 3.0.
 *
 * Layout: "\x93NUMPY", major and minor version bytes, the header length (u16 little-endian in
 * version 1, u32 in versions 2 and 3), then the header: a Python dict literal
 * {'descr': '<f4', 'fortran_order': False, 'shape': (4096, 128), } padded with spaces and a
 * newline; then the data. kvqeval reads little-endian arrays in C order: floats, descr '<f4'
 * (F32), '<f2' (F16) or '<f8' (F64), and token ids, '<i4' (I32) or '<i8' (I64), which are not
 * rows a population samples. Fortran order, any other descr (big-endian, other integers,
 * structured dtypes, objects), a header that is not such a dict, and a data size other than
 * elements x itemsize are refused with a message naming the file, the offset and what was
 * expected.
 */
#ifndef KVQ_NPY_H
#define KVQ_NPY_H

#include "kvq/error.h"
#include "kvq/tensor.h"
#include <stddef.h>
#include <stdint.h>

/* Cap on the header length kvqeval accepts (numpy's own reader caps it at 10,000 bytes by
 * default; dict literals of real arrays are far below). */
#define KVQ_NPY_HEADER_MAX 65536u

typedef struct kvq_npy {
    char *path;         /* the file, or the label given to kvq_npy_parse; owned */
    const uint8_t *map; /* the mapping when opened from a file, else NULL */
    size_t map_size;
    int major, minor;  /* format version */
    kvq_tensor tensor; /* named after the file without folder and ".npy"; name owned */
} kvq_npy;

/* Parses the file image bytes[size] (which must outlive npy). 0, or KVQ_EFORMAT /
 * KVQ_EUNSUPPORTED (well-formed but not a dtype or order kvqeval reads) / KVQ_ENOMEM, npy left
 * empty. */
int kvq_npy_parse(kvq_npy *npy, const uint8_t *bytes, size_t size, const char *label,
                  kvq_error *err);

/* Maps path read-only and parses it. KVQ_EIO when it cannot be opened. */
int kvq_npy_open(kvq_npy *npy, const char *path, kvq_error *err);

/* Frees and unmaps what npy owns; npy is left empty (closing an empty one is allowed). */
void kvq_npy_close(kvq_npy *npy);

#endif
