/* Run folders. */
#ifndef KVQ_FSUTIL_H
#define KVQ_FSUTIL_H

#include "kvq/error.h"
#include <stddef.h>
#include <time.h>

/* mkdir -p: creates path and its missing parents (mode 0777 & ~umask). */
int kvq_mkdir_p(const char *path, kvq_error *err);

/* Creates the run folder into dir (size bytes): out_dir when given (with its parents), else a new
 * results/run-YYYYMMDD-HHMMSS from *now (UTC, with -2, -3, ... when taken). */
int kvq_make_run_dir(char *dir, size_t size, const char *out_dir, const time_t *now,
                     kvq_error *err);

/* Takes the run folder's exclusive lock (flock on dir/run.lock, which then holds this pid): one
 * writer per run folder, held until the process ends (*fd stays open). A folder another process
 * holds -> KVQ_EINVAL naming its pid; a lock file that cannot be opened -> KVQ_EIO. */
int kvq_run_dir_lock(const char *dir, int *fd, kvq_error *err);

/* KVQ_EINVAL when dir already holds a run (a run.json). */
int kvq_run_dir_check_empty(const char *dir, kvq_error *err);

/* Before a new run's work: KVQ_EINVAL when dir already holds a run or another process holds its
 * lock; KVQ_OK when dir is free or does not exist. Looks only, changes nothing; not for a folder
 * this process has locked (a second lock of the same file conflicts with the first). */
int kvq_run_dir_check_free(const char *dir, kvq_error *err);

/* Writes and removes a probe file: KVQ_EIO (with the reason) when dir is not writable. */
int kvq_check_writable(const char *dir, kvq_error *err);

/* Under the lock: removes the temporary files an interrupted run left in dir, dir/cells and
 * dir/plots. */
void kvq_run_dir_remove_temps(const char *dir);

#endif
