/* CSV writing (io/csv.h). */
#include "io/csv.h"
#include "kvq/numtext.h"

#include <string.h>

void kvq_csv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void kvq_csv_number(FILE *f, double x)
{
    char text[KVQ_NUMTEXT_MAX];
    fputs(kvq_numtext(x, text), f);
}
