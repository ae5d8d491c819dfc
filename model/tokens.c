/* Token-id files (include/kvq/model.h): .npy of int32 or int64 ids, one row a sequence. */
#include "kvq/model.h"
#include "kvq/npy.h"

#include <stdlib.h>
#include <string.h>

int kvq_model_tokens_load(const char *path, int32_t **tokens, size_t *nseq, size_t *len,
                          kvq_error *err)
{
    *tokens = NULL;
    kvq_npy npy;
    int rc = kvq_npy_open(&npy, path, err);
    if (rc) return rc;
    const kvq_tensor *t = &npy.tensor;
    if (t->dtype != KVQ_DTYPE_I32 && t->dtype != KVQ_DTYPE_I64)
        rc = kvq_fail(err, KVQ_EINVAL, "%s: token ids must be int32 or int64, not %s", path,
                      kvq_dtype_name(t->dtype));
    else if (t->ndim < 1 || t->ndim > 2 || t->shape[0] == 0 || (t->ndim == 2 && t->shape[1] == 0))
        rc = kvq_fail(err, KVQ_EINVAL,
                      "%s: token ids must be a non-empty 2-D array (one row a sequence) or 1-D "
                      "(one sequence)",
                      path);
    if (rc) {
        kvq_npy_close(&npy);
        return rc;
    }
    *nseq = t->ndim == 2 ? (size_t)t->shape[0] : 1;
    *len = t->ndim == 2 ? (size_t)t->shape[1] : (size_t)t->shape[0];
    size_t count = *nseq * *len;
    int32_t *out = malloc(count * sizeof *out);
    if (!out) rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < count && !rc; i++) {
        int64_t v;
        if (t->dtype == KVQ_DTYPE_I32) {
            int32_t v32;
            memcpy(&v32, t->data + 4 * i, 4);
            v = v32;
        } else {
            memcpy(&v, t->data + 8 * i, 8);
        }
        if (v < 0 || v > INT32_MAX)
            rc = kvq_fail(err, KVQ_EINVAL,
                          "%s: sequence %zu position %zu: token id %lld is "
                          "negative or too large",
                          path, i / *len, i % *len, (long long)v);
        else
            out[i] = (int32_t)v;
    }
    kvq_npy_close(&npy);
    if (rc)
        free(out);
    else
        *tokens = out;
    return rc;
}
