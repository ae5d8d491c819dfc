/* CSV (RFC 4180) writing: fields are quoted when they hold a comma, quote, CR or LF; inside
 * quotes "" is a quote. Reading is io/csv_read.h. */
#ifndef KVQ_CSV_H
#define KVQ_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Writes one text field (quoted when needed). */
void kvq_csv_text(FILE *f, const char *s);

/* Writes one number: the shortest text that reads back to the same double (kvq_numtext), "NaN"
 * for NaN, "Inf"/"-Inf" for infinities. */
void kvq_csv_number(FILE *f, double x);

#endif
