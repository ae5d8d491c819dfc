/* pq: product quantization (Jegou, Douze and Schmid, "Product quantization for nearest neighbor
 * search", IEEE TPAMI 2011). A row is cut into m subvectors (when m does not divide dim, the first
 * dim % m subvectors are one coordinate longer); each subspace has its own codebook of 2^nbits
 * centroids, trained by k-means with k-means++ seeding (backends/kmeans.h) on the fitted rows. A
 * code is the m centroid indices, nbits each (at most 8: a u8 index), bit-packed little-endian
 * (backends/bitpack.h): ceil(m * nbits / 8) bytes, m * nbits / dim bits per coordinate; the
 * codebooks (2^nbits * dim f32) are shared bytes. score builds the asymmetric distance table <q_s,
 * c_sj> once per call and sums m table entries per code. Known answer (its test checks it): with m
 * = dim and nbits = 2, each subspace is one coordinate and k-means converges to the Lloyd-Max
 * quantizer, so on N(0,1) rows the relative MSE is Max's (1960) 0.1175. */
#include "bitpack.h"
#include "kmeans.h"
#include "kvq/backend.h"
#include "util.h"
#include "widths.h"

#include <stdlib.h>
#include <string.h>

static const kvq_param_doc pq_params[] = {
    {"m", "16", "subspaces (at most dim); dim need not be a multiple of m"},
    {"nbits", "8", "bits per subspace index: 2^nbits centroids per subspace (1..8)"},
    {"iters", "25", "k-means iterations"},
    {NULL, NULL, NULL},
};

typedef struct pq_state {
    size_t dim, m, k;
    unsigned nbits, iters;
    int fitted;
    kvq_codebook *books; /* m codebooks, subspace s of dimension pq_len(s) */
} pq_state;

static size_t pq_offset(const pq_state *s, size_t sub)
{
    size_t base = s->dim / s->m, extra = s->dim % s->m;
    return sub * base + (sub < extra ? sub : extra);
}

static size_t pq_len(const pq_state *s, size_t sub)
{
    return s->dim / s->m + (sub < s->dim % s->m);
}

static void pq_destroy(void *state)
{
    pq_state *s = state;
    if (!s) return;
    for (size_t i = 0; s->books && i < s->m; i++) kvq_codebook_free(&s->books[i]);
    free(s->books);
    free(s);
}

static int pq_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)rng;
    long m, nbits, iters;
    int rc = kvq_params_int(p, "m", 1, 65536, &m, err);
    if (!rc) rc = kvq_param_capped(p, "nbits", 1, 8, "u8 subspace index", &nbits, err);
    if (!rc) rc = kvq_params_int(p, "iters", 0, 1000, &iters, err);
    if (rc) return rc;
    if ((size_t)m > dim)
        return kvq_fail(err, KVQ_EINVAL, "pq: m=%ld subspaces exceed the row dimension %zu", m,
                        dim);
    pq_state *s = kvq_state_calloc("pq", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->m = (size_t)m;
    s->nbits = (unsigned)nbits;
    s->k = (size_t)1 << nbits;
    s->iters = (unsigned)iters;
    s->books = kvq_state_calloc("pq", s->m * sizeof *s->books, err);
    for (size_t i = 0; s->books && i < s->m && !rc; i++)
        rc = kvq_codebook_alloc(&s->books[i], s->k, pq_len(s, i), "pq", err);
    if (!s->books || rc) {
        pq_destroy(s);
        return rc ? rc : KVQ_ENOMEM;
    }
    *state = s;
    return KVQ_OK;
}

static int pq_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    pq_state *s = state;
    float *sub = malloc(n * pq_len(s, 0) * sizeof *sub);
    if (!sub) return kvq_fail(err, KVQ_ENOMEM, "pq: out of memory for %zu training rows", n);
    int rc = KVQ_OK;
    for (size_t i = 0; i < s->m && !rc; i++) {
        size_t off = pq_offset(s, i), len = pq_len(s, i);
        for (size_t r = 0; r < n; r++)
            memcpy(sub + r * len, rows + r * s->dim + off, len * sizeof *sub);
        rc = kvq_kmeans_train(&s->books[i], sub, n, s->iters, rng, "pq", err);
    }
    free(sub);
    s->fitted = !rc;
    return rc;
}

static size_t pq_bytes_per_row(const void *state)
{
    const pq_state *s = state;
    return kvq_packed_bytes(s->m, s->nbits);
}

/* Rows encoded together: one float screen (sgemm) per subspace serves them all. */
#define PQ_CHUNK 256

static int pq_encode(const void *state, const float *rows, size_t n, uint8_t *codes, kvq_error *err)
{
    const pq_state *s = state;
    if (!s->fitted) return kvq_fail(err, KVQ_EINVAL, "pq: encode before fit");
    size_t bytes = pq_bytes_per_row(s);
    kvq_match *match = malloc(PQ_CHUNK * s->m * sizeof *match);
    uint8_t *index = malloc(s->m);
    int rc = KVQ_OK;
    if (!match || !index) rc = kvq_fail(err, KVQ_ENOMEM, "pq: out of memory encoding");
    memset(codes, 0, n * bytes);
    for (size_t r0 = 0; r0 < n && !rc; r0 += PQ_CHUNK) {
        size_t m = n - r0 < PQ_CHUNK ? n - r0 : PQ_CHUNK;
        for (size_t i = 0; i < s->m && !rc; i++)
            rc = kvq_codebook_search(&s->books[i], rows + r0 * s->dim + pq_offset(s, i), m, s->dim,
                                     1, match + i * PQ_CHUNK, "pq", err);
        for (size_t r = 0; r < m && !rc; r++) {
            for (size_t i = 0; i < s->m; i++) index[i] = (uint8_t)match[i * PQ_CHUNK + r].j;
            kvq_pack_bits(index, s->m, s->nbits, codes + (r0 + r) * bytes, 0);
        }
    }
    free(match);
    free(index);
    return rc;
}

static int pq_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                    float *out, kvq_error *err)
{
    const pq_state *s = state;
    size_t bytes = pq_bytes_per_row(s);
    float *table = malloc(s->m * s->k * sizeof *table);
    uint8_t *index = malloc(s->m);
    if (!table || !index) {
        free(table);
        free(index);
        return kvq_fail(err, KVQ_ENOMEM, "pq: out of memory for the distance table");
    }
    for (size_t i = 0; i < s->m; i++)
        kvq_codebook_dots(&s->books[i], query + pq_offset(s, i), table + i * s->k);
    for (size_t r = 0; r < n; r++) {
        kvq_unpack_bits(codes + r * bytes, 0, s->nbits, s->m, index);
        float acc = 0.0f;
        for (size_t i = 0; i < s->m; i++) acc += table[i * s->k + index[i]];
        out[r] = acc;
    }
    free(table);
    free(index);
    return KVQ_OK;
}

static int pq_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                          kvq_error *err)
{
    const pq_state *s = state;
    size_t bytes = pq_bytes_per_row(s);
    uint8_t *index = malloc(s->m);
    if (!index) return kvq_fail(err, KVQ_ENOMEM, "pq: out of memory decoding");
    for (size_t r = 0; r < n; r++) {
        kvq_unpack_bits(codes + r * bytes, 0, s->nbits, s->m, index);
        for (size_t i = 0; i < s->m; i++) {
            size_t len = pq_len(s, i);
            memcpy(rows + r * s->dim + pq_offset(s, i), s->books[i].centroids + index[i] * len,
                   len * sizeof *rows);
        }
    }
    free(index);
    return KVQ_OK;
}

static size_t pq_shared_bytes(const void *state)
{
    const pq_state *s = state;
    size_t total = 0;
    for (size_t i = 0; i < s->m; i++) total += kvq_codebook_bytes(&s->books[i]);
    return total;
}

const kvq_backend kvq_backend_pq = {
    .name = "pq",
    .summary = "product quantization: m subspaces x 2^nbits k-means centroids, ADC scores",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = pq_params,
    .variants = "m=16,nbits=4;m=16,nbits=8;m=32,nbits=8;m=64,nbits=8",
    .tolerance = 0.25,
    .create = pq_create,
    .fit = pq_fit,
    .encode = pq_encode,
    .score = pq_score,
    .reconstruct = pq_reconstruct,
    .bytes_per_row = pq_bytes_per_row,
    .shared_bytes = pq_shared_bytes,
    .destroy = pq_destroy,
};
