/* The tensors a run leaves out (analysis/left_out.h). */
#include "analysis/left_out.h"
#include "kvq/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when a population of the run from source covers tensor e. */
static int covered(const kvq_run *run, const char *source, const kvq_checkpoint_entry *e)
{
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population *pop = &run->pops[p];
        if (strcmp(pop->source, source) != 0) continue;
        if (pop->from_model && pop->target.kind >= 0) continue; /* activations */
        if (strcmp(pop->tensor, e->tensor->name) == 0) return 1;
        if (pop->role == e->cls.role && (pop->layer < 0 || pop->layer == e->cls.layer)) return 1;
    }
    return 0;
}

static void reason(const kvq_checkpoint_entry *e, int model, char *out, size_t size)
{
    const kvq_tensor *t = e->tensor;
    if (!kvq_role_is_encodable(e->cls.role))
        snprintf(out, size, "kvqeval does not encode this role");
    else if (!kvq_dtype_is_readable(t->dtype))
        snprintf(out, size, "dtype %s: not sampled", kvq_dtype_name(t->dtype));
    else if (t->ndim < 2)
        snprintf(out, size, "one dimension");
    else if (model && e->cls.role == KVQ_ROLE_VOCAB_EMBED)
        snprintf(out, size, "looked up, not multiplied, by the forward pass");
    else
        snprintf(out, size, "no population of this run selects it");
}

static int add(kvq_left_out **items, size_t *count, size_t *cap, const char *source,
               const kvq_checkpoint_entry *e, int model)
{
    if (*count == *cap) {
        size_t n = *cap ? 2 * *cap : 16;
        kvq_left_out *grown = realloc(*items, n * sizeof *grown);
        if (!grown) return -1;
        *items = grown;
        *cap = n;
    }
    kvq_left_out *x = &(*items)[(*count)++];
    snprintf(x->source, sizeof x->source, "%s", source);
    snprintf(x->tensor, sizeof x->tensor, "%s", e->tensor->name);
    x->role = kvq_role_name(e->cls.role);
    reason(e, model, x->reason, sizeof x->reason);
    return 0;
}

int kvq_left_out_compute(const kvq_run *run, kvq_left_out **items, size_t *count, kvq_error *err)
{
    *items = NULL;
    *count = 0;
    size_t cap = 0;
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population *pop = &run->pops[p];
        if (strcmp(pop->source, "synthetic") == 0 || !pop->source[0]) continue;
        size_t q = 0; /* each source once */
        while (q < p && strcmp(run->pops[q].source, pop->source) != 0) q++;
        if (q < p) continue;
        kvq_checkpoint ck;
        kvq_error ignored;
        if (kvq_checkpoint_open(&ck, pop->source, &ignored)) continue;
        for (size_t i = 0; i < ck.count; i++) {
            const kvq_checkpoint_entry *e = &ck.entries[i];
            if (covered(run, pop->source, e)) continue;
            if (add(items, count, &cap, pop->source, e, pop->from_model)) {
                kvq_checkpoint_close(&ck);
                return kvq_fail(err, KVQ_ENOMEM, "out of memory listing tensors left out");
            }
        }
        kvq_checkpoint_close(&ck);
    }
    return KVQ_OK;
}
