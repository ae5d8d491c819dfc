/* Run folders (harness/fsutil.h). */
#include "harness/fsutil.h"
#include "io/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define WRITE_PROBE ".kvqeval-write-test"

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

/* The pid written in the lock file of a held folder, or 0 when it cannot be read. */
static long holder_pid(int fd)
{
    char text[32] = "";
    ssize_t got = pread(fd, text, sizeof text - 1, 0);
    if (got <= 0) return 0;
    text[got] = '\0';
    return strtol(text, NULL, 10);
}

static int refuse_held(const char *dir, int fd, kvq_error *err)
{
    long pid = holder_pid(fd);
    if (pid > 0)
        return kvq_fail(
            err, KVQ_EINVAL,
            "'%s' is in use by another kvqeval (pid %ld holds %s/run.lock); wait for it "
            "or choose another --out",
            dir, pid, dir);
    return kvq_fail(err, KVQ_EINVAL, "'%s' is in use by another kvqeval (it holds %s/run.lock)",
                    dir, dir);
}

int kvq_run_dir_lock(const char *dir, int *fd_out, kvq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return kvq_fail(err, KVQ_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int rc = errno == EWOULDBLOCK
                     ? refuse_held(dir, fd, err)
                     : kvq_fail(err, KVQ_EIO, "cannot lock '%s': %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        int rc = kvq_fail(err, KVQ_EIO, "cannot write '%s': %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    *fd_out = fd;
    return KVQ_OK;
}

int kvq_run_dir_check_empty(const char *dir, kvq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    if (access(path, F_OK) == 0)
        return kvq_fail(err, KVQ_EINVAL,
                        "'%s' already holds a run; finish it with --resume %s or choose another "
                        "--out",
                        dir, dir);
    return KVQ_OK;
}

int kvq_run_dir_check_free(const char *dir, kvq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.lock", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        int rc = KVQ_OK;
        if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
            rc = refuse_held(dir, fd, err);
        close(fd); /* also drops the shared lock taken to look */
        if (rc) return rc;
    }
    return kvq_run_dir_check_empty(dir, err);
}

/* Removes the temporary files ("NAME.tmp.PID") an interrupted writer left in folder. */
static void remove_temps_in(const char *folder)
{
    DIR *d = opendir(folder);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".tmp.") && strcmp(e->d_name, WRITE_PROBE) != 0) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
        unlink(path);
    }
    closedir(d);
}

void kvq_run_dir_remove_temps(const char *dir)
{
    static const char *const sub[] = {"", "/cells", "/plots"};
    for (size_t i = 0; i < 3; i++) {
        char folder[4200];
        snprintf(folder, sizeof folder, "%s%s", dir, sub[i]);
        remove_temps_in(folder);
    }
}

int kvq_check_writable(const char *dir, kvq_error *err)
{
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, dir, WRITE_PROBE, err);
    if (rc) return kvq_error_wrap(err, "output folder '%s' is not writable", dir);
    kvq_afile_abort(&a);
    return KVQ_OK;
}

int kvq_make_run_dir(char *dir, size_t size, const char *out_dir, const time_t *now, kvq_error *err)
{
    if (out_dir) {
        if ((size_t)snprintf(dir, size, "%s", out_dir) >= size)
            return kvq_fail(err, KVQ_EINVAL, "--out path too long");
        int rc = kvq_mkdir_p(dir, err);
        return rc ? kvq_error_wrap(err, "--out") : KVQ_OK;
    }
    int rc = kvq_mkdir_p("results", err);
    if (rc) return rc;
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", gmtime(now));
    for (int attempt = 1;; attempt++) {
        if (attempt == 1)
            snprintf(dir, size, "results/run-%s", stamp);
        else
            snprintf(dir, size, "results/run-%s-%d", stamp, attempt);
        if (mkdir(dir, 0777) == 0) return KVQ_OK;
        if (errno != EEXIST || attempt == 1000)
            return kvq_fail(err, KVQ_EIO, "cannot create folder '%s': %s", dir, strerror(errno));
    }
}
