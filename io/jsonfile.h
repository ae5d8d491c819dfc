/* Whole-file text I/O for the run folder's JSON and CSV files. */
#ifndef KVQ_JSONFILE_H
#define KVQ_JSONFILE_H

#include "kvq/error.h"
#include <cjson/cJSON.h>
#include <stddef.h>

/* Writes text to path atomically (atomic_file.h). */
int kvq_write_text_atomic(const char *path, const char *text, kvq_error *err);

/* Reads the whole file into *text (NUL-terminated, caller frees) and its length into *len (may be
 * NULL; the file may hold NUL bytes). KVQ_EIO with errno kept when the file cannot be opened;
 * files over 1 GiB are refused. */
int kvq_read_text(const char *path, char **text, size_t *len, kvq_error *err);

/* x as a JSON value that reads back to the same double: a number with the fewest digits that
 * round-trip (cJSON's own printing stops at 15 digits when they come within an epsilon, so seeds
 * above 10^15 and scores lose their last bits), and the strings "NaN", "Inf", "-Inf" for the
 * values JSON lacks. NULL when out of memory. */
cJSON *kvq_json_number(double x);

/* Reads what kvq_json_number wrote into *x (null, as older files hold, reads as NaN); -1 when v is
 * anything else. */
int kvq_json_read_number(const cJSON *v, double *x);

#endif
