/* .npy writer (io/npy_write.h): the magic, version 1.0, a u16 header length, the dict literal
 * padded with spaces to a multiple of 64 bytes ending in a newline, then the data, little endian
 * (4-byte elements: int32 or float32). */
#include "io/npy_write.h"
#include "io/atomic_file.h"

#include <stdio.h>
#include <string.h>

/* Writes rows x cols 4-byte elements of data (int32 or float32) under descr. */
static int write_words(const char *path, const char *descr, const void *data, size_t rows,
                       size_t cols, kvq_error *err)
{
    char dict[128];
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }", descr,
                       rows, cols);
    size_t total = 10 + (size_t)len + 1, padded = (total + 63) / 64 * 64;
    char header[256];
    memcpy(header, "\x93NUMPY\x01\x00", 8);
    size_t hlen = padded - 10;
    header[8] = (char)(hlen & 0xff);
    header[9] = (char)(hlen >> 8);
    memcpy(header + 10, dict, (size_t)len);
    memset(header + 10 + len, ' ', padded - total);
    header[padded - 1] = '\n';
    kvq_afile a;
    int rc = kvq_afile_open(&a, path, err);
    if (rc) return rc;
    fwrite(header, 1, padded, a.f);
    for (size_t i = 0; i < rows * cols; i++) {
        uint32_t u;
        memcpy(&u, (const unsigned char *)data + 4 * i, 4);
        unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                              (unsigned char)(u >> 24)};
        fwrite(b, 1, 4, a.f);
    }
    return kvq_afile_commit(&a, err);
}

int kvq_npy_write_i32(const char *path, const int32_t *data, size_t rows, size_t cols,
                      kvq_error *err)
{
    return write_words(path, "<i4", data, rows, cols, err);
}

int kvq_npy_write_f32(const char *path, const float *data, size_t rows, size_t cols, kvq_error *err)
{
    _Static_assert(sizeof(float) == 4, "float32");
    return write_words(path, "<f4", data, rows, cols, err);
}
