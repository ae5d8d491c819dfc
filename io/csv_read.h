/* CSV (RFC 4180) reading: a whole file with a header row, as io/csv.h writes it; inside quotes
 * "" is a quote. */
#ifndef KVQ_CSV_READ_H
#define KVQ_CSV_READ_H

#include "kvq/error.h"
#include <stddef.h>

/* A CSV file read whole: a header and nrows rows of exactly ncols fields each. */
typedef struct kvq_csv_table {
    char path[1024];
    size_t ncols, nrows;
    char **header; /* ncols names */
    char **fields; /* nrows * ncols, row-major */
    size_t *line;  /* the line of the file where each row starts (1-based; the header is line 1) */
    char *storage; /* owns every string */
} kvq_csv_table;

/* Reads path. Blank lines are skipped; a UTF-8 byte-order mark is ignored. A row with another
 * number of fields than the header, an unterminated quote, a NUL byte or an empty file ->
 * KVQ_EFORMAT naming the file and line. */
int kvq_csv_read(const char *path, kvq_csv_table *t, kvq_error *err);

/* The field of row r, column c. */
const char *kvq_csv_field(const kvq_csv_table *t, size_t r, size_t c);

/* The index of the column named name, or -1. */
long kvq_csv_column(const kvq_csv_table *t, const char *name);

/* kvq_csv_parse_number's answer for a finite spelling too large for a double (1e999). */
#define KVQ_CSV_OVERFLOW (-2)

/* Parses a numeric field as strtod does, the whole field: a decimal or hexadecimal number, a value
 * that underflows included (1e-320 is the subnormal, 1e-400 is 0), or a non-finite value in any
 * spelling strtod takes: inf, infinity, nan, nan(chars), in any case, signed or not (so "Inf" and
 * "NaN", which kvq_csv_number writes); also "NA" for NaN. Returns 0, KVQ_CSV_OVERFLOW for a finite
 * spelling that overflows, or -1 when the field is not a number (an empty field included). */
int kvq_csv_parse_number(const char *field, double *x);

void kvq_csv_free(kvq_csv_table *t);

#endif
