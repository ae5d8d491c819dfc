/* Atomic output files (io/atomic_file.h). */
#include "io/atomic_file.h"

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

int kvq_afile_open_in(kvq_afile *a, const char *dir, const char *name, kvq_error *err)
{
    char path[sizeof a->path + 1];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return kvq_fail(err, KVQ_EINVAL, "output path too long: '%.60s...'", dir);
    return kvq_afile_open(a, path, err);
}

/* The errno of a write that failed earlier inside a buffered fprintf, whose errno is long
 * overwritten: one more byte, flushed, fails the same way while the cause (a full disk, a file
 * size limit) lasts. The file is discarded anyway. EIO when the cause has gone. */
static int failed_write_errno(FILE *f)
{
    clearerr(f);
    errno = 0;
    if (fputc('\n', f) == EOF || fflush(f) != 0) return errno ? errno : EIO;
    return EIO;
}

int kvq_afile_commit(kvq_afile *a, kvq_error *err)
{
    int saved = 0;
    if (ferror(a->f))
        saved = failed_write_errno(a->f);
    else if (fflush(a->f) != 0 || fsync(fileno(a->f)) != 0)
        saved = errno ? errno : EIO;
    int failed = saved != 0;
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
