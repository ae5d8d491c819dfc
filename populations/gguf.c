/* GGUF reader (include/kvq/gguf.h): a cursor walks the header, the metadata and the tensor infos,
 * checking every length against what is left of the file before it is used; the tensors are then
 * checked against the data section (alignment, bounds, names, overlaps) before any data is read. */
#include "kvq/gguf.h"
#include "populations.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GGUF metadata value types (gguf.h of ggml: enum gguf_type). */
enum {
    T_U8 = 0,
    T_I8,
    T_U16,
    T_I16,
    T_U32,
    T_I32,
    T_F32,
    T_BOOL,
    T_STRING,
    T_ARRAY,
    T_U64,
    T_I64,
    T_F64,
    T_COUNT
};

/* Bytes of a scalar value; 0 for string and array. */
static const uint8_t scalar_size[T_COUNT] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

/* The ggml types kvqeval knows (ggml.h: enum ggml_type). */
static const struct {
    uint32_t id;
    kvq_dtype dtype;
} ggml_types[] = {
    {0, KVQ_DTYPE_F32},     {1, KVQ_DTYPE_F16},   {2, KVQ_DTYPE_Q4_0},  {3, KVQ_DTYPE_Q4_1},
    {6, KVQ_DTYPE_Q5_0},    {7, KVQ_DTYPE_Q5_1},  {8, KVQ_DTYPE_Q8_0},  {10, KVQ_DTYPE_Q2_K},
    {11, KVQ_DTYPE_Q3_K},   {12, KVQ_DTYPE_Q4_K}, {13, KVQ_DTYPE_Q5_K}, {14, KVQ_DTYPE_Q6_K},
    {20, KVQ_DTYPE_IQ4_NL}, {24, KVQ_DTYPE_I8},   {25, KVQ_DTYPE_I16},  {26, KVQ_DTYPE_I32},
    {27, KVQ_DTYPE_I64},    {28, KVQ_DTYPE_F64},  {30, KVQ_DTYPE_BF16},
};

int kvq_gguf_dtype(uint32_t type, kvq_dtype *out)
{
    for (size_t i = 0; i < sizeof ggml_types / sizeof ggml_types[0]; i++)
        if (ggml_types[i].id == type) {
            *out = ggml_types[i].dtype;
            return KVQ_OK;
        }
    return KVQ_EUNSUPPORTED;
}

/* A read position in the file image; every read checks the bytes left first. */
typedef struct cursor {
    const uint8_t *bytes;
    size_t size, pos;
    const char *path;
    kvq_error *err;
} cursor;

/* What is being read, for messages: "key 'general.name'", "tensor 'blk.0.attn_k.weight'". */
typedef struct subject {
    const char *kind; /* "header", "key", "tensor" */
    const char *name; /* NULL for the header */
    size_t len;
} subject;

static int fail_at(cursor *c, size_t offset, const subject *s, const char *what, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_at(cursor *c, size_t offset, const subject *s, const char *what, ...)
{
    char detail[KVQ_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, what);
    vsnprintf(detail, sizeof detail, what, ap);
    va_end(ap);
    if (s->name)
        return kvq_fail(c->err, KVQ_EFORMAT, "%s: %s '%.*s' at offset %zu: %s", c->path, s->kind,
                        (int)(s->len > 80 ? 80 : s->len), s->name, offset, detail);
    return kvq_fail(c->err, KVQ_EFORMAT, "%s: %s at offset %zu: %s", c->path, s->kind, offset,
                    detail);
}

static int need(cursor *c, uint64_t n, const subject *s, const char *what)
{
    if (n <= c->size - c->pos) return KVQ_OK;
    return fail_at(c, c->pos, s, "%s needs %llu bytes but the file (%zu bytes) ends first", what,
                   (unsigned long long)n, c->size);
}

static uint64_t take_le(cursor *c, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | c->bytes[c->pos + i];
    c->pos += n;
    return v;
}

static int read_u32(cursor *c, const subject *s, const char *what, uint32_t *out)
{
    int rc = need(c, 4, s, what);
    if (!rc) *out = (uint32_t)take_le(c, 4);
    return rc;
}

static int read_u64(cursor *c, const subject *s, const char *what, uint64_t *out)
{
    int rc = need(c, 8, s, what);
    if (!rc) *out = take_le(c, 8);
    return rc;
}

/* A string: u64 length, then the bytes (not NUL-terminated in the file). */
static int read_string(cursor *c, const subject *s, const char *what, const char **text,
                       size_t *len)
{
    uint64_t n;
    int rc = read_u64(c, s, what, &n);
    if (!rc) rc = need(c, n, s, what);
    if (rc) return rc;
    *text = (const char *)c->bytes + c->pos;
    *len = (size_t)n;
    c->pos += (size_t)n;
    return KVQ_OK;
}

/* A name (key or tensor): non-empty, at most max bytes, no NUL. */
static int read_name(cursor *c, const char *kind, size_t max, subject *s)
{
    size_t at = c->pos;
    subject outer = {kind, NULL, 0};
    char what[32];
    snprintf(what, sizeof what, "a %s name", kind);
    int rc = read_string(c, &outer, what, &s->name, &s->len);
    if (rc) return rc;
    s->kind = kind;
    if (s->len == 0) return fail_at(c, at, &outer, "empty %s name", kind);
    if (s->len > max || memchr(s->name, '\0', s->len))
        return fail_at(c, at, s, "name longer than %zu bytes or holding a NUL byte", max);
    return KVQ_OK;
}

/* A value of type type (arrays nest up to KVQ_GGUF_MAX_NESTING deep); skipped, only checked. */
static int skip_value(cursor *c, const subject *s, uint32_t type, int depth)
{
    if (type >= T_COUNT) return fail_at(c, c->pos, s, "unknown value type %u", type);
    if (scalar_size[type]) {
        int rc = need(c, scalar_size[type], s, "the value");
        if (rc) return rc;
        if (type == T_BOOL && c->bytes[c->pos] > 1)
            return fail_at(c, c->pos, s, "bool value %u is neither 0 nor 1", c->bytes[c->pos]);
        c->pos += scalar_size[type];
        return KVQ_OK;
    }
    if (type == T_STRING) {
        const char *text;
        size_t len;
        return read_string(c, s, "a string value", &text, &len);
    }
    if (depth >= KVQ_GGUF_MAX_NESTING)
        return fail_at(c, c->pos, s, "arrays nested deeper than %d", KVQ_GGUF_MAX_NESTING);
    uint32_t etype;
    uint64_t n;
    int rc = read_u32(c, s, "an array's element type", &etype);
    if (!rc) rc = read_u64(c, s, "an array's length", &n);
    if (rc) return rc;
    if (etype >= T_COUNT)
        return fail_at(c, c->pos - 12, s, "array of unknown element type %u", etype);
    /* every element takes at least 1 byte (a scalar), 8 (a string) or 12 (an array) */
    uint64_t least = scalar_size[etype] ? scalar_size[etype] : etype == T_STRING ? 8 : 12;
    if (n > (c->size - c->pos) / least)
        return fail_at(c, c->pos - 8, s, "array of %llu elements does not fit in the file",
                       (unsigned long long)n);
    if (scalar_size[etype] && etype != T_BOOL) {
        c->pos += (size_t)(n * least);
        return KVQ_OK;
    }
    for (uint64_t i = 0; i < n && !rc; i++) rc = skip_value(c, s, etype, depth + 1);
    return rc;
}

/* ---- metadata ---- */

typedef struct key_ref {
    const char *name;
    size_t len;
    size_t offset;
} key_ref;

static int by_key(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int d = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
    return d ? d : (x->len > y->len) - (x->len < y->len);
}

static int key_is(const key_ref *k, const char *prefix, const char *suffix)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    return k->len == p + s && memcmp(k->name, prefix, p) == 0 &&
           memcmp(k->name + p, suffix, s) == 0;
}

/* An integer value of any integer type at the cursor (already validated); 0 when not one. */
static int integer_value(const cursor *c, size_t value_at, uint32_t type, long long *out)
{
    cursor v = *c;
    v.pos = value_at;
    switch (type) {
    case T_U8:
    case T_U16:
    case T_U32:
        *out = (long long)take_le(&v, scalar_size[type]);
        return 1;
    case T_I8:
        *out = (int8_t)take_le(&v, 1);
        return 1;
    case T_I16:
        *out = (int16_t)take_le(&v, 2);
        return 1;
    case T_I32:
        *out = (int32_t)take_le(&v, 4);
        return 1;
    case T_U64:
    case T_I64: {
        uint64_t u = take_le(&v, 8);
        if (u > (uint64_t)INT64_MAX) return 0;
        *out = (long long)u;
        return 1;
    }
    default:
        return 0;
    }
}

/* general.alignment and general.architecture, read as the key/values pass. */
static int general_key(kvq_gguf *g, cursor *c, const key_ref *k, const subject *s, uint32_t type,
                       size_t value_at)
{
    if (key_is(k, "general.alignment", "")) {
        if (type != T_U32)
            return fail_at(c, value_at, s, "the alignment must be a u32 (type %u given)", type);
        cursor v = *c;
        v.pos = value_at;
        uint64_t a = take_le(&v, 4);
        if (a == 0 || (a & (a - 1)))
            return fail_at(c, value_at, s, "alignment %llu is not a power of two",
                           (unsigned long long)a);
        g->alignment = a;
    } else if (key_is(k, "general.architecture", "")) {
        if (type != T_STRING)
            return fail_at(c, value_at, s, "the architecture must be a string (type %u given)",
                           type);
        cursor v = *c;
        v.pos = value_at;
        size_t len = (size_t)take_le(&v, 8);
        if (len >= sizeof g->info.architecture) len = sizeof g->info.architecture - 1;
        memcpy(g->info.architecture, c->bytes + value_at + 8, len);
        g->info.architecture[strnlen(g->info.architecture, len)] = '\0';
    }
    return KVQ_OK;
}

/* <arch>.block_count and the other numbers of kvq_gguf_info, once the architecture is known. */
static void arch_number(kvq_gguf *g, const cursor *c, const key_ref *k, uint32_t type,
                        size_t value_at)
{
    static const struct {
        const char *suffix;
        size_t field;
    } numbers[] = {
        {".block_count", offsetof(kvq_gguf_info, block_count)},
        {".attention.head_count", offsetof(kvq_gguf_info, head_count)},
        {".attention.head_count_kv", offsetof(kvq_gguf_info, head_count_kv)},
        {".context_length", offsetof(kvq_gguf_info, context_length)},
        {".embedding_length", offsetof(kvq_gguf_info, embedding_length)},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        long long v;
        if (key_is(k, g->info.architecture, numbers[i].suffix) &&
            integer_value(c, value_at, type, &v))
            memcpy((char *)&g->info + numbers[i].field, &v, sizeof v);
    }
}

/* Walks the nkv key/values: each checked, duplicates refused, general.* picked up. */
static int parse_metadata(kvq_gguf *g, cursor *c)
{
    key_ref *keys = calloc(g->nmetadata ? (size_t)g->nmetadata : 1, sizeof *keys);
    uint32_t *types = calloc(g->nmetadata ? (size_t)g->nmetadata : 1, sizeof *types);
    size_t *values = calloc(g->nmetadata ? (size_t)g->nmetadata : 1, sizeof *values);
    int rc = keys && types && values ? KVQ_OK
                                     : kvq_fail(c->err, KVQ_ENOMEM, "%s: out of memory", c->path);
    for (uint64_t i = 0; i < g->nmetadata && !rc; i++) {
        subject s;
        key_ref *k = &keys[i];
        k->offset = c->pos;
        rc = read_name(c, "key", SIZE_MAX, &s);
        if (!rc) rc = read_u32(c, &s, "the value type", &types[i]);
        if (rc) break;
        k->name = s.name;
        k->len = s.len;
        values[i] = c->pos;
        rc = skip_value(c, &s, types[i], 0);
        if (!rc) rc = general_key(g, c, k, &s, types[i], values[i]);
    }
    if (!rc && g->info.architecture[0])
        for (uint64_t i = 0; i < g->nmetadata; i++)
            arch_number(g, c, &keys[i], types[i], values[i]);
    if (!rc) {
        qsort(keys, (size_t)g->nmetadata, sizeof *keys, by_key);
        for (uint64_t i = 1; i < g->nmetadata && !rc; i++)
            if (by_key(&keys[i - 1], &keys[i]) == 0) {
                subject s = {"key", keys[i].name, keys[i].len};
                size_t at =
                    keys[i].offset > keys[i - 1].offset ? keys[i].offset : keys[i - 1].offset;
                rc = fail_at(c, at, &s, "the key appears twice");
            }
    }
    free(keys);
    free(types);
    free(values);
    return rc;
}

/* ---- tensor infos ---- */

/* Fills shape (outer-first), nbytes and dtype of t from n_dims, ne[] and the ggml type. */
static int tensor_geometry(cursor *c, kvq_tensor *t, const subject *s, size_t at)
{
    uint32_t ndims, type;
    uint64_t ne[KVQ_GGUF_MAX_DIMS];
    int rc = read_u32(c, s, "the dimension count", &ndims);
    if (rc) return rc;
    if (ndims > KVQ_GGUF_MAX_DIMS)
        return fail_at(c, c->pos - 4, s, "%u dimensions (GGUF allows at most %d)", ndims,
                       KVQ_GGUF_MAX_DIMS);
    uint64_t count = 1;
    for (uint32_t i = 0; i < ndims && !rc; i++) {
        if ((rc = read_u64(c, s, "a dimension", &ne[i]))) return rc;
        if (ne[i] > (uint64_t)INT64_MAX || (ne[i] && count > (uint64_t)INT64_MAX / ne[i]))
            return fail_at(c, c->pos - 8, s, "dimension %u (%llu) overflows the element count", i,
                           (unsigned long long)ne[i]);
        count *= ne[i];
    }
    if ((rc = read_u32(c, s, "the ggml type", &type))) return rc;
    if (kvq_gguf_dtype(type, &t->dtype))
        return fail_at(c, c->pos - 4, s,
                       "ggml type %u is not one kvqeval reads (F32, F16, BF16, F64, I8-I64, "
                       "Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K-Q6_K, IQ4_NL)",
                       type);
    size_t block = kvq_dtype_block(t->dtype), bb = kvq_dtype_size(t->dtype);
    if (ndims > 0 && ne[0] % block != 0)
        return fail_at(c, at, s, "row length ne[0] = %llu is not a multiple of the %s block (%zu)",
                       (unsigned long long)ne[0], kvq_dtype_name(t->dtype), block);
    if (ndims == 0 && block > 1)
        return fail_at(c, at, s, "a scalar cannot be of the block type %s",
                       kvq_dtype_name(t->dtype));
    if (count / block > UINT64_MAX / bb)
        return fail_at(c, at, s, "%llu elements of %s overflow the byte size",
                       (unsigned long long)count, kvq_dtype_name(t->dtype));
    t->nbytes = count / block * bb;
    t->ndim = ndims;
    for (uint32_t i = 0; i < ndims; i++) t->shape[i] = ne[ndims - 1 - i];
    return KVQ_OK;
}

static int parse_tensor_info(kvq_gguf *g, cursor *c, kvq_tensor *t)
{
    size_t at = c->pos;
    subject s;
    int rc = read_name(c, "tensor", KVQ_GGUF_NAME_MAX, &s);
    if (rc) return rc;
    char *name = malloc(s.len + 1);
    if (!name) return kvq_fail(c->err, KVQ_ENOMEM, "%s: out of memory", c->path);
    memcpy(name, s.name, s.len);
    name[s.len] = '\0';
    t->name = name;
    if ((rc = tensor_geometry(c, t, &s, at))) return rc;
    if ((rc = read_u64(c, &s, "the data offset", &t->offset))) return rc;
    if (t->offset % g->alignment)
        return fail_at(c, c->pos - 8, &s,
                       "data offset %llu is not a multiple of the alignment %llu",
                       (unsigned long long)t->offset, (unsigned long long)g->alignment);
    return KVQ_OK;
}

/* ---- layout ---- */

/* Rebases the offsets on the file, checks the bounds, overlaps and names; sorts by name. */
static int check_layout(kvq_gguf *g, const uint8_t *bytes, size_t size, kvq_error *err)
{
    kvq_tensor *t = g->tensors;
    size_t n = g->count;
    for (size_t i = 0; i < n; i++) {
        uint64_t room = g->data_start <= size ? size - g->data_start : 0;
        if (g->data_start > size || t[i].offset > room || t[i].nbytes > room - t[i].offset)
            return kvq_fail(err, KVQ_EFORMAT,
                            "%s: tensor '%s': %llu bytes at data offset %llu end past the file "
                            "(%zu bytes, data section at offset %llu; truncated file?)",
                            g->path, t[i].name, (unsigned long long)t[i].nbytes,
                            (unsigned long long)t[i].offset, size,
                            (unsigned long long)g->data_start);
        t[i].offset += g->data_start;
        t[i].data = bytes + t[i].offset;
    }
    return kvq_tensors_check_layout(t, n, g->path, "tensor infos", err);
}

static int parse_header(kvq_gguf *g, cursor *c)
{
    subject h = {"header", NULL, 0};
    uint64_t ntensors;
    if (c->size < 4 || memcmp(c->bytes, "GGUF", 4) != 0)
        return fail_at(c, 0, &h, "no \"GGUF\" magic");
    c->pos = 4;
    int rc = read_u32(c, &h, "the version", &g->version);
    if (rc) return rc;
    if (g->version != 2 && g->version != 3)
        return fail_at(c, 4, &h, "version %u (kvqeval reads GGUF 2 and 3, little-endian)",
                       g->version);
    if ((rc = read_u64(c, &h, "the tensor count", &ntensors))) return rc;
    if ((rc = read_u64(c, &h, "the metadata count", &g->nmetadata))) return rc;
    /* a key/value takes at least 13 bytes (length, a 1-byte key, type); a tensor info 24 */
    if (g->nmetadata > (c->size - c->pos) / 13)
        return fail_at(c, 16, &h, "%llu metadata entries cannot fit in the file",
                       (unsigned long long)g->nmetadata);
    if (ntensors > (c->size - c->pos) / 24)
        return fail_at(c, 8, &h, "%llu tensors cannot fit in the file",
                       (unsigned long long)ntensors);
    g->alignment = KVQ_GGUF_DEFAULT_ALIGNMENT;
    if ((rc = parse_metadata(g, c))) return rc;
    g->tensors = calloc(ntensors ? (size_t)ntensors : 1, sizeof *g->tensors);
    if (!g->tensors) return kvq_fail(c->err, KVQ_ENOMEM, "%s: out of memory", g->path);
    for (uint64_t i = 0; i < ntensors && !rc; i++) {
        rc = parse_tensor_info(g, c, &g->tensors[g->count]);
        if (g->tensors[g->count].name) g->count++;
    }
    if (rc) return rc;
    g->data_start = ((uint64_t)c->pos + g->alignment - 1) / g->alignment * g->alignment;
    return check_layout(g, c->bytes, c->size, c->err);
}

int kvq_gguf_parse(kvq_gguf *g, const uint8_t *bytes, size_t size, const char *label,
                   kvq_error *err)
{
    memset(g, 0, sizeof *g);
    g->info.block_count = g->info.head_count = g->info.head_count_kv = -1;
    g->info.context_length = g->info.embedding_length = -1;
    g->path = strdup(label);
    if (!g->path) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", label);
    cursor c = {bytes, size, 0, g->path, err};
    int rc = parse_header(g, &c);
    if (rc) kvq_gguf_close(g);
    return rc;
}

int kvq_gguf_open(kvq_gguf *g, const char *path, kvq_error *err)
{
    kvq_mapping m;
    memset(g, 0, sizeof *g);
    int rc = kvq_map_file(&m, path, err);
    if (rc) return rc;
    rc = kvq_gguf_parse(g, m.data, m.size, path, err);
    if (rc) {
        kvq_unmap_file(&m);
        return rc;
    }
    g->map = m.data;
    g->map_size = m.size;
    return KVQ_OK;
}

void kvq_gguf_close(kvq_gguf *g)
{
    for (size_t i = 0; i < g->count; i++) free((char *)g->tensors[i].name);
    free(g->tensors);
    free(g->path);
    kvq_mapping m = {g->map, g->map_size};
    kvq_unmap_file(&m);
    memset(g, 0, sizeof *g);
}

const kvq_tensor *kvq_gguf_find(const kvq_gguf *g, const char *name)
{
    kvq_tensor key = {.name = name};
    return g->count ? bsearch(&key, g->tensors, g->count, sizeof key, kvq_tensor_by_name) : NULL;
}

void kvq_gguf_release(kvq_gguf *g, kvq_safetensors *st)
{
    memset(st, 0, sizeof *st);
    st->path = g->path;
    st->map = g->map;
    st->map_size = g->map_size;
    st->tensors = g->tensors;
    st->count = g->count;
    st->nmetadata = g->nmetadata > SIZE_MAX ? SIZE_MAX : (size_t)g->nmetadata;
    st->header_len = g->data_start;
    memset(g, 0, sizeof *g);
}
