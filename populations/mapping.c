/* Read-only memory mappings of checkpoint files (populations/populations.h). A mapping lets the
 * loaders hand out pointers into the file so that sampling rows reads only those rows' pages. */
#include "populations.h"

#include <errno.h>
#include <fcntl.h>
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
