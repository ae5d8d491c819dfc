/* Whole-file text I/O for the run folder's JSON and CSV files. */
#ifndef KVQ_JSONFILE_H
#define KVQ_JSONFILE_H

#include "kvq/error.h"
#include <stddef.h>

/* Writes text to path atomically (atomic_file.h). */
int kvq_write_text_atomic(const char *path, const char *text, kvq_error *err);

/* Reads the whole file into *text (NUL-terminated, caller frees) and its length into *len (may be
 * NULL; the file may hold NUL bytes). KVQ_EIO with errno kept when the file cannot be opened;
 * files over 1 GiB are refused. */
int kvq_read_text(const char *path, char **text, size_t *len, kvq_error *err);

#endif
