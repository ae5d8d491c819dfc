/* .npy reader (include/kvq/npy.h). The header is a Python dict literal, which no library here
 * parses, so a small recursive-descent reader accepts exactly the subset numpy writes: the keys
 * 'descr' (a string), 'fortran_order' (True/False) and 'shape' (a tuple of integers), each once. */
#include "kvq/npy.h"
#include "populations.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

typedef struct cursor {
    const char *p, *end, *start; /* start: the header's first byte, for offsets */
    size_t base;                 /* file offset of start */
    const char *path;
} cursor;

static size_t offset_of(const cursor *c)
{
    return c->base + (size_t)(c->p - c->start);
}

static int fail_at(const cursor *c, kvq_error *err, const char *expected)
{
    return kvq_fail(err, KVQ_EFORMAT, "%s: header byte offset %zu: expected %s", c->path,
                    offset_of(c), expected);
}

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
}

static int accept(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes into out[cap]. */
static int read_string(cursor *c, char *out, size_t cap, kvq_error *err)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return fail_at(c, err, "a string");
    char quote = *c->p++;
    size_t len = 0;
    while (c->p < c->end && *c->p != quote) {
        if (*c->p == '\\' || len + 1 >= cap) return fail_at(c, err, "a short string");
        out[len++] = *c->p++;
    }
    if (c->p >= c->end) return fail_at(c, err, "a closing quote");
    c->p++;
    out[len] = '\0';
    return KVQ_OK;
}

static int read_bool(cursor *c, int *out, kvq_error *err)
{
    skip_space(c);
    size_t left = (size_t)(c->end - c->p);
    if (left >= 4 && memcmp(c->p, "True", 4) == 0) {
        c->p += 4;
        *out = 1;
    } else if (left >= 5 && memcmp(c->p, "False", 5) == 0) {
        c->p += 5;
        *out = 0;
    } else {
        return fail_at(c, err, "True or False");
    }
    return KVQ_OK;
}

static int read_uint(cursor *c, uint64_t *out, kvq_error *err)
{
    skip_space(c);
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return fail_at(c, err, "an integer");
    uint64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        unsigned d = (unsigned)(*c->p - '0');
        if (v > (UINT64_MAX - d) / 10) return fail_at(c, err, "an integer below 2^64");
        v = v * 10 + d;
        c->p++;
    }
    if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 longs, written by old numpy */
    *out = v;
    return KVQ_OK;
}

/* "(" [int {"," int} [","]] ")" */
static int read_shape(cursor *c, kvq_tensor *t, kvq_error *err)
{
    if (!accept(c, '(')) return fail_at(c, err, "'(' opening the shape");
    t->ndim = 0;
    while (!accept(c, ')')) {
        if (t->ndim == KVQ_TENSOR_MAX_DIMS) return fail_at(c, err, "at most 8 dimensions");
        int rc = read_uint(c, &t->shape[t->ndim++], err);
        if (rc) return rc;
        if (!accept(c, ',')) {
            if (accept(c, ')')) break;
            return fail_at(c, err, "',' or ')' in the shape");
        }
    }
    return KVQ_OK;
}

static int set_dtype(const cursor *c, const char *descr, kvq_tensor *t, kvq_error *err)
{
    static const struct {
        const char *descr;
        kvq_dtype dtype;
    } known[] = {{"<f4", KVQ_DTYPE_F32},
                 {"<f2", KVQ_DTYPE_F16},
                 {"<f8", KVQ_DTYPE_F64},
                 {"<i4", KVQ_DTYPE_I32},
                 {"<i8", KVQ_DTYPE_I64}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(descr, known[i].descr) == 0) {
            t->dtype = known[i].dtype;
            return KVQ_OK;
        }
    }
    return kvq_fail(err, KVQ_EUNSUPPORTED,
                    "%s: dtype '%s' is not supported (kvqeval reads '<f4', '<f2', '<f8', '<i4' and "
                    "'<i8')",
                    c->path, descr);
}

/* One "key: value" of the dict; seen[] marks the keys read so far. */
static int read_item(cursor *c, kvq_tensor *t, int *fortran, int seen[3], kvq_error *err)
{
    char key[32], descr[64];
    int rc = read_string(c, key, sizeof key, err);
    if (rc) return rc;
    if (!accept(c, ':')) return fail_at(c, err, "':' after a key");
    static const char *const keys[3] = {"descr", "fortran_order", "shape"};
    int k = 0;
    while (k < 3 && strcmp(key, keys[k]) != 0) k++;
    if (k == 3 || seen[k])
        return kvq_fail(err, KVQ_EFORMAT, "%s: header key '%s' is unknown or given twice", c->path,
                        key);
    seen[k] = 1;
    if (k == 0) {
        rc = read_string(c, descr, sizeof descr, err);
        return rc ? rc : set_dtype(c, descr, t, err);
    }
    return k == 1 ? read_bool(c, fortran, err) : read_shape(c, t, err);
}

static int read_dict(cursor *c, kvq_tensor *t, kvq_error *err)
{
    int seen[3] = {0, 0, 0}, fortran = 0;
    if (!accept(c, '{')) return fail_at(c, err, "'{' opening the header dict");
    while (!accept(c, '}')) {
        int rc = read_item(c, t, &fortran, seen, err);
        if (rc) return rc;
        if (!accept(c, ',')) {
            if (accept(c, '}')) break;
            return fail_at(c, err, "',' or '}' in the header dict");
        }
    }
    skip_space(c);
    if (c->p != c->end) return fail_at(c, err, "only padding after the header dict");
    if (!seen[0] || !seen[1] || !seen[2])
        return kvq_fail(err, KVQ_EFORMAT,
                        "%s: header lacks one of 'descr', 'fortran_order', 'shape'", c->path);
    if (fortran)
        return kvq_fail(err, KVQ_EUNSUPPORTED,
                        "%s: Fortran-order arrays are not supported (save with C order: "
                        "np.ascontiguousarray)",
                        c->path);
    return KVQ_OK;
}

/* Element count x itemsize must equal the bytes after the header. */
static int check_data(kvq_npy *npy, size_t data_start, size_t size, kvq_error *err)
{
    kvq_tensor *t = &npy->tensor;
    uint64_t count = 1, es = kvq_dtype_size(t->dtype);
    for (size_t i = 0; i < t->ndim; i++) {
        if (t->shape[i] && count > UINT64_MAX / es / t->shape[i])
            return kvq_fail(err, KVQ_EFORMAT, "%s: shape overflows 64 bits", npy->path);
        count *= t->shape[i];
    }
    t->nbytes = count * es;
    if (t->nbytes != size - data_start)
        return kvq_fail(
            err, KVQ_EFORMAT,
            "%s: shape and dtype need %llu data bytes from offset %zu, the file has %zu "
            "(truncated?)",
            npy->path, (unsigned long long)t->nbytes, data_start, size - data_start);
    t->offset = data_start;
    return KVQ_OK;
}

static int parse_preamble(kvq_npy *npy, const uint8_t *bytes, size_t size, kvq_error *err)
{
    if (size < 10 || memcmp(bytes, magic, sizeof magic) != 0)
        return kvq_fail(err, KVQ_EFORMAT, "%s: not a .npy file (no \\x93NUMPY magic at offset 0)",
                        npy->path);
    npy->major = bytes[6];
    npy->minor = bytes[7];
    if (npy->major < 1 || npy->major > 3)
        return kvq_fail(err, KVQ_EUNSUPPORTED, "%s: .npy format version %d.%d (kvqeval reads 1-3)",
                        npy->path, npy->major, npy->minor);
    size_t len_size = npy->major == 1 ? 2 : 4, start = 8 + len_size;
    if (size < start)
        return kvq_fail(err, KVQ_EFORMAT, "%s: truncated in the header length at offset 8",
                        npy->path);
    size_t hlen = 0;
    for (size_t i = len_size; i-- > 0;) hlen = (hlen << 8) | bytes[8 + i];
    if (hlen > KVQ_NPY_HEADER_MAX || hlen > size - start)
        return kvq_fail(err, KVQ_EFORMAT,
                        "%s: header length %zu at offset 8 exceeds the file (%zu bytes) or the "
                        "%u-byte cap",
                        npy->path, hlen, size, KVQ_NPY_HEADER_MAX);
    cursor c = {(const char *)bytes + start, (const char *)bytes + start + hlen,
                (const char *)bytes + start, start, npy->path};
    int rc = read_dict(&c, &npy->tensor, err);
    return rc ? rc : check_data(npy, start + hlen, size, err);
}

/* The file name without its folder and ".npy". */
static char *stem(const char *label)
{
    const char *base = strrchr(label, '/');
    base = base ? base + 1 : label;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".npy") == 0) len -= 4;
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, base, len);
        s[len] = '\0';
    }
    return s;
}

int kvq_npy_parse(kvq_npy *npy, const uint8_t *bytes, size_t size, const char *label,
                  kvq_error *err)
{
    memset(npy, 0, sizeof *npy);
    npy->path = strdup(label);
    npy->tensor.name = stem(label);
    if (!npy->path || !npy->tensor.name) {
        kvq_npy_close(npy);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", label);
    }
    int rc = parse_preamble(npy, bytes, size, err);
    if (rc) {
        kvq_npy_close(npy);
        return rc;
    }
    npy->tensor.data = bytes + npy->tensor.offset;
    return KVQ_OK;
}

int kvq_npy_open(kvq_npy *npy, const char *path, kvq_error *err)
{
    kvq_mapping m;
    memset(npy, 0, sizeof *npy);
    int rc = kvq_map_file(&m, path, err);
    if (rc) return rc;
    rc = kvq_npy_parse(npy, m.data, m.size, path, err);
    if (rc) {
        kvq_unmap_file(&m);
        return rc;
    }
    npy->map = m.data;
    npy->map_size = m.size;
    return KVQ_OK;
}

void kvq_npy_close(kvq_npy *npy)
{
    free(npy->path);
    free((char *)npy->tensor.name);
    kvq_mapping m = {npy->map, npy->map_size};
    kvq_unmap_file(&m);
    memset(npy, 0, sizeof *npy);
}
