/* Atomic output files: write to "<path>.tmp.<pid>", then fsync and rename over <path>, so a reader
 * (or a resumed run) never sees a half-written file under the final name. */
#ifndef KVQ_ATOMIC_FILE_H
#define KVQ_ATOMIC_FILE_H

#include "kvq/error.h"
#include <stdio.h>

typedef struct kvq_afile {
    FILE *f; /* write through this */
    char path[4096];
    char tmp[4128];
} kvq_afile;

int kvq_afile_open(kvq_afile *a, const char *path, kvq_error *err);

/* kvq_afile_open of dir/name: a file of a run folder. */
int kvq_afile_open_in(kvq_afile *a, const char *dir, const char *name, kvq_error *err);

/* Flushes, syncs, closes and renames; on any failure removes the temporary file and reports it. */
int kvq_afile_commit(kvq_afile *a, kvq_error *err);

/* Closes and removes the temporary file (after a failure of the caller's own). */
void kvq_afile_abort(kvq_afile *a);

#endif
