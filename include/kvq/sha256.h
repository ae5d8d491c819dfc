/* SHA-256 (FIPS 180-4), for the provenance of the files a run reads: the manifest records each
 * checkpoint file's digest, computed once by streaming the file. */
#ifndef KVQ_SHA256_H
#define KVQ_SHA256_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

typedef struct kvq_sha256 {
    uint32_t h[8];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* the partial block */
    size_t used;       /* bytes in block */
} kvq_sha256;

void kvq_sha256_init(kvq_sha256 *s);
void kvq_sha256_update(kvq_sha256 *s, const void *data, size_t len);
/* Writes the digest as 64 lowercase hex digits and a NUL. */
void kvq_sha256_hex(kvq_sha256 *s, char hex[65]);

/* The digest of the first min(limit, size) bytes of the file at path (read in 1 MiB pieces; limit
 * UINT64_MAX: the whole file) and its size. KVQ_EIO naming the file and the system's reason when it
 * cannot be read. */
int kvq_sha256_file(const char *path, uint64_t limit, char hex[65], uint64_t *size, kvq_error *err);

#endif
