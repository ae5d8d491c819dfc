/* safetensors reader (include/kvq/safetensors.h): the header is parsed with cJSON and every
 * tensor entry is validated against the file before any data is read. */
#include "kvq/safetensors.h"
#include "populations.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Largest integer a JSON number (a double in cJSON) holds exactly. */
#define JSON_INT_MAX 9007199254740992.0

/* item as a non-negative integer below 2^53; -1 when it is not one. */
static int json_u64(const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsNumber(item)) return -1;
    double v = item->valuedouble;
    if (!(v >= 0.0 && v <= JSON_INT_MAX) || v != (double)(uint64_t)v) return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_shape(kvq_tensor *t, const cJSON *shape, const char *path, kvq_error *err)
{
    if (!cJSON_IsArray(shape))
        return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s': \"shape\" is missing or not an array",
                        path, t->name);
    int n = cJSON_GetArraySize(shape);
    if (n > KVQ_TENSOR_MAX_DIMS)
        return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s': %d dimensions (at most %d supported)",
                        path, t->name, n, KVQ_TENSOR_MAX_DIMS);
    t->ndim = (size_t)n;
    uint64_t count = 1, limit = UINT64_MAX / kvq_dtype_size(t->dtype);
    int zero = 0;
    for (int i = 0; i < n; i++) {
        if (json_u64(cJSON_GetArrayItem(shape, i), &t->shape[i]))
            return kvq_fail(err, KVQ_EFORMAT,
                            "%s: tensor '%s': shape[%d] is not a non-negative integer", path,
                            t->name, i);
        if (t->shape[i] == 0)
            zero = 1;
        else if (!zero && count > limit / t->shape[i])
            return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s': shape overflows 64 bits", path,
                            t->name);
        else
            count *= t->shape[i];
    }
    t->nbytes = zero ? 0 : count * kvq_dtype_size(t->dtype);
    return KVQ_OK;
}

static int parse_offsets(kvq_tensor *t, const cJSON *offsets, uint64_t data_start,
                         uint64_t data_size, const char *path, kvq_error *err)
{
    uint64_t begin, end;
    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2 ||
        json_u64(cJSON_GetArrayItem(offsets, 0), &begin) ||
        json_u64(cJSON_GetArrayItem(offsets, 1), &end))
        return kvq_fail(err, KVQ_EFORMAT,
                        "%s: tensor '%s': \"data_offsets\" must be [begin, end] integers", path,
                        t->name);
    if (begin > end || end > data_size)
        return kvq_fail(err, KVQ_EFORMAT,
                        "%s: tensor '%s': data_offsets [%llu, %llu] outside the data buffer of "
                        "%llu bytes at file offset %llu (truncated file?)",
                        path, t->name, (unsigned long long)begin, (unsigned long long)end,
                        (unsigned long long)data_size, (unsigned long long)data_start);
    if (end - begin != t->nbytes)
        return kvq_fail(err, KVQ_EFORMAT,
                        "%s: tensor '%s': data_offsets [%llu, %llu] span %llu bytes but dtype %s "
                        "x shape needs %llu",
                        path, t->name, (unsigned long long)begin, (unsigned long long)end,
                        (unsigned long long)(end - begin), kvq_dtype_name(t->dtype),
                        (unsigned long long)t->nbytes);
    t->offset = data_start + begin;
    return KVQ_OK;
}

static int parse_tensor(kvq_tensor *t, const cJSON *entry, uint64_t data_start, uint64_t data_size,
                        const char *path, kvq_error *err)
{
    if (!cJSON_IsObject(entry))
        return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s': entry is not a JSON object", path,
                        t->name);
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(entry, "dtype");
    if (!cJSON_IsString(dtype))
        return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s': \"dtype\" is missing or not a string",
                        path, t->name);
    if (kvq_dtype_parse(dtype->valuestring, &t->dtype))
        return kvq_fail(err, KVQ_EFORMAT, "%s: tensor '%s': unknown dtype '%.32s'", path, t->name,
                        dtype->valuestring);
    int rc = parse_shape(t, cJSON_GetObjectItemCaseSensitive(entry, "shape"), path, err);
    if (rc) return rc;
    return parse_offsets(t, cJSON_GetObjectItemCaseSensitive(entry, "data_offsets"), data_start,
                         data_size, path, err);
}

static int check_metadata(const cJSON *meta, const char *path, size_t *count, kvq_error *err)
{
    if (!cJSON_IsObject(meta))
        return kvq_fail(err, KVQ_EFORMAT, "%s: \"__metadata__\" is not a JSON object", path);
    *count = 0;
    for (const cJSON *m = meta->child; m; m = m->next, ++*count)
        if (!cJSON_IsString(m))
            return kvq_fail(err, KVQ_EFORMAT, "%s: __metadata__ '%s' is not a string", path,
                            m->string);
    return KVQ_OK;
}

static int parse_entries(kvq_safetensors *st, const cJSON *root, const uint8_t *bytes, size_t size,
                         kvq_error *err)
{
    uint64_t data_start = 8 + st->header_len, data_size = size - data_start;
    size_t n = 0;
    for (const cJSON *e = root->child; e; e = e->next) n++;
    st->tensors = calloc(n ? n : 1, sizeof *st->tensors);
    if (!st->tensors) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", st->path);
    for (const cJSON *e = root->child; e; e = e->next) {
        if (strcmp(e->string, "__metadata__") == 0) {
            int rc = check_metadata(e, st->path, &st->nmetadata, err);
            if (rc) return rc;
            continue;
        }
        kvq_tensor *t = &st->tensors[st->count];
        t->name = strdup(e->string);
        if (!t->name) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", st->path);
        st->count++;
        int rc = parse_tensor(t, e, data_start, data_size, st->path, err);
        if (rc) return rc;
        t->data = bytes + t->offset;
    }
    return kvq_tensors_check_layout(st->tensors, st->count, st->path, "header", err);
}

static int is_padding(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return 0;
    return 1;
}

static int parse_header(kvq_safetensors *st, const uint8_t *bytes, size_t size, kvq_error *err)
{
    if (size < 8)
        return kvq_fail(err, KVQ_EFORMAT,
                        "%s: %zu bytes, too short for the 8-byte header length at offset 0",
                        st->path, size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | bytes[i];
    if (n > KVQ_SAFETENSORS_HEADER_MAX || n > size - 8)
        return kvq_fail(err, KVQ_EFORMAT,
                        "%s: header length %llu at offset 0 exceeds the file (%zu bytes) or the "
                        "%u-byte cap",
                        st->path, (unsigned long long)n, size, KVQ_SAFETENSORS_HEADER_MAX);
    st->header_len = n;
    const char *json = (const char *)bytes + 8, *end = NULL;
    if (n == 0 || json[0] != '{')
        return kvq_fail(err, KVQ_EFORMAT, "%s: the header at offset 8 is not a JSON object",
                        st->path);
    cJSON *root = cJSON_ParseWithLengthOpts(json, (size_t)n, &end, 0);
    if (!root)
        return kvq_fail(err, KVQ_EFORMAT, "%s: invalid JSON in the header near file offset %zu",
                        st->path, 8 + (size_t)(end ? end - json : 0));
    int rc = KVQ_OK;
    if (!is_padding(end, json + n))
        rc =
            kvq_fail(err, KVQ_EFORMAT, "%s: unexpected bytes after the header's JSON at offset %zu",
                     st->path, 8 + (size_t)(end - json));
    else if (!cJSON_IsObject(root))
        rc = kvq_fail(err, KVQ_EFORMAT, "%s: the header is not a JSON object", st->path);
    else
        rc = parse_entries(st, root, bytes, size, err);
    cJSON_Delete(root);
    return rc;
}

int kvq_safetensors_parse(kvq_safetensors *st, const uint8_t *bytes, size_t size, const char *label,
                          kvq_error *err)
{
    memset(st, 0, sizeof *st);
    st->path = strdup(label);
    if (!st->path) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", label);
    int rc = parse_header(st, bytes, size, err);
    if (rc) kvq_safetensors_close(st);
    return rc;
}

int kvq_safetensors_open(kvq_safetensors *st, const char *path, kvq_error *err)
{
    kvq_mapping m;
    memset(st, 0, sizeof *st);
    int rc = kvq_map_file(&m, path, err);
    if (rc) return rc;
    rc = kvq_safetensors_parse(st, m.data, m.size, path, err);
    if (rc) {
        kvq_unmap_file(&m);
        return rc;
    }
    st->map = m.data;
    st->map_size = m.size;
    return KVQ_OK;
}

void kvq_safetensors_close(kvq_safetensors *st)
{
    for (size_t i = 0; i < st->count; i++) free((char *)st->tensors[i].name);
    free(st->tensors);
    free(st->path);
    kvq_mapping m = {st->map, st->map_size};
    kvq_unmap_file(&m);
    memset(st, 0, sizeof *st);
}

const kvq_tensor *kvq_safetensors_find(const kvq_safetensors *st, const char *name)
{
    kvq_tensor key = {.name = name};
    return st->count ? bsearch(&key, st->tensors, st->count, sizeof key, kvq_tensor_by_name) : NULL;
}
