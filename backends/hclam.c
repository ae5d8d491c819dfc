/* hclam: a two-level tree codebook (the research's "HCLAM", a 256 x 256 hierarchy; hierarchical
 * k-means as in Nister and Stewenius 2006). Fit: k-means (k-means++ seeding, backends/kmeans.h)
 * puts the rows into `coarse` clusters; then each cluster's own rows get up to `fine` leaf
 * centroids by k-means (as many leaves as rows when a cluster has fewer rows than `fine`; a
 * cluster left without rows keeps one leaf, its coarse centroid). Encode walks the tree: the
 * nearest coarse centroid, then the nearest leaf under it. A row decodes to its leaf. Code
 * layout: u8 coarse index, u8 leaf index (2 bytes, 16 / dim bits per coordinate; coarse and fine
 * above 256 are refused). Shared bytes: the coarse centroids, every leaf (f32) and one u16 leaf
 * count per cluster. Fitted on the rows it then encodes, at most coarse * fine of them are kept
 * exactly: on 2048 rows at the defaults every row becomes its own leaf, the reconstruction is
 * exact, and the whole cost shows in shared_bytes (1.18 MB for 1 MB of f32 rows), which is why
 * every centroid is counted.
 * Known answer (its test checks it): rows drawn from 4 well-separated groups of 4 distinct points
 * each decode exactly with coarse=4,fine=4, every group under its own coarse index. */
#include "kmeans.h"
#include "kvq/backend.h"
#include "util.h"
#include "widths.h"

#include <stdlib.h>
#include <string.h>

static const kvq_param_doc hclam_params[] = {
    {"coarse", "256", "coarse clusters (u8 index: at most 256)"},
    {"fine", "256", "leaf centroids per cluster (u8 index: at most 256)"},
    {"iters", "25", "k-means iterations at each level"},
    {NULL, NULL, NULL},
};

typedef struct hclam_code {
    uint8_t coarse, fine;
} hclam_code;
_Static_assert(sizeof(hclam_code) == 2, "an hclam code is two bytes");

typedef struct hclam_state {
    size_t dim, coarse, fine;
    unsigned iters;
    int fitted;
    kvq_codebook top;
    kvq_codebook *leaves; /* coarse codebooks, each of 1..fine leaves */
} hclam_state;

static void hclam_destroy(void *state)
{
    hclam_state *s = state;
    if (!s) return;
    kvq_codebook_free(&s->top);
    for (size_t c = 0; s->leaves && c < s->coarse; c++) kvq_codebook_free(&s->leaves[c]);
    free(s->leaves);
    free(s);
}

static int hclam_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)rng;
    long coarse, fine, iters;
    int rc = kvq_param_capped(p, "coarse", 1, 256, "u8 coarse index", &coarse, err);
    if (!rc) rc = kvq_param_capped(p, "fine", 1, 256, "u8 leaf index", &fine, err);
    if (!rc) rc = kvq_params_int(p, "iters", 0, 1000, &iters, err);
    if (rc) return rc;
    hclam_state *s = kvq_state_calloc("hclam", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->coarse = (size_t)coarse;
    s->fine = (size_t)fine;
    s->iters = (unsigned)iters;
    s->leaves = kvq_state_calloc("hclam", s->coarse * sizeof *s->leaves, err);
    rc = s->leaves ? kvq_codebook_alloc(&s->top, s->coarse, dim, "hclam", err) : KVQ_ENOMEM;
    if (rc) {
        hclam_destroy(s);
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

/* Learns the leaves of cluster c from its m member rows. */
static int hclam_fit_cluster(hclam_state *s, size_t c, const float *members, size_t m, kvq_rng *rng,
                             kvq_error *err)
{
    size_t k = m == 0 ? 1 : m < s->fine ? m : s->fine;
    int rc = kvq_codebook_alloc(&s->leaves[c], k, s->dim, "hclam", err);
    if (rc) return rc;
    if (m > 0) return kvq_kmeans_train(&s->leaves[c], members, m, s->iters, rng, "hclam", err);
    memcpy(s->leaves[c].centroids, s->top.centroids + c * s->dim, s->dim * sizeof(float));
    kvq_codebook_prepare(&s->leaves[c]);
    return KVQ_OK;
}

static int hclam_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    hclam_state *s = state;
    int rc = kvq_kmeans_train(&s->top, rows, n, s->iters, rng, "hclam", err);
    if (rc) return rc;
    kvq_match *match = malloc(n * sizeof *match);
    float *members = malloc(n * s->dim * sizeof *members);
    if (!match || !members) rc = kvq_fail(err, KVQ_ENOMEM, "hclam: out of memory for %zu rows", n);
    if (!rc) rc = kvq_codebook_search(&s->top, rows, n, s->dim, 1, match, "hclam", err);
    for (size_t c = 0; c < s->coarse && !rc; c++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (match[i].j == c)
                memcpy(members + m++ * s->dim, rows + i * s->dim, s->dim * sizeof *members);
        rc = hclam_fit_cluster(s, c, members, m, rng, err);
    }
    free(match);
    free(members);
    s->fitted = !rc;
    return rc;
}

static size_t hclam_bytes_per_row(const void *state)
{
    (void)state;
    return sizeof(hclam_code);
}

static int hclam_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                        kvq_error *err)
{
    const hclam_state *s = state;
    if (!s->fitted) return kvq_fail(err, KVQ_EINVAL, "hclam: encode before fit");
    kvq_match *top = malloc(n * sizeof *top);
    if (!top) return kvq_fail(err, KVQ_ENOMEM, "hclam: out of memory encoding %zu rows", n);
    int rc = kvq_codebook_search(&s->top, rows, n, s->dim, 1, top, "hclam", err);
    for (size_t i = 0; i < n && !rc; i++) {
        kvq_match leaf;
        rc = kvq_codebook_search(&s->leaves[top[i].j], rows + i * s->dim, 1, s->dim, 1, &leaf,
                                 "hclam", err);
        hclam_code code = {(uint8_t)top[i].j, (uint8_t)leaf.j};
        memcpy(codes + i * sizeof code, &code, sizeof code);
    }
    free(top);
    return rc;
}

/* The leaf code i decodes to; KVQ_EINVAL when its fine index is past its cluster's leaves (a code
 * this instance did not write). */
static int hclam_leaf(const hclam_state *s, const uint8_t *codes, size_t i, const float **leaf,
                      kvq_error *err)
{
    hclam_code c;
    memcpy(&c, codes + i * sizeof c, sizeof c);
    int rc = kvq_codebook_check(&s->top, c.coarse, i, "hclam", err);
    if (!rc) rc = kvq_codebook_check(&s->leaves[c.coarse], c.fine, i, "hclam", err);
    if (rc) return rc;
    *leaf = s->leaves[c.coarse].centroids + c.fine * s->dim;
    return KVQ_OK;
}

/* Leaves gathered at once for every query: at most this many floats (16 KiB). */
#define HCLAM_BLOCK_FLOATS 4096

/* Each block of codes' leaves gathered once, then dotted with every query in double
 * (kvq_dot_rows_many: kvq_dot's sums). */
static int hclam_score_many(const void *state, const float *queries, size_t nq,
                            const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const hclam_state *s = state;
    size_t block = HCLAM_BLOCK_FLOATS / s->dim ? HCLAM_BLOCK_FLOATS / s->dim : 1;
    float *rows = kvq_state_calloc("hclam", (block < n ? block : n) * s->dim * sizeof *rows, err);
    double *tile =
        rows ? kvq_state_calloc("hclam", KVQ_DOT_ROWS * s->dim * sizeof *tile, err) : NULL;
    if (!tile) {
        free(rows);
        return KVQ_ENOMEM;
    }
    int rc = KVQ_OK;
    for (size_t i0 = 0; i0 < n && !rc; i0 += block) {
        size_t m = n - i0 < block ? n - i0 : block;
        for (size_t r = 0; r < m && !rc; r++) {
            const float *leaf;
            rc = hclam_leaf(s, codes, i0 + r, &leaf, err);
            if (!rc) memcpy(rows + r * s->dim, leaf, s->dim * sizeof *rows);
        }
        if (!rc) kvq_dot_rows_many(queries, nq, rows, m, s->dim, out + i0, n, tile);
    }
    free(rows);
    free(tile);
    return rc;
}

static int hclam_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                       float *out, kvq_error *err)
{
    return hclam_score_many(state, query, 1, codes, n, out, err);
}

static int hclam_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                             kvq_error *err)
{
    const hclam_state *s = state;
    for (size_t i = 0; i < n; i++) {
        const float *leaf;
        int rc = hclam_leaf(s, codes, i, &leaf, err);
        if (rc) return rc;
        memcpy(rows + i * s->dim, leaf, s->dim * sizeof *rows);
    }
    return KVQ_OK;
}

static size_t hclam_shared_bytes(const void *state)
{
    const hclam_state *s = state;
    size_t total = kvq_codebook_bytes(&s->top) + s->coarse * sizeof(uint16_t);
    for (size_t c = 0; c < s->coarse; c++) total += kvq_codebook_bytes(&s->leaves[c]);
    return total;
}

const kvq_backend kvq_backend_hclam = {
    .name = "hclam",
    .summary = "two-level tree codebook: coarse k-means, then up to 256 leaves per cluster (u8+u8)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = hclam_params,
    .variants = "coarse=16,fine=16;coarse=64,fine=64;coarse=256,fine=256",
    .tolerance = 1e-6,
    .create = hclam_create,
    .fit = hclam_fit,
    .encode = hclam_encode,
    .score = hclam_score,
    .score_many = hclam_score_many,
    .reconstruct = hclam_reconstruct,
    .bytes_per_row = hclam_bytes_per_row,
    .shared_bytes = hclam_shared_bytes,
    .destroy = hclam_destroy,
};
