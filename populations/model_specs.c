/* --model PATH: one population spec per encodable role of a checkpoint
 * (include/kvq/checkpoint.h). One population per role, sampled across all its layers, keeps the
 * matrix at a dozen populations for any depth of model; --per-layer gives one per role and layer
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

typedef struct slot {
    int role, layer; /* layer -1: every layer of the role */
} slot;

static int by_role_then_layer(const void *a, const void *b)
{
    const slot *x = a, *y = b;
    if (x->role != y->role) return x->role < y->role ? -1 : 1;
    return (x->layer > y->layer) - (x->layer < y->layer);
}

/* The distinct (role, layer) slots of ck's samplable tensors, sorted; layer -1 for each role
 * unless per_layer, and then only for a role whose tensors have no layer. Returns the count. */
static size_t collect_slots(const kvq_checkpoint *ck, int per_layer, slot *s)
{
    size_t m = 0;
    for (size_t i = 0; i < ck->count; i++)
        if (samplable(&ck->entries[i]))
            s[m++] = (slot){ck->entries[i].cls.role, per_layer ? ck->entries[i].cls.layer : -1};
    qsort(s, m, sizeof *s, by_role_then_layer);
    size_t kept = 0;
    for (size_t i = 0; i < m; i++) {
        if (kept && s[kept - 1].role == s[i].role && s[kept - 1].layer == s[i].layer) continue;
        /* with per_layer, layer= selects the layered tensors: a role's unlayered slot goes */
        if (kept && s[kept - 1].role == s[i].role && s[kept - 1].layer < 0) kept--;
        s[kept++] = s[i];
    }
    return kept;
}

int kvq_model_population_specs(const char *path, int per_layer, char ***specs, size_t *count,
                               kvq_error *err)
{
    *specs = NULL;
    *count = 0;
    kvq_checkpoint ck;
    int rc = kvq_checkpoint_open(&ck, path, err);
    if (rc) return rc;
    slot *s = malloc((ck.count ? ck.count : 1) * sizeof *s);
    size_t m = s ? collect_slots(&ck, per_layer, s) : 0;
    kvq_checkpoint_close(&ck);
    char **out = calloc(m ? m : 1, sizeof *out);
    if (!s || !out) {
        free(s);
        free(out);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < m; i++) {
        const char *name = kvq_role_name((kvq_role)s[i].role);
        size_t len = strlen(path) + strlen(name) + sizeof "safetensors:#role=&layer=" + 12;
        if (!(out[i] = malloc(len))) {
            kvq_model_population_specs_free(out, i);
            free(s);
            return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", path);
        }
        if (s[i].layer < 0)
            snprintf(out[i], len, "safetensors:%s#role=%s", path, name);
        else
            snprintf(out[i], len, "safetensors:%s#role=%s&layer=%d", path, name, s[i].layer);
    }
    free(s);
    if (m == 0) {
        free(out);
        return kvq_fail(err, KVQ_EINVAL, "'%s': no encodable float tensor", path);
    }
    *specs = out;
    *count = m;
    return KVQ_OK;
}
