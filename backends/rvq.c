/* rvq: residual vector quantization (Juang and Gray 1982; beam-search encoding as in Babenko and
 * Lempitsky 2014 and FAISS's ResidualQuantizer). Level l has a codebook of k_l full-dimension
 * centroids (the k-ladder, e.g. k=256-256-16); a row is approximated by the sum of one centroid
 * per level. Training is level by level: the codebook of level l is k-means (k-means++ seeding,
 * backends/kmeans.h) on the residuals the training rows keep after encoding with levels < l.
 * Encoding is a beam search: `beam` partial codes survive each level (1 = greedy); the code with
 * the smallest final residual wins. A code is the level indices, ceil(log2 k_l) bits each (k_l <=
 * 256: u8 indices), bit-packed little-endian (backends/bitpack.h): ceil(sum_l log2 k_l / 8)
 * bytes. The codebooks (sum_l k_l * dim f32) are shared bytes. score sums one table entry
 * <q, c_lj> per level.
 * Known answers (its test checks them): on one-dimensional N(0,1) rows, k=4 is the 2-bit
 * Lloyd-Max quantizer (relative MSE 0.1175, Max 1960); on the values -10, -8, 8, 10, k=2-2 is
 * exact (level 1: +-9, level 2: +-1 on the residuals). */
#include "bitpack.h"
#include "kmeans.h"
#include "kvq/backend.h"
#include "util.h"
#include "widths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RVQ_MAX_LEVELS 32

static const kvq_param_doc rvq_params[] = {
    {"k", "256-256-256-256", "centroids per level, '-'-separated (2..256 each, at most 32 levels)"},
    {"beam", "1", "beam width of the encoder (1 = greedy)"},
    {"iters", "25", "k-means iterations per level"},
    {NULL, NULL, NULL},
};

typedef struct rvq_state {
    size_t dim, levels, beam;
    unsigned iters;
    int fitted;
    size_t k[RVQ_MAX_LEVELS];
    unsigned bits[RVQ_MAX_LEVELS];
    kvq_codebook books[RVQ_MAX_LEVELS];
} rvq_state;

/* One extension of a partial code in the beam search. */
typedef struct rvq_beam {
    double err; /* |residual|^2 after it */
    size_t from, j;
} rvq_beam;

/* Rows searched together: one float screen (sgemm) per level serves them all. */
#define RVQ_CHUNK 256

/* The scratch space of one search (per call, so that encode is thread-safe). */
typedef struct rvq_work {
    float *res;       /* 2 x RVQ_CHUNK x beam x dim: residuals of the live codes, then the next */
    uint8_t *idx;     /* 2 x RVQ_CHUNK x beam x levels: their indices, likewise */
    kvq_match *match; /* RVQ_CHUNK x beam x beam: the nearest centroids of each live residual */
    rvq_beam *cand;   /* beam: the best extensions of one row */
} rvq_work;

static void rvq_destroy(void *state)
{
    rvq_state *s = state;
    if (!s) return;
    for (size_t l = 0; l < s->levels; l++) kvq_codebook_free(&s->books[l]);
    free(s);
}

/* Bits that tell k >= 2 indices apart. */
static unsigned rvq_bits_for(size_t k)
{
    unsigned b = 1;
    while (((size_t)1 << b) < k) b++;
    return b;
}

/* Parses the k-ladder "256-256-16" into s->k and s->levels. */
static int rvq_parse_ladder(const kvq_params *p, rvq_state *s, kvq_error *err)
{
    const char *text = kvq_params_get(p, "k");
    const char *c = text;
    for (s->levels = 0; *c; s->levels++) {
        if (s->levels == RVQ_MAX_LEVELS)
            return kvq_fail(err, KVQ_ERANGE, "rvq: k=%s has more than %d levels", text,
                            RVQ_MAX_LEVELS);
        char *end;
        errno = 0;
        long k = strtol(c, &end, 10);
        if (errno || end == c || (*end && *end != '-') || k < 2 || (*end == '-' && !end[1]))
            return kvq_fail(err, KVQ_EINVAL,
                            "rvq: k=%s is not a '-'-separated list of integers >= 2", text);
        int rc = kvq_check_capped("rvq", "k", k, 256, "u8 index of a level", err);
        if (rc) return rc;
        s->k[s->levels] = (size_t)k;
        s->bits[s->levels] = rvq_bits_for((size_t)k);
        c = *end ? end + 1 : end;
    }
    return KVQ_OK;
}

static int rvq_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)rng;
    long beam, iters;
    int rc = kvq_params_int(p, "beam", 1, 64, &beam, err);
    if (!rc) rc = kvq_params_int(p, "iters", 0, 1000, &iters, err);
    if (rc) return rc;
    rvq_state *s = kvq_state_calloc("rvq", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    s->beam = (size_t)beam;
    s->iters = (unsigned)iters;
    rc = rvq_parse_ladder(p, s, err);
    for (size_t l = 0; l < s->levels && !rc; l++)
        rc = kvq_codebook_alloc(&s->books[l], s->k[l], dim, "rvq", err);
    if (rc) {
        rvq_destroy(s); /* codebooks not allocated are zeroed: freeing them is a no-op */
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

static void rvq_work_free(rvq_work *w)
{
    free(w->res);
    free(w->idx);
    free(w->match);
    free(w->cand);
}

static int rvq_work_alloc(const rvq_state *s, rvq_work *w, kvq_error *err)
{
    size_t live = RVQ_CHUNK * s->beam;
    w->res = malloc(2 * live * s->dim * sizeof *w->res);
    w->idx = malloc(2 * live * s->levels);
    w->match = malloc(live * s->beam * sizeof *w->match);
    w->cand = malloc(s->beam * sizeof *w->cand);
    if (!w->res || !w->idx || !w->match || !w->cand) {
        rvq_work_free(w);
        return kvq_fail(err, KVQ_ENOMEM, "rvq: out of memory for the beam search");
    }
    return KVQ_OK;
}

/* Offers the extension (err, from, j) to cand[0..*kept) (ascending err, at most cap): it
 * displaces only strictly worse ones, so among equal errors the first offered stays first. */
static void rvq_offer(rvq_beam *cand, size_t *kept, size_t cap, double err, size_t from, size_t j)
{
    if (*kept == cap && !(err < cand[cap - 1].err)) return;
    size_t i = *kept < cap ? (*kept)++ : cap - 1;
    for (; i > 0 && err < cand[i - 1].err; i--) cand[i] = cand[i - 1];
    cand[i] = (rvq_beam){err, from, j};
}

/* The live codes of rows cur_* (live per row) extended by one level: the best `next` of the
 * live x want extensions of each row go to next_* (next per row), from w->match. */
static void rvq_advance(const rvq_state *s, size_t l, size_t m, size_t live, size_t want,
                        size_t next, const float *cur_res, const uint8_t *cur_idx, float *next_res,
                        uint8_t *next_idx, rvq_work *w)
{
    size_t dim = s->dim, stride = s->levels;
    const float *centroids = s->books[l].centroids;
    for (size_t r = 0; r < m; r++) {
        size_t kept = 0;
        for (size_t b = 0; b < live; b++)
            for (size_t q = 0; q < want; q++) {
                const kvq_match *mt = &w->match[(r * live + b) * want + q];
                rvq_offer(w->cand, &kept, next, mt->d2, r * live + b, mt->j);
            }
        for (size_t i = 0; i < kept; i++) {
            const rvq_beam *c = &w->cand[i];
            size_t to = r * next + i;
            const float *from = cur_res + c->from * dim, *cj = centroids + c->j * dim;
            for (size_t t = 0; t < dim; t++) next_res[to * dim + t] = from[t] - cj[t];
            memcpy(next_idx + to * stride, cur_idx + c->from * stride, l);
            next_idx[to * stride + l] = (uint8_t)c->j;
        }
    }
}

/* Beam search of the m <= RVQ_CHUNK rows x over the first `levels` levels: idx (m x s->levels)
 * gets each row's best code, resid (m x dim, may be NULL) its residual. */
static int rvq_search(const rvq_state *s, const float *x, size_t m, size_t levels, rvq_work *w,
                      uint8_t *idx, float *resid, kvq_error *err)
{
    size_t dim = s->dim, stride = s->levels, live = 1, half = RVQ_CHUNK * s->beam;
    float *cur_res = w->res, *next_res = w->res + half * dim;
    uint8_t *cur_idx = w->idx, *next_idx = w->idx + half * stride;
    memcpy(cur_res, x, m * dim * sizeof *x);
    for (size_t l = 0; l < levels; l++) {
        size_t want = s->beam < s->k[l] ? s->beam : s->k[l];
        size_t next = live * want < s->beam ? live * want : s->beam;
        int rc =
            kvq_codebook_search(&s->books[l], cur_res, m * live, dim, want, w->match, "rvq", err);
        if (rc) return rc;
        rvq_advance(s, l, m, live, want, next, cur_res, cur_idx, next_res, next_idx, w);
        float *tr = cur_res;
        cur_res = next_res;
        next_res = tr;
        uint8_t *ti = cur_idx;
        cur_idx = next_idx;
        next_idx = ti;
        live = next;
    }
    for (size_t r = 0; r < m; r++) {
        size_t best = r * live; /* the live codes of a row are sorted: the first is the best */
        memcpy(idx + r * stride, cur_idx + best * stride, levels);
        if (resid) memcpy(resid + r * dim, cur_res + best * dim, dim * sizeof *resid);
    }
    return KVQ_OK;
}

/* Trains level by level: level l's codebook is k-means on the residuals that the training rows
 * keep after a beam search over levels < l. */
static int rvq_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    rvq_state *s = state;
    rvq_work w;
    int rc = rvq_work_alloc(s, &w, err);
    if (rc) return rc;
    float *resid = malloc(n * s->dim * sizeof *resid);
    uint8_t *idx = malloc(RVQ_CHUNK * s->levels);
    if (!resid || !idx) rc = kvq_fail(err, KVQ_ENOMEM, "rvq: out of memory for %zu residuals", n);
    for (size_t l = 0; l < s->levels && !rc; l++) {
        for (size_t i = 0; i < n && !rc; i += RVQ_CHUNK) {
            size_t m = n - i < RVQ_CHUNK ? n - i : RVQ_CHUNK;
            rc = rvq_search(s, rows + i * s->dim, m, l, &w, idx, resid + i * s->dim, err);
        }
        if (!rc) rc = kvq_kmeans_train(&s->books[l], resid, n, s->iters, rng, "rvq", err);
    }
    free(resid);
    free(idx);
    rvq_work_free(&w);
    s->fitted = !rc;
    return rc;
}

static size_t rvq_bytes_per_row(const void *state)
{
    const rvq_state *s = state;
    size_t bits = 0;
    for (size_t l = 0; l < s->levels; l++) bits += s->bits[l];
    return kvq_packed_bytes(bits, 1);
}

/* Packs the level indices, each in its own width. */
static void rvq_pack(const rvq_state *s, const uint8_t *idx, uint8_t *code)
{
    size_t offset = 0;
    for (size_t l = 0; l < s->levels; l++) {
        kvq_pack_bits(idx + l, 1, s->bits[l], code, offset);
        offset += s->bits[l];
    }
}

/* The level indices of code i; KVQ_EINVAL when one is past its level's centroids (a code this
 * instance did not write). */
static int rvq_unpack(const rvq_state *s, const uint8_t *code, size_t i, uint8_t *idx,
                      kvq_error *err)
{
    size_t offset = 0;
    for (size_t l = 0; l < s->levels; l++) {
        kvq_unpack_bits(code, offset, s->bits[l], 1, idx + l);
        offset += s->bits[l];
        int rc = kvq_codebook_check(&s->books[l], idx[l], i, "rvq", err);
        if (rc) return rc;
    }
    return KVQ_OK;
}

static int rvq_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                      kvq_error *err)
{
    const rvq_state *s = state;
    if (!s->fitted) return kvq_fail(err, KVQ_EINVAL, "rvq: encode before fit");
    rvq_work w;
    int rc = rvq_work_alloc(s, &w, err);
    if (rc) return rc;
    size_t bytes = rvq_bytes_per_row(s);
    uint8_t idx[RVQ_CHUNK * RVQ_MAX_LEVELS];
    memset(codes, 0, n * bytes);
    for (size_t i = 0; i < n && !rc; i += RVQ_CHUNK) {
        size_t m = n - i < RVQ_CHUNK ? n - i : RVQ_CHUNK;
        rc = rvq_search(s, rows + i * s->dim, m, s->levels, &w, idx, NULL, err);
        for (size_t r = 0; r < m && !rc; r++)
            rvq_pack(s, idx + r * s->levels, codes + (i + r) * bytes);
    }
    rvq_work_free(&w);
    return rc;
}

static int rvq_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                     float *out, kvq_error *err)
{
    const rvq_state *s = state;
    size_t bytes = rvq_bytes_per_row(s), total = 0, offset[RVQ_MAX_LEVELS];
    for (size_t l = 0; l < s->levels; l++) {
        offset[l] = total;
        total += s->k[l];
    }
    float *table = malloc(total * sizeof *table);
    if (!table) return kvq_fail(err, KVQ_ENOMEM, "rvq: out of memory for the score table");
    for (size_t l = 0; l < s->levels; l++)
        kvq_codebook_dots(&s->books[l], query, table + offset[l]);
    uint8_t idx[RVQ_MAX_LEVELS];
    int rc = KVQ_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = rvq_unpack(s, codes + i * bytes, i, idx, err);
        float acc = 0.0f;
        for (size_t l = 0; l < s->levels && !rc; l++) acc += table[offset[l] + idx[l]];
        out[i] = acc;
    }
    free(table);
    return rc;
}

static int rvq_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                           kvq_error *err)
{
    const rvq_state *s = state;
    size_t bytes = rvq_bytes_per_row(s);
    uint8_t idx[RVQ_MAX_LEVELS];
    for (size_t i = 0; i < n; i++) {
        float *x = rows + i * s->dim;
        int rc = rvq_unpack(s, codes + i * bytes, i, idx, err);
        if (rc) return rc;
        memset(x, 0, s->dim * sizeof *x);
        for (size_t l = 0; l < s->levels; l++) {
            const float *c = s->books[l].centroids + idx[l] * s->dim;
            for (size_t t = 0; t < s->dim; t++) x[t] += c[t];
        }
    }
    return KVQ_OK;
}

static size_t rvq_shared_bytes(const void *state)
{
    const rvq_state *s = state;
    size_t total = 0;
    for (size_t l = 0; l < s->levels; l++) total += kvq_codebook_bytes(&s->books[l]);
    return total;
}

const kvq_backend kvq_backend_rvq = {
    .name = "rvq",
    .summary = "residual VQ: a k-ladder of k-means codebooks on residuals, beam-search encoder",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = rvq_params,
    .variants = "k=256;k=256-256;k=256-256-256-256;k=256-256-256-256-256-256-256-256",
    .tolerance = 0.45,
    .create = rvq_create,
    .fit = rvq_fit,
    .encode = rvq_encode,
    .score = rvq_score,
    .reconstruct = rvq_reconstruct,
    .bytes_per_row = rvq_bytes_per_row,
    .shared_bytes = rvq_shared_bytes,
    .destroy = rvq_destroy,
};
