/* Atomic output files (harness/atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int kvq_afile_open(kvq_afile *a, const char *path, kvq_error *err)
{
    memset(a, 0, sizeof *a);
    if (strlen(path) >= sizeof a->path)
        return kvq_fail(err, KVQ_EINVAL, "output path too long: '%.60s...'", path);
    strcpy(a->path, path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    a->f = fopen(a->tmp, "w");
    if (!a->f) return kvq_fail(err, KVQ_EIO, "cannot write '%s': %s", a->tmp, strerror(errno));
    return KVQ_OK;
}

int kvq_afile_commit(kvq_afile *a, kvq_error *err)
{
    int failed = ferror(a->f) || fflush(a->f) != 0 || fsync(fileno(a->f)) != 0;
    int saved = errno;
    if (fclose(a->f) != 0 && !failed) failed = 1, saved = errno;
    a->f = NULL;
    if (!failed && rename(a->tmp, a->path) == 0) return KVQ_OK;
    if (!failed) saved = errno;
    unlink(a->tmp);
    return kvq_fail(err, KVQ_EIO, "cannot write '%s': %s", a->path, strerror(saved));
}

void kvq_afile_abort(kvq_afile *a)
{
    if (a->f) fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}
