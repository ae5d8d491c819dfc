/* Reading CSV files (io/csv_read.h). The whole file is read, then split in place: fields are
 * unquoted into one storage buffer that the table owns. */
#include "io/csv_read.h"

#include "io/jsonfile.h"
#include <stdio.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *p, *end;
    size_t line;
    char *out; /* where the next unquoted byte goes */
    char **fields;
    size_t nfields, cap;
} parser;

static int push_field(parser *ps, char *start)
{
    if (ps->nfields == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 64;
        char **grown = realloc(ps->fields, cap * sizeof *grown);
        if (!grown) return -1;
        ps->fields = grown;
        ps->cap = cap;
    }
    *ps->out++ = '\0';
    ps->fields[ps->nfields++] = start;
    return 0;
}

/* Parses one field at ps->p; *last is set when it ends its record. */
static int parse_field(parser *ps, int *last, const char *path, kvq_error *err)
{
    char *start = ps->out;
    if (ps->p < ps->end && *ps->p == '"') {
        size_t open_line = ps->line;
        ps->p++;
        for (;;) {
            if (ps->p == ps->end)
                return kvq_fail(err, KVQ_EFORMAT, "%s:%zu: unterminated quoted field", path,
                                open_line);
            if (*ps->p == '"') {
                if (ps->p + 1 < ps->end && ps->p[1] == '"') {
                    *ps->out++ = '"';
                    ps->p += 2;
                    continue;
                }
                ps->p++;
                break;
            }
            if (*ps->p == '\n') ps->line++;
            *ps->out++ = *ps->p++;
        }
    } else {
        while (ps->p < ps->end && *ps->p != ',' && *ps->p != '\n' && *ps->p != '\r') {
            if (*ps->p == '"')
                return kvq_fail(err, KVQ_EFORMAT, "%s:%zu: quote inside an unquoted field", path,
                                ps->line);
            *ps->out++ = *ps->p++;
        }
    }
    if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        *last = 0;
    } else if (ps->p < ps->end && *ps->p != '\n' && *ps->p != '\r') {
        return kvq_fail(err, KVQ_EFORMAT, "%s:%zu: characters after a closing quote", path,
                        ps->line);
    } else {
        if (ps->p < ps->end && *ps->p == '\r') ps->p++;
        if (ps->p < ps->end && *ps->p == '\n') ps->p++;
        *last = 1;
    }
    return push_field(ps, start) ? kvq_fail(err, KVQ_ENOMEM, "out of memory reading %s", path)
                                 : KVQ_OK;
}

static int record_start(kvq_csv_table *t, size_t line)
{
    size_t *grown = realloc(t->line, (t->nrows + 2) * sizeof *grown);
    if (!grown) return -1;
    t->line = grown;
    t->line[t->nrows + 1] = line; /* slot 0 is the header's */
    return 0;
}

static int split(kvq_csv_table *t, parser *ps, kvq_error *err)
{
    while (ps->p < ps->end) {
        if (*ps->p == '\n' || *ps->p == '\r') { /* blank line */
            if (*ps->p == '\n') ps->line++;
            ps->p++;
            continue;
        }
        size_t line = ps->line, first = ps->nfields;
        if (record_start(t, line))
            return kvq_fail(err, KVQ_ENOMEM, "out of memory reading %s", t->path);
        int last = 0;
        while (!last) {
            int rc = parse_field(ps, &last, t->path, err);
            if (rc) return rc;
        }
        ps->line++;
        size_t count = ps->nfields - first;
        if (first == 0) {
            t->ncols = count;
        } else if (count < t->ncols) {
            return kvq_fail(err, KVQ_EFORMAT,
                            "%s:%zu: %zu fields, but the header has %zu: no value for column %zu "
                            "'%s'",
                            t->path, line, count, t->ncols, count + 1, ps->fields[count]);
        } else if (count > t->ncols) {
            return kvq_fail(err, KVQ_EFORMAT,
                            "%s:%zu: %zu fields, but the header has %zu: field %zu has no column",
                            t->path, line, count, t->ncols, t->ncols + 1);
        } else {
            t->nrows++;
        }
    }
    if (t->ncols == 0) return kvq_fail(err, KVQ_EFORMAT, "%s: empty file, no header row", t->path);
    return KVQ_OK;
}

int kvq_csv_read(const char *path, kvq_csv_table *t, kvq_error *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    char *text;
    size_t len;
    int rc = kvq_read_text(path, &text, &len, err);
    if (rc) return rc;
    parser ps = {.p = text, .end = text + len, .line = 1};
    if (memchr(text, '\0', len) != NULL)
        rc = kvq_fail(err, KVQ_EFORMAT, "%s: holds a NUL byte; not a text CSV file", path);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ps.p += 3;
    t->storage = malloc(len + 1 + len); /* every field plus one terminator per field at most */
    t->line = malloc(sizeof *t->line);
    if (!rc && (!t->storage || !t->line))
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory reading %s", path);
    if (!rc) {
        t->line[0] = 1;
        ps.out = t->storage;
        rc = split(t, &ps, err);
    }
    free(text);
    if (rc) {
        free(ps.fields);
        kvq_csv_free(t);
        return rc;
    }
    t->header = ps.fields;
    t->fields = ps.fields + t->ncols;
    return KVQ_OK;
}

const char *kvq_csv_field(const kvq_csv_table *t, size_t r, size_t c)
{
    return t->fields[r * t->ncols + c];
}

long kvq_csv_column(const kvq_csv_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->header[c], name) == 0) return (long)c;
    return -1;
}

int kvq_csv_parse_number(const char *field, double *x)
{
    if (strcmp(field, "NA") == 0) return *x = NAN, 0; /* R's missing value */
    char *end;
    errno = 0;
    double v = strtod(field, &end);
    if (end == field || *end != '\0') return -1;
    /* ERANGE also flags an underflow (a subnormal, or 0), which is a fine value; only an infinity
     * with ERANGE comes from a finite spelling (an inf spelled out sets no ERANGE). */
    if (errno == ERANGE && isinf(v)) return KVQ_CSV_OVERFLOW;
    *x = v;
    return 0;
}

void kvq_csv_free(kvq_csv_table *t)
{
    free(t->header); /* the field pointer array; fields point into it */
    free(t->line);
    free(t->storage);
    memset(t, 0, sizeof *t);
}
