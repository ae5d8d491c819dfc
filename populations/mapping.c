/* Read-only memory mappings of checkpoint files (populations/populations.h). A mapping lets the
 * loaders hand out pointers into the file so that sampling rows reads only those rows' pages.
 * The kernel's default read-around fetches up to 128 KiB around every faulting page, so that
 * sampled rows of a few KiB each would still read most of the tensor: samplers advise
 * KVQ_ACCESS_RANDOM over the tensors they sample, whole-tensor readers KVQ_ACCESS_SEQUENTIAL. */
#include "populations.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int kvq_map_file(kvq_mapping *m, const char *path, kvq_error *err)
{
    memset(m, 0, sizeof *m);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return kvq_fail(err, KVQ_EIO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return kvq_fail(err, KVQ_EIO, "cannot stat '%s': %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return kvq_fail(err, KVQ_EIO, "'%s' is not a regular file", path);
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            return kvq_fail(err, KVQ_EIO, "cannot map '%s': %s", path, strerror(e));
        }
        m->data = p;
        m->size = (size_t)st.st_size;
    }
    close(fd);
    return KVQ_OK;
}

void kvq_unmap_file(kvq_mapping *m)
{
    if (m->data) munmap((void *)m->data, m->size);
    memset(m, 0, sizeof *m);
}

int kvq_map_advise(const void *data, size_t len, kvq_access access, kvq_error *err)
{
    if (!data || len == 0) return KVQ_OK;
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)data, mask = (uintptr_t)(page > 0 ? page : 4096) - 1;
    uintptr_t first = start & ~mask;
    int advice = access == KVQ_ACCESS_RANDOM ? POSIX_MADV_RANDOM : POSIX_MADV_SEQUENTIAL;
    int rc = posix_madvise((void *)first, len + (start - first), advice);
    if (rc != 0)
        return kvq_fail(err, KVQ_EIO, "cannot advise %zu bytes at %p: %s", len, data, strerror(rc));
    return KVQ_OK;
}
