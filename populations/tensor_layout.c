/* The checks a file of tensors shares whatever its format (populations/populations.h): names
 * unique, bytes not overlapping. */
#include "populations.h"

#include <stdlib.h>
#include <string.h>

int kvq_tensor_by_name(const void *a, const void *b)
{
    return strcmp(((const kvq_tensor *)a)->name, ((const kvq_tensor *)b)->name);
}

static int by_offset(const void *a, const void *b)
{
    const kvq_tensor *x = a, *y = b;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

int kvq_tensors_check_layout(kvq_tensor *t, size_t n, const char *path, const char *where,
                             kvq_error *err)
{
    qsort(t, n, sizeof *t, by_offset);
    size_t last = 0; /* the tensor reaching furthest so far */
    for (size_t i = 1; i < n; i++) {
        if (t[i].nbytes && t[last].offset + t[last].nbytes > t[i].offset)
            return kvq_fail(err, KVQ_EFORMAT,
                            "%s: tensors '%s' and '%s' overlap at file offset %llu", path,
                            t[last].name, t[i].name, (unsigned long long)t[i].offset);
        if (t[i].offset + t[i].nbytes > t[last].offset + t[last].nbytes) last = i;
    }
    qsort(t, n, sizeof *t, kvq_tensor_by_name);
    for (size_t i = 1; i < n; i++)
        if (strcmp(t[i - 1].name, t[i].name) == 0)
            return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s' appears twice in the %s", path,
                            t[i].name, where);
    return KVQ_OK;
}
