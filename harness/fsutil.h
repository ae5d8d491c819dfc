/* Run folders. */
#ifndef KVQ_FSUTIL_H
#define KVQ_FSUTIL_H

#include "kvq/error.h"
#include <stddef.h>
#include <time.h>

/* mkdir -p: creates path and its missing parents (mode 0777 & ~umask). */
int kvq_mkdir_p(const char *path, kvq_error *err);

/* Chooses and creates the run folder into dir (size bytes): out_dir when given, else
 * results/run-YYYYMMDD-HHMMSS from *now (UTC, with -2, -3, ... when taken). Refuses a folder that
 * already holds a run (a run.json), and checks it is writable before any work starts. */
int kvq_prepare_run_dir(char *dir, size_t size, const char *out_dir, const time_t *now,
                        kvq_error *err);

#endif
