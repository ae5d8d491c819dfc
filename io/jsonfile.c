/* Whole-file text I/O (io/jsonfile.h). */
#include "io/jsonfile.h"
#include "io/atomic_file.h"
#include "kvq/numtext.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kvq_write_text_atomic(const char *path, const char *text, kvq_error *err)
{
    kvq_afile a;
    int rc = kvq_afile_open(&a, path, err);
    if (rc) return rc;
    fputs(text, a.f);
    return kvq_afile_commit(&a, err);
}

#define MAX_TEXT (1L << 30)

int kvq_read_text(const char *path, char **text, size_t *len_out, kvq_error *err)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int saved = errno;
        kvq_fail(err, KVQ_EIO, "cannot open '%s': %s", path, strerror(saved));
        errno = saved;
        return KVQ_EIO;
    }
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0) len = ftell(f);
    if (len < 0 || len > MAX_TEXT || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return kvq_fail(err, KVQ_EIO, "cannot read '%s' (not a regular file, or over 1 GiB)", path);
    }
    char *buf = malloc((size_t)len + 1);
    if (!buf) {
        fclose(f);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory reading '%s'", path);
    }
    size_t got = fread(buf, 1, (size_t)len, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || got != (size_t)len) {
        free(buf);
        return kvq_fail(err, KVQ_EIO, "cannot read '%s': %s", path,
                        failed ? strerror(errno) : "the file shrank while it was read");
    }
    buf[len] = '\0';
    *text = buf;
    if (len_out) *len_out = (size_t)len;
    return KVQ_OK;
}

cJSON *kvq_json_number(double x)
{
    char text[KVQ_NUMTEXT_MAX];
    kvq_numtext(x, text);
    return isfinite(x) ? cJSON_CreateRaw(text) : cJSON_CreateString(text);
}

int kvq_json_read_number(const cJSON *v, double *x)
{
    if (cJSON_IsNumber(v)) return *x = v->valuedouble, 0;
    if (cJSON_IsNull(v)) return *x = NAN, 0;
    if (!cJSON_IsString(v)) return -1;
    static const char *const names[] = {"NaN", "Inf", "-Inf"};
    static const double values[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(v->valuestring, names[i]) == 0) return *x = values[i], 0;
    return -1;
}
