/* The wrappers every caller uses to reach a backend (include/kvq/backend.h, "a created codec"):
 * they resolve specs, check arguments, fill in optional slots and verify the backend's promises. */
#include "dotf.h"
#include "kvq/backend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const kvq_backend *kvq_backend_find(const char *name)
{
    for (const kvq_backend *const *b = kvq_backends; *b; b++)
        if (strcmp((*b)->name, name) == 0) return *b;
    return NULL;
}

static int unknown_codec(const char *name, kvq_error *err)
{
    char known[512] = "";
    size_t used = 0;
    for (const kvq_backend *const *b = kvq_backends; *b && used < sizeof known; b++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                 b == kvq_backends ? "" : ", ", (*b)->name);
    return kvq_fail(err, KVQ_EINVAL, "unknown codec '%s' (known: %s)", name, known);
}

int kvq_codec_resolve(const char *spec, kvq_params *full, const kvq_backend **backend,
                      kvq_error *err)
{
    int rc = kvq_params_parse(spec, full, err);
    if (rc) return rc;
    const kvq_backend *b = kvq_backend_find(full->name);
    if (!b) return unknown_codec(full->name, err);
    rc = kvq_params_apply_defaults(full, b->params, err);
    if (rc) return kvq_error_wrap(err, "codec spec '%s'", spec);
    *backend = b;
    return KVQ_OK;
}

/* The value of a number spelled text (the whole text), or 0 when it is not one. */
static int number_of(const char *text, double *x)
{
    char *end;
    *x = strtod(text, &end);
    return *text && !*end && isfinite(*x);
}

int kvq_codec_canonical(const char *spec, char *out, size_t size, kvq_error *err)
{
    kvq_params full;
    const kvq_backend *b;
    int rc = kvq_codec_resolve(spec, &full, &b, err);
    if (rc) return rc;
    size_t used = (size_t)snprintf(out, size, "%s", b->name);
    char sep = ':';
    for (const kvq_param_doc *d = b->params; d->key && used < size; d++) {
        const char *v = kvq_params_get(&full, d->key);
        double x, y;
        int nx = number_of(v, &x), ny = number_of(d->fallback, &y);
        if (strcmp(v, d->fallback) == 0 || (nx && ny && x == y)) continue;
        char text[KVQ_VALUE_MAX];
        if (nx && x == floor(x) && fabs(x) < 1e15)
            snprintf(text, sizeof text, "%.0f", x);
        else
            snprintf(text, sizeof text, "%s", v);
        used += (size_t)snprintf(out + used, size - used, "%c%s=%s", sep, d->key, text);
        sep = ',';
    }
    if (used >= size)
        return kvq_fail(err, KVQ_ERANGE, "codec spec '%s': canonical name longer than %zu", spec,
                        size - 1);
    return KVQ_OK;
}

int kvq_codec_open_backend(kvq_codec *codec, const kvq_backend *b, const kvq_params *p, size_t dim,
                           kvq_rng *rng, kvq_error *err)
{
    memset(codec, 0, sizeof *codec);
    kvq_params full = *p;
    snprintf(full.name, sizeof full.name, "%s", b->name);
    int rc = kvq_params_apply_defaults(&full, b->params, err);
    if (rc) return rc;
    if (dim == 0) return kvq_fail(err, KVQ_EINVAL, "codec '%s': row dimension 0", b->name);
    void *state = NULL;
    rc = b->create(&full, dim, rng, &state, err);
    if (rc) return rc;
    codec->backend = b;
    codec->params = full;
    codec->dim = dim;
    codec->state = state;
    codec->code_bytes = b->bytes_per_row(state);
    if (codec->code_bytes == 0) {
        kvq_codec_close(codec);
        return kvq_fail(err, KVQ_EINTERNAL, "codec '%s': bytes_per_row is 0", b->name);
    }
    return KVQ_OK;
}

int kvq_codec_open(kvq_codec *codec, const char *spec, size_t dim, kvq_rng *rng, kvq_error *err)
{
    memset(codec, 0, sizeof *codec);
    kvq_params full;
    const kvq_backend *b;
    int rc = kvq_codec_resolve(spec, &full, &b, err);
    if (rc) return rc;
    return kvq_codec_open_backend(codec, b, &full, dim, rng, err);
}

void kvq_codec_close(kvq_codec *codec)
{
    if (codec->backend && codec->state) codec->backend->destroy(codec->state);
    memset(codec, 0, sizeof *codec);
}

int kvq_codec_fit(kvq_codec *codec, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    if (codec->fitted)
        return kvq_fail(err, KVQ_EINTERNAL, "codec '%s': fitted twice", codec->backend->name);
    if (n == 0)
        return kvq_fail(err, KVQ_EINVAL, "codec '%s': no rows to fit", codec->backend->name);
    codec->fitted = 1;
    if (!codec->backend->fit) return KVQ_OK;
    return codec->backend->fit(codec->state, rows, n, rng, err);
}

/* 1 when any of the count floats is NaN or infinite: an all-ones exponent, tested on the bit
 * patterns without an early exit, a pass the compiler vectorises. */
static KVQ_VECTOR_CLONES int any_non_finite(const float *x, size_t count)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return (int)bad;
}

static int check_finite(const kvq_codec *codec, const float *rows, size_t n, kvq_error *err)
{
    if (!any_non_finite(rows, n * codec->dim)) return KVQ_OK;
    size_t i = 0;
    while (isfinite(rows[i])) i++;
    return kvq_fail(err, KVQ_EINVAL, "codec '%s': row %zu, column %zu is not finite",
                    codec->backend->name, i / codec->dim, i % codec->dim);
}

/* Encodes the first row twice into buffers pre-filled with two different patterns and followed by
 * a guard zone: a byte the backend did not write differs between the two, a byte it wrote past the
 * end spoils the guard. */
#define GUARD_BYTES 64
static int probe_code_size(const kvq_codec *codec, const float *row, kvq_error *err)
{
    size_t len = codec->code_bytes + GUARD_BYTES;
    uint8_t *a = malloc(len), *b = malloc(len);
    int rc = KVQ_OK;
    if (!a || !b) {
        rc = kvq_fail(err, KVQ_ENOMEM, "codec '%s': out of memory", codec->backend->name);
        goto out;
    }
    memset(a, 0xa5, len);
    memset(b, 0x5a, len);
    rc = codec->backend->encode(codec->state, row, 1, a, err);
    if (!rc) rc = codec->backend->encode(codec->state, row, 1, b, err);
    if (rc) goto out;
    for (size_t i = codec->code_bytes; i < len; i++) {
        if (a[i] != 0xa5 || b[i] != 0x5a) {
            rc = kvq_fail(err, KVQ_EINTERNAL,
                          "codec '%s': encode wrote past bytes_per_row = %zu (byte %zu)",
                          codec->backend->name, codec->code_bytes, i);
            goto out;
        }
    }
    if (memcmp(a, b, codec->code_bytes) != 0)
        rc = kvq_fail(err, KVQ_EINTERNAL,
                      "codec '%s': encode left bytes of a %zu-byte code unwritten or is not "
                      "deterministic",
                      codec->backend->name, codec->code_bytes);
out:
    free(a);
    free(b);
    return rc;
}

int kvq_codec_encode(const kvq_codec *codec, const float *rows, size_t n, uint8_t *codes,
                     kvq_error *err)
{
    if (n == 0) return KVQ_OK;
    int rc = check_finite(codec, rows, n, err);
    if (!rc) rc = probe_code_size(codec, rows, err);
    if (!rc) rc = codec->backend->encode(codec->state, rows, n, codes, err);
    return rc;
}

int kvq_codec_score(const kvq_codec *codec, const float *query, const uint8_t *codes, size_t n,
                    float *out, kvq_error *err)
{
    if (n == 0) return KVQ_OK;
    return codec->backend->score(codec->state, query, codes, n, out, err);
}

int kvq_codec_score_many(const kvq_codec *codec, const float *queries, size_t nq,
                         const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    if (n == 0 || nq == 0) return KVQ_OK;
    if (codec->backend->score_many)
        return codec->backend->score_many(codec->state, queries, nq, codes, n, out, err);
    int rc = KVQ_OK;
    for (size_t q = 0; q < nq && !rc; q++)
        rc = codec->backend->score(codec->state, queries + q * codec->dim, codes, n, out + q * n,
                                   err);
    return rc;
}

int kvq_codec_can_reconstruct(const kvq_codec *codec)
{
    return codec->backend->reconstruct != NULL;
}

int kvq_codec_reconstruct(const kvq_codec *codec, const uint8_t *codes, size_t n, float *rows,
                          kvq_error *err)
{
    if (!codec->backend->reconstruct)
        return kvq_fail(err, KVQ_EUNSUPPORTED,
                        "codec '%s' is signature-grade: it cannot decode rows",
                        codec->backend->name);
    if (n == 0) return KVQ_OK;
    return codec->backend->reconstruct(codec->state, codes, n, rows, err);
}

size_t kvq_codec_shared_bytes(const kvq_codec *codec)
{
    return codec->backend->shared_bytes ? codec->backend->shared_bytes(codec->state) : 0;
}

int kvq_codec_degenerate(const kvq_codec *codec, size_t n)
{
    return kvq_codec_shared_bytes(codec) >= n * codec->dim * 2;
}

int kvq_backend_each_variant(const kvq_backend *b, int (*fn)(const char *spec, void *ctx),
                             void *ctx)
{
    if (b->variants[0] == '\0') return fn(b->name, ctx);
    const char *p = b->variants;
    for (;;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char spec[KVQ_NAME_MAX + KVQ_PARAMS_MAX * (KVQ_KEY_MAX + KVQ_VALUE_MAX)];
        snprintf(spec, sizeof spec, "%s:%.*s", b->name, (int)len, p);
        int rc = fn(spec, ctx);
        if (rc || !end) return rc;
        p = end + 1;
    }
}
