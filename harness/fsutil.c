/* Run folders (harness/fsutil.h). */
#include "fsutil.h"
#include "atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kvq_mkdir_p(const char *path, kvq_error *err)
{
    char buf[4096];
    if (strlen(path) >= sizeof buf)
        return kvq_fail(err, KVQ_EINVAL, "path too long: '%.60s...'", path);
    strcpy(buf, path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return kvq_fail(err, KVQ_EIO, "cannot create folder '%s': %s", buf, strerror(errno));
        *p = saved;
        if (saved == '\0') break;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return kvq_fail(err, KVQ_EIO, "'%s' is not a folder", path);
    return KVQ_OK;
}

/* Writes and removes a probe file, so an unwritable folder is reported before hours of work. */
static int check_writable(const char *dir, kvq_error *err)
{
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.kvqeval-write-test", dir);
    kvq_afile a;
    int rc = kvq_afile_open(&a, probe, err);
    if (rc) return kvq_error_wrap(err, "output folder '%s' is not writable", dir);
    kvq_afile_abort(&a);
    return KVQ_OK;
}

int kvq_prepare_run_dir(char *dir, size_t size, const char *out_dir, const time_t *now,
                        kvq_error *err)
{
    if (out_dir) {
        if ((size_t)snprintf(dir, size, "%s", out_dir) >= size)
            return kvq_fail(err, KVQ_EINVAL, "--out path too long");
        int rc = kvq_mkdir_p(dir, err);
        if (rc) return kvq_error_wrap(err, "--out");
    } else {
        int rc = kvq_mkdir_p("results", err);
        if (rc) return rc;
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", gmtime(now));
        for (int attempt = 1;; attempt++) {
            if (attempt == 1)
                snprintf(dir, size, "results/run-%s", stamp);
            else
                snprintf(dir, size, "results/run-%s-%d", stamp, attempt);
            if (mkdir(dir, 0777) == 0) break;
            if (errno != EEXIST || attempt == 1000)
                return kvq_fail(err, KVQ_EIO, "cannot create folder '%s': %s", dir,
                                strerror(errno));
        }
    }
    char marker[4200];
    snprintf(marker, sizeof marker, "%s/run.json", dir);
    if (access(marker, F_OK) == 0)
        return kvq_fail(err, KVQ_EIO,
                        "'%s' already holds a run; finish it with --resume %s or choose another "
                        "--out",
                        dir, dir);
    return check_writable(dir, err);
}
