/* --model PATH: one population spec per encodable role of a checkpoint
 * (include/kvq/checkpoint.h). One population per role, sampled across all its layers, keeps the
 * matrix at a dozen populations for any depth of model; a single layer is one spec away
 * (#role=k_proj&layer=3). */
#include "kvq/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when the tensor can be sampled as rows: a readable dtype and at least 2 dimensions. */
static int samplable(const kvq_checkpoint_entry *e)
{
    return kvq_role_is_encodable(e->cls.role) && kvq_dtype_is_readable(e->tensor->dtype) &&
           e->tensor->ndim >= 2;
}

void kvq_model_population_specs_free(char **specs, size_t count)
{
    for (size_t i = 0; specs && i < count; i++) free(specs[i]);
    free(specs);
}

int kvq_model_population_specs(const char *path, char ***specs, size_t *count, kvq_error *err)
{
    *specs = NULL;
    *count = 0;
    kvq_checkpoint ck;
    int rc = kvq_checkpoint_open(&ck, path, err);
    if (rc) return rc;
    int present[KVQ_ROLE_COUNT] = {0};
    for (size_t i = 0; i < ck.count; i++)
        if (samplable(&ck.entries[i])) present[ck.entries[i].cls.role] = 1;
    kvq_checkpoint_close(&ck);
    char **out = calloc(KVQ_ROLE_COUNT, sizeof *out);
    if (!out) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
    size_t n = 0;
    for (int r = 0; r < KVQ_ROLE_COUNT; r++) {
        if (!present[r]) continue;
        const char *name = kvq_role_name((kvq_role)r);
        size_t len = strlen(path) + strlen(name) + sizeof "safetensors:#role=";
        if (!(out[n] = malloc(len))) {
            kvq_model_population_specs_free(out, n);
            return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
        }
        snprintf(out[n++], len, "safetensors:%s#role=%s", path, name);
    }
    if (n == 0) {
        free(out);
        return kvq_fail(err, KVQ_EINVAL, "'%s': no encodable float tensor", path);
    }
    *specs = out;
    *count = n;
    return KVQ_OK;
}
