/* Variant specs "name:key=value,..." and typed parameter access (include/kvq/params.h). */
#include "kvq/params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int is_value_char(char c)
{
    return is_ident_char(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' || c == '-';
}

/* Copies the token [s, s+len) into dst (size cap) if it is non-empty, fits and passes ok(). */
static int copy_token(char *dst, size_t cap, const char *s, size_t len, int (*ok)(char),
                      const char *what, const char *spec, kvq_error *err)
{
    if (len == 0) return kvq_fail(err, KVQ_EINVAL, "spec '%s': empty %s", spec, what);
    if (len >= cap)
        return kvq_fail(err, KVQ_EINVAL, "spec '%s': %s '%.*s' is longer than %zu characters", spec,
                        what, (int)len, s, cap - 1);
    for (size_t i = 0; i < len; i++)
        if (!ok(s[i]))
            return kvq_fail(err, KVQ_EINVAL, "spec '%s': character '%c' not allowed in %s '%.*s'",
                            spec, s[i], what, (int)len, s);
    memcpy(dst, s, len);
    dst[len] = '\0';
    return KVQ_OK;
}

int kvq_params_parse_pairs(const char *text, char sep, const char *spec, kvq_params *out,
                           kvq_error *err)
{
    const char *p = text;
    if (*p == '\0') return kvq_fail(err, KVQ_EINVAL, "spec '%s': empty parameter list", spec);
    while (*p) {
        const char *end = strchr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq)
            return kvq_fail(err, KVQ_EINVAL, "spec '%s': '%.*s' is not key=value", spec, (int)len,
                            p);
        if (out->count == KVQ_PARAMS_MAX)
            return kvq_fail(err, KVQ_EINVAL, "spec '%s': more than %d parameters", spec,
                            KVQ_PARAMS_MAX);
        kvq_param *kv = &out->items[out->count];
        int rc = copy_token(kv->key, sizeof kv->key, p, (size_t)(eq - p), is_ident_char,
                            "parameter name", spec, err);
        if (rc) return rc;
        rc = copy_token(kv->value, sizeof kv->value, eq + 1, len - (size_t)(eq - p) - 1,
                        is_value_char, "value", spec, err);
        if (rc) return rc;
        if (kvq_params_get(out, kv->key))
            return kvq_fail(err, KVQ_EINVAL, "spec '%s': parameter '%s' given twice", spec,
                            kv->key);
        out->count++;
        if (!end) break;
        p = end + 1;
        if (*p == '\0') return kvq_fail(err, KVQ_EINVAL, "spec '%s': trailing '%c'", spec, sep);
    }
    return KVQ_OK;
}

int kvq_params_parse(const char *spec, kvq_params *out, kvq_error *err)
{
    memset(out, 0, sizeof *out);
    if (!spec) return kvq_fail(err, KVQ_EINVAL, "empty spec");
    const char *colon = strchr(spec, ':');
    size_t name_len = colon ? (size_t)(colon - spec) : strlen(spec);
    int rc = copy_token(out->name, sizeof out->name, spec, name_len, is_ident_char, "codec name",
                        spec, err);
    if (rc || !colon) return rc;
    return kvq_params_parse_pairs(colon + 1, ',', spec, out, err);
}

const char *kvq_params_get(const kvq_params *p, const char *key)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->items[i].key, key) == 0) return p->items[i].value;
    return NULL;
}

int kvq_params_set(kvq_params *p, const char *key, const char *value, kvq_error *err)
{
    if (strlen(key) >= KVQ_KEY_MAX || strlen(value) >= KVQ_VALUE_MAX)
        return kvq_fail(err, KVQ_ERANGE, "%s: parameter '%s=%s' too long", p->name, key, value);
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->items[i].key, key) == 0) {
            snprintf(p->items[i].value, KVQ_VALUE_MAX, "%s", value);
            return KVQ_OK;
        }
    }
    if (p->count == KVQ_PARAMS_MAX)
        return kvq_fail(err, KVQ_ERANGE, "%s: more than %d parameters", p->name, KVQ_PARAMS_MAX);
    snprintf(p->items[p->count].key, KVQ_KEY_MAX, "%s", key);
    snprintf(p->items[p->count].value, KVQ_VALUE_MAX, "%s", value);
    p->count++;
    return KVQ_OK;
}

static int doc_has(const kvq_param_doc *docs, const char *key)
{
    for (const kvq_param_doc *d = docs; d->key; d++)
        if (strcmp(d->key, key) == 0) return 1;
    return 0;
}

int kvq_params_apply_defaults(kvq_params *p, const kvq_param_doc *docs, kvq_error *err)
{
    for (size_t i = 0; i < p->count; i++) {
        if (doc_has(docs, p->items[i].key)) continue;
        char known[256] = "";
        size_t used = 0;
        for (const kvq_param_doc *d = docs; d->key && used < sizeof known; d++)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                     d == docs ? "" : ", ", d->key);
        return kvq_fail(err, KVQ_EINVAL, "'%s' has no parameter '%s' (known: %s)", p->name,
                        p->items[i].key, docs->key ? known : "none");
    }
    for (const kvq_param_doc *d = docs; d->key; d++) {
        if (kvq_params_get(p, d->key)) continue;
        int rc = kvq_params_set(p, d->key, d->fallback, err);
        if (rc) return rc;
    }
    return KVQ_OK;
}

static const char *require(const kvq_params *p, const char *key, kvq_error *err)
{
    const char *v = kvq_params_get(p, key);
    if (!v) kvq_fail(err, KVQ_EINTERNAL, "%s: parameter '%s' has no value", p->name, key);
    return v;
}

int kvq_params_int(const kvq_params *p, const char *key, long min, long max, long *out,
                   kvq_error *err)
{
    const char *v = require(p, key, err);
    if (!v) return KVQ_EINTERNAL;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end != '\0' || x < min || x > max)
        return kvq_fail(err, KVQ_EINVAL, "%s: %s=%s is not an integer in [%ld, %ld]", p->name, key,
                        v, min, max);
    *out = x;
    return KVQ_OK;
}

int kvq_params_double(const kvq_params *p, const char *key, double min, double max, double *out,
                      kvq_error *err)
{
    const char *v = require(p, key, err);
    if (!v) return KVQ_EINTERNAL;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end != '\0' || !isfinite(x) || x < min || x > max)
        return kvq_fail(err, KVQ_EINVAL, "%s: %s=%s is not a number in [%g, %g]", p->name, key, v,
                        min, max);
    *out = x;
    return KVQ_OK;
}

int kvq_params_bool(const kvq_params *p, const char *key, int *out, kvq_error *err)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    const char *v = require(p, key, err);
    if (!v) return KVQ_EINTERNAL;
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) return *out = 1, KVQ_OK;
        if (strcmp(v, no[i]) == 0) return *out = 0, KVQ_OK;
    }
    return kvq_fail(err, KVQ_EINVAL, "%s: %s=%s is not a boolean (use 0 or 1)", p->name, key, v);
}

size_t kvq_params_format(const kvq_params *p, char *buf, size_t size)
{
    size_t need = (size_t)snprintf(buf, size, "%s", p->name);
    for (size_t i = 0; i < p->count; i++) {
        size_t at = need < size ? need : size;
        need += (size_t)snprintf(buf + at, size - at, "%c%s=%s", i ? ',' : ':', p->items[i].key,
                                 p->items[i].value);
    }
    return need;
}

int kvq_parse_seed(const char *text, uint64_t *seed)
{
    if (text[0] < '0' || text[0] > '9') return -1; /* no sign, no space: strtoull would take them */
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end != '\0' || v >= KVQ_SEED_LIMIT) return -1;
    *seed = v;
    return 0;
}
