/* The layers a population spec's role covers, for `layer=all` (include/kvq/population.h). */
#include "kvq/checkpoint.h"
#include "kvq/model.h"
#include "kvq/population.h"
#include "kvq/roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ascending(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The value of key in "#k=v&k=v" options (copied into out[size]), or "" when absent. */
static void option(const char *opts, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    out[0] = '\0';
    for (const char *p = opts; *p;) {
        size_t len = strcspn(p, "&");
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=')
            snprintf(out, size, "%.*s", (int)(len - klen - 1), p + klen + 1);
        p += len + (p[len] == '&');
    }
}

int kvq_population_layers(const char *spec, long **layers, size_t *count, kvq_error *err)
{
    *layers = NULL;
    *count = 0;
    const char *colon = strchr(spec, ':'), *hash = strrchr(spec, '#');
    if (!colon || !hash || hash < colon)
        return kvq_fail(err, KVQ_EINVAL,
                        "population '%s': layer=all needs a file or model spec "
                        "with #role= (or #kind= for a model)",
                        spec);
    char path[4096];
    snprintf(path, sizeof path, "%.*s", (int)(hash - colon - 1), colon + 1);
    if (strncmp(spec, "model:", 6) == 0) {
        kvq_model m;
        int rc = kvq_model_open(&m, path, err);
        if (rc) return rc;
        size_t n = m.cfg.layers;
        kvq_model_close(&m);
        if (!(*layers = malloc(n * sizeof **layers)))
            return kvq_fail(err, KVQ_ENOMEM, "out of memory");
        for (size_t l = 0; l < n; l++) (*layers)[l] = (long)l;
        *count = n;
        return KVQ_OK;
    }
    char role_text[64];
    option(hash + 1, "role", role_text, sizeof role_text);
    kvq_role role;
    if (!role_text[0])
        return kvq_fail(err, KVQ_EINVAL, "population '%s': layer=all needs role=", spec);
    int rc = kvq_role_parse(role_text, &role, err);
    if (rc) return rc;
    kvq_checkpoint ck;
    if ((rc = kvq_checkpoint_open(&ck, path, err))) return rc;
    long *out = malloc((ck.count ? ck.count : 1) * sizeof *out);
    size_t n = 0;
    for (size_t i = 0; out && i < ck.count; i++) {
        const kvq_tensor_class *c = &ck.entries[i].cls;
        if (c->role != role || c->layer < 0) continue;
        size_t k = 0;
        while (k < n && out[k] != c->layer) k++;
        if (k == n) out[n++] = c->layer;
    }
    kvq_checkpoint_close(&ck);
    if (!out) return kvq_fail(err, KVQ_ENOMEM, "out of memory");
    if (n == 0) {
        free(out);
        return kvq_fail(err, KVQ_EINVAL, "population '%s': no %s tensor has a layer", spec,
                        role_text);
    }
    qsort(out, n, sizeof *out, ascending);
    *layers = out;
    *count = n;
    return KVQ_OK;
}
