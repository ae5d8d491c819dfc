/* Codec spec shorthands (harness/ladder.h). */
#include "harness/ladder.h"
#include "kvq/backend.h"
#include "kvq/population.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXPANSION 4096

/* Parses "A..B" into [lo, hi]; 1 when value is a range, 0 when it is not, -1 when malformed. */
static int parse_range(const char *value, long *lo, long *hi)
{
    const char *dots = strstr(value, "..");
    if (!dots) return 0;
    char *end;
    errno = 0;
    *lo = strtol(value, &end, 10);
    if (errno || end != dots || end == value) return -1;
    const char *second = dots + 2;
    *hi = strtol(second, &end, 10);
    if (errno || *end != '\0' || end == second || *hi < *lo) return -1;
    return 1;
}

typedef struct expansion {
    kvq_params p;
    long lo[KVQ_PARAMS_MAX], hi[KVQ_PARAMS_MAX];
    int (*fn)(const char *, void *);
    void *ctx;
} expansion;

/* Emits every combination of the ranges of keys i.. in p. */
static int emit(expansion *e, size_t i)
{
    if (i == e->p.count) {
        char spec[KVQ_NAME_MAX + KVQ_PARAMS_MAX * (KVQ_KEY_MAX + KVQ_VALUE_MAX)];
        kvq_params_format(&e->p, spec, sizeof spec);
        return e->fn(spec, e->ctx);
    }
    if (e->lo[i] > e->hi[i]) return emit(e, i + 1); /* not a range */
    /* stops at hi itself: v <= hi would never fail for hi = LONG_MAX */
    for (long v = e->lo[i];; v++) {
        snprintf(e->p.items[i].value, sizeof e->p.items[i].value, "%ld", v);
        int rc = emit(e, i + 1);
        if (rc || v == e->hi[i]) return rc;
    }
}

int kvq_expand_codec_spec(const char *spec, int (*fn)(const char *spec, void *ctx), void *ctx,
                          kvq_error *err)
{
    const char *colon = strchr(spec, ':');
    if (colon && strcmp(colon + 1, "ladder") == 0) {
        char name[KVQ_NAME_MAX];
        snprintf(name, sizeof name, "%.*s", (int)(colon - spec), spec);
        const kvq_backend *b = kvq_backend_find(name);
        if (!b) return kvq_fail(err, KVQ_EINVAL, "--codec '%s': unknown codec '%s'", spec, name);
        return kvq_backend_each_variant(b, fn, ctx);
    }
    expansion e = {.fn = fn, .ctx = ctx};
    int rc = kvq_params_parse(spec, &e.p, err);
    if (rc) return fn(spec, ctx); /* not ours to judge: the caller reports the syntax error */
    size_t total = 1;
    for (size_t i = 0; i < e.p.count; i++) {
        int r = parse_range(e.p.items[i].value, &e.lo[i], &e.hi[i]);
        if (r < 0)
            return kvq_fail(err, KVQ_EINVAL,
                            "--codec '%s': %s=%s is not a range of integers A..B with A <= B", spec,
                            e.p.items[i].key, e.p.items[i].value);
        /* the width in unsigned arithmetic: hi - lo overflows a long for the widest ranges */
        unsigned long width = r ? (unsigned long)e.hi[i] - (unsigned long)e.lo[i] : 0;
        if (r == 0)
            e.lo[i] = 1, e.hi[i] = 0;
        else if (width < MAX_EXPANSION)
            total *= width + 1;
        if (width >= MAX_EXPANSION || total > MAX_EXPANSION)
            return kvq_fail(err, KVQ_EINVAL, "--codec '%s' expands to more than %d variants", spec,
                            MAX_EXPANSION);
    }
    return emit(&e, 0);
}

/* layer=all (at[0..len) in spec): one spec per layer the spec's role or model covers. */
static int expand_all_layers(const char *spec, const char *at, size_t len,
                             int (*fn)(const char *spec, void *ctx), void *ctx, kvq_error *err)
{
    long *layers;
    size_t n;
    int rc = kvq_population_layers(spec, &layers, &n, err);
    if (rc) return kvq_error_wrap(err, "layer=all");
    size_t head = (size_t)(at - spec);
    char *one = malloc(strlen(spec) + 32);
    if (!one) rc = kvq_fail(err, KVQ_ENOMEM, "out of memory expanding '%s'", spec);
    for (size_t i = 0; i < n && !rc; i++) {
        snprintf(one, strlen(spec) + 32, "%.*s%ld%s", (int)head, spec, layers[i], at + len);
        rc = fn(one, ctx);
    }
    free(one);
    free(layers);
    return rc;
}

int kvq_expand_population_spec(const char *spec, int (*fn)(const char *spec, void *ctx), void *ctx,
                               kvq_error *err)
{
    const char *hash = strrchr(spec, '#'), *at = NULL;
    for (const char *p = hash; p && (p = strstr(p, "layer=")); p++)
        if (p[-1] == '#' || p[-1] == '&') {
            at = p + 6;
            break;
        }
    if (!at) return fn(spec, ctx);
    size_t len = strcspn(at, "&");
    char value[64];
    long lo, hi;
    if (len >= sizeof value) return fn(spec, ctx); /* not a range: the loader judges it */
    memcpy(value, at, len);
    value[len] = '\0';
    if (strcmp(value, "all") == 0) return expand_all_layers(spec, at, len, fn, ctx, err);
    int range = parse_range(value, &lo, &hi);
    if (range == 0) return fn(spec, ctx);
    if (range < 0 || lo < 0)
        return kvq_fail(err, KVQ_EINVAL, "population '%s': layer=%s is not a range A..B of layers",
                        spec, value);
    if ((unsigned long)hi - (unsigned long)lo >= MAX_EXPANSION)
        return kvq_fail(err, KVQ_EINVAL, "population '%s': layer=%s spans more than %d layers",
                        spec, value, MAX_EXPANSION);
    size_t head = (size_t)(at - spec);
    char *one = malloc(strlen(spec) + 32);
    if (!one) return kvq_fail(err, KVQ_ENOMEM, "out of memory expanding '%s'", spec);
    int rc = 0;
    for (long layer = lo; !rc; layer++) {
        snprintf(one, strlen(spec) + 32, "%.*s%ld%s", (int)head, spec, layer, at + len);
        rc = fn(one, ctx);
        if (layer == hi) break;
    }
    free(one);
    return rc;
}
