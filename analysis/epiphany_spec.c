/* Parsing and validating epiphany specs (analysis/epiphany.h). Every key is checked, so a typo
 * ("mertic") is an error naming its place, not a prediction silently ignored. */
#include "analysis/epiphany.h"
#include "io/jsonfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!=", NULL};
static const char *const aggregates[] = {"all",  "any",    "min",   "max",
                                         "mean", "median", "count", NULL};

static int one_of(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0) return 1;
    return 0;
}

typedef struct checker {
    const char *source;
    kvq_error *err;
} checker;

static int bad(const checker *ck, const char *path, const char *what)
{
    return kvq_fail(ck->err, KVQ_EINVAL, "%s: %s: %s", ck->source, path, what);
}

/* Every key of o must be in allowed. */
static int known_keys(const checker *ck, const cJSON *o, const char *path,
                      const char *const *allowed)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, o)
    {
        if (!one_of(item->string, allowed)) {
            char msg[256];
            snprintf(msg, sizeof msg, "unknown key '%s'", item->string);
            return bad(ck, path, msg);
        }
    }
    return KVQ_OK;
}

/* key of o is absent (when optional) or a string from list (list NULL: any non-empty string). */
static int string_field(const checker *ck, const cJSON *o, const char *path, const char *key,
                        int required, const char *const *list)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    char where[512];
    snprintf(where, sizeof where, "%s.%s", path, key);
    if (!v) return required ? bad(ck, where, "missing") : KVQ_OK;
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
        return bad(ck, where, "must be a non-empty string");
    if (list && !one_of(v->valuestring, list)) {
        char msg[256] = "must be one of";
        for (const char *const *l = list; *l; l++)
            strncat(msg, l == list ? " " : ", ", sizeof msg - strlen(msg) - 1),
                strncat(msg, *l, sizeof msg - strlen(msg) - 1);
        return bad(ck, where, msg);
    }
    return KVQ_OK;
}

static int check_when(const checker *ck, const cJSON *when, const char *path)
{
    static const char *const keys[] = {"role", "population", NULL};
    if (!cJSON_IsObject(when)) return bad(ck, path, "must be an object");
    int rc = known_keys(ck, when, path, keys);
    if (!rc) rc = string_field(ck, when, path, "population", 0, NULL);
    if (rc) return rc;
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(when, "role");
    if (!role || (cJSON_IsString(role) && role->valuestring[0])) return KVQ_OK;
    if (!cJSON_IsArray(role) || cJSON_GetArraySize(role) == 0)
        return bad(ck, path, "role must be a string or a non-empty array of strings");
    const cJSON *r;
    cJSON_ArrayForEach(r, role) if (!cJSON_IsString(r)) return bad(ck, path, "role: not a string");
    return KVQ_OK;
}

static int check_versus(const checker *ck, const cJSON *v, const char *path)
{
    static const char *const keys[] = {"codec", "metric",       "aggregate",
                                       "scale", "matched_bits", NULL};
    if (!cJSON_IsObject(v)) return bad(ck, path, "must be an object");
    int rc = known_keys(ck, v, path, keys);
    if (!rc) rc = string_field(ck, v, path, "codec", 0, NULL);
    if (!rc) rc = string_field(ck, v, path, "metric", 1, NULL);
    if (!rc) rc = string_field(ck, v, path, "aggregate", 0, aggregates);
    if (rc) return rc;
    const cJSON *agg = cJSON_GetObjectItemCaseSensitive(v, "aggregate");
    if (agg && (strcmp(agg->valuestring, "all") == 0 || strcmp(agg->valuestring, "any") == 0))
        return bad(ck, path, "aggregates 'all' and 'any' do not give one number to compare with");
    const cJSON *scale = cJSON_GetObjectItemCaseSensitive(v, "scale");
    if (scale && (!cJSON_IsNumber(scale) || !(scale->valuedouble > 0)))
        return bad(ck, path, "scale must be a positive number");
    const cJSON *band = cJSON_GetObjectItemCaseSensitive(v, "matched_bits");
    if (band && (!cJSON_IsNumber(band) || !(band->valuedouble >= 0) || band->valuedouble > 1))
        return bad(ck, path, "matched_bits must be a number from 0 to 1 (a relative band)");
    return KVQ_OK;
}

/* One condition of where: {"metric", "op", "value"}, all three required. */
static int check_condition(const checker *ck, const cJSON *w, const char *path)
{
    static const char *const keys[] = {"metric", "op", "value", NULL};
    if (!cJSON_IsObject(w)) return bad(ck, path, "must be an object");
    int rc = known_keys(ck, w, path, keys);
    if (!rc) rc = string_field(ck, w, path, "metric", 1, NULL);
    if (!rc) rc = string_field(ck, w, path, "op", 1, ops);
    if (rc) return rc;
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(w, "value")))
        return bad(ck, path, "value must be a number");
    return KVQ_OK;
}

/* where: one condition, or a non-empty array of conditions that must all hold. */
static int check_where(const checker *ck, const cJSON *w, const char *path)
{
    if (!cJSON_IsArray(w)) return check_condition(ck, w, path);
    if (cJSON_GetArraySize(w) == 0) return bad(ck, path, "must not be an empty array");
    char item[600];
    int i = 0, rc = KVQ_OK;
    const cJSON *c;
    cJSON_ArrayForEach(c, w)
    {
        snprintf(item, sizeof item, "%s[%d]", path, i++);
        if ((rc = check_condition(ck, c, item))) return rc;
    }
    return rc;
}

static int check_prediction(const checker *ck, const cJSON *p, const char *path)
{
    static const char *const keys[] = {"id", "when",  "codec",  "where", "metric", "aggregate",
                                       "op", "value", "versus", "note",  NULL};
    if (!cJSON_IsObject(p)) return bad(ck, path, "must be an object");
    int rc = known_keys(ck, p, path, keys);
    if (!rc) rc = string_field(ck, p, path, "codec", 0, NULL);
    if (!rc) rc = string_field(ck, p, path, "metric", 1, NULL);
    if (!rc) rc = string_field(ck, p, path, "aggregate", 0, aggregates);
    if (!rc) rc = string_field(ck, p, path, "op", 1, ops);
    if (!rc) rc = string_field(ck, p, path, "note", 0, NULL);
    if (!rc) rc = string_field(ck, p, path, "id", 0, NULL);
    if (rc) return rc;
    char where[512];
    const cJSON *filter = cJSON_GetObjectItemCaseSensitive(p, "where");
    snprintf(where, sizeof where, "%s.where", path);
    if (filter && (rc = check_where(ck, filter, where))) return rc;
    const cJSON *when = cJSON_GetObjectItemCaseSensitive(p, "when");
    snprintf(where, sizeof where, "%s.when", path);
    if (when && (rc = check_when(ck, when, where))) return rc;
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(p, "value");
    const cJSON *versus = cJSON_GetObjectItemCaseSensitive(p, "versus");
    if (!value == !versus) return bad(ck, path, "needs exactly one of 'value' and 'versus'");
    if (value && !cJSON_IsNumber(value)) return bad(ck, path, "value must be a number");
    snprintf(where, sizeof where, "%s.versus", path);
    return versus ? check_versus(ck, versus, where) : KVQ_OK;
}

static int check_id(const checker *ck, const cJSON *e, const char *path)
{
    const char *id = cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return bad(ck, path, "id must be lowercase letters, digits and '_'");
    return KVQ_OK;
}

static int check_epiphany(const checker *ck, const cJSON *e, const char *path)
{
    static const char *const keys[] = {"id", "claim_id", "title", "claim", "predictions", NULL};
    if (!cJSON_IsObject(e)) return bad(ck, path, "must be an object");
    int rc = known_keys(ck, e, path, keys);
    if (!rc) rc = string_field(ck, e, path, "id", 1, NULL);
    if (!rc) rc = check_id(ck, e, path);
    if (!rc) rc = string_field(ck, e, path, "claim_id", 0, NULL);
    if (!rc) rc = string_field(ck, e, path, "title", 1, NULL);
    if (!rc) rc = string_field(ck, e, path, "claim", 1, NULL);
    if (rc) return rc;
    const cJSON *preds = cJSON_GetObjectItemCaseSensitive(e, "predictions");
    if (!cJSON_IsArray(preds) || cJSON_GetArraySize(preds) == 0)
        return bad(ck, path, "predictions must be a non-empty array");
    int i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, preds)
    {
        char where[512];
        snprintf(where, sizeof where, "%s.predictions[%d]", path, i++);
        if ((rc = check_prediction(ck, p, where))) return rc;
    }
    return KVQ_OK;
}

int kvq_epiphany_parse(cJSON **spec, const char *text, const char *source, kvq_error *err)
{
    checker ck = {source, err};
    cJSON *root = cJSON_Parse(text);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        return kvq_fail(err, KVQ_EINVAL, "%s: not valid JSON (near byte %ld)", source,
                        at ? (long)(at - text) : -1L);
    }
    static const char *const keys[] = {"epiphanies", "description", NULL};
    int rc = cJSON_IsObject(root) ? known_keys(&ck, root, "top level", keys)
                                  : bad(&ck, "top level", "must be an object");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "epiphanies");
    if (!rc && (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0))
        rc = bad(&ck, "epiphanies", "must be a non-empty array");
    int i = 0;
    const cJSON *e;
    if (!rc) cJSON_ArrayForEach(e, list)
        {
            char where[64];
            snprintf(where, sizeof where, "epiphanies[%d]", i++);
            if ((rc = check_epiphany(&ck, e, where))) break;
            const char *id = cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring;
            for (const cJSON *prev = list->child; prev != e; prev = prev->next)
                if (strcmp(cJSON_GetObjectItemCaseSensitive(prev, "id")->valuestring, id) == 0)
                    rc = bad(&ck, where, "id given twice");
            if (rc) break;
        }
    if (rc) {
        cJSON_Delete(root);
        return rc;
    }
    *spec = root;
    return KVQ_OK;
}

int kvq_epiphany_load(cJSON **spec, const char *spec_path, kvq_error *err)
{
    char *text = NULL;
    *spec = NULL;
    if (spec_path) {
        int rc = kvq_read_text(spec_path, &text, NULL, err);
        if (rc) return kvq_error_wrap(err, "epiphany spec");
    }
    int rc = kvq_epiphany_parse(spec, text ? text : (const char *)kvq_default_epiphanies,
                                kvq_epiphany_source(spec_path), err);
    free(text);
    return rc;
}

const char *kvq_epiphany_source(const char *spec_path)
{
    return spec_path ? spec_path : "built in (analysis/epiphanies.json)";
}
