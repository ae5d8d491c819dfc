/* CSV writing (RFC 4180): fields are quoted when they hold a comma, quote, CR or LF. */
#ifndef KVQ_CSV_H
#define KVQ_CSV_H

#include <stdio.h>

/* Writes one text field (quoted when needed). */
void kvq_csv_text(FILE *f, const char *s);

/* Writes one number: %.10g, "NaN" for NaN, "Inf"/"-Inf" for infinities. */
void kvq_csv_number(FILE *f, double x);

#endif
