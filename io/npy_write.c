/* .npy writer (io/npy_write.h): the magic, version 1.0, a u16 header length, the dict literal
 * padded with spaces to a multiple of 64 bytes ending in a newline, then the data. */
#include "io/npy_write.h"
#include "io/atomic_file.h"

#include <stdio.h>
#include <string.h>

int kvq_npy_write_i32(const char *path, const int32_t *data, size_t rows, size_t cols,
                      kvq_error *err)
{
    char dict[128];
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '<i4', 'fortran_order': False, 'shape': "
                       "(%zu, %zu), }",
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
        uint32_t u = (uint32_t)data[i];
        unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16),
                              (unsigned char)(u >> 24)};
        fwrite(b, 1, 4, a.f);
    }
    return kvq_afile_commit(&a, err);
}
