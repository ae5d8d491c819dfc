/* Codebooks, nearest-centroid search and k-means training (backends/kmeans.h). */
#include "kmeans.h"
#include "dotf.h"
#include "kvq/metrics.h"
#include "util.h"

#include <assert.h>
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int kvq_codebook_alloc(kvq_codebook *cb, size_t k, size_t dim, const char *who, kvq_error *err)
{
    memset(cb, 0, sizeof *cb);
    cb->k = k;
    cb->dim = dim;
    cb->centroids = calloc(k * dim, sizeof *cb->centroids);
    cb->norms = calloc(k, sizeof *cb->norms);
    if (!cb->centroids || !cb->norms) {
        kvq_codebook_free(cb);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for %zu centroids of dimension %zu",
                        who, k, dim);
    }
    return KVQ_OK;
}

void kvq_codebook_free(kvq_codebook *cb)
{
    free(cb->centroids);
    free(cb->norms);
    memset(cb, 0, sizeof *cb);
}

void kvq_codebook_prepare(kvq_codebook *cb)
{
    cb->max_norm = 0.0f;
    for (size_t j = 0; j < cb->k; j++) {
        const float *c = cb->centroids + j * cb->dim;
        float norm = 0.0f;
        for (size_t t = 0; t < cb->dim; t++) norm += c[t] * c[t];
        cb->norms[j] = norm;
        cb->max_norm = fmaxf(cb->max_norm, sqrtf(norm));
    }
}

/* Inserts (d2, j) into best[0..*kept) (ascending, at most want entries); candidates arrive in
 * ascending j, so a strict comparison keeps the lowest index first among equal distances. */
static void keep_best(kvq_match *best, size_t *kept, size_t want, double d2, size_t j)
{
    if (*kept == want && !(d2 < best[want - 1].d2)) return;
    size_t i = *kept < want ? (*kept)++ : want - 1;
    for (; i > 0 && d2 < best[i - 1].d2; i--) best[i] = best[i - 1];
    best[i] = (kvq_match){j, d2};
}

/* The want-th smallest of the k values v, by a sorted window of want values. */
static float kth_smallest(const float *v, size_t k, size_t want, float *window)
{
    size_t kept = 0;
    for (size_t j = 0; j < k; j++) {
        if (kept == want && !(v[j] < window[want - 1])) continue;
        size_t i = kept < want ? kept++ : want - 1;
        for (; i > 0 && v[j] < window[i - 1]; i--) window[i] = window[i - 1];
        window[i] = v[j];
    }
    return window[want - 1];
}

#define MIN_LANES 32

/* The smallest of the k values v; MIN_LANES running minima (exact, so their order does not matter)
 * let the compiler vectorise the scan in independent chains. */
static inline float min_value(const float *v, size_t k)
{
    float lane[MIN_LANES];
    size_t full = k / MIN_LANES * MIN_LANES, j = 0;
    for (size_t u = 0; u < MIN_LANES; u++) lane[u] = v[0];
    for (; j < full; j += MIN_LANES)
        for (size_t u = 0; u < MIN_LANES; u++) lane[u] = v[j + u] < lane[u] ? v[j + u] : lane[u];
    for (size_t width = MIN_LANES / 2; width > 0; width /= 2)
        for (size_t u = 0; u < width; u++)
            lane[u] = lane[u + width] < lane[u] ? lane[u + width] : lane[u];
    float m = lane[0];
    for (; j < k; j++) m = v[j] < m ? v[j] : m;
    return m;
}

/* |x|^2 in MIN_LANES running sums (only the screen's error bound uses it, so their order is free
 * and the compiler vectorises them). */
static inline float norm2_lanes(const float *x, size_t dim)
{
    float lane[MIN_LANES] = {0};
    size_t full = dim / MIN_LANES * MIN_LANES, t = 0;
    for (; t < full; t += MIN_LANES)
        for (size_t u = 0; u < MIN_LANES; u++) lane[u] += x[t + u] * x[t + u];
    for (size_t width = MIN_LANES / 2; width > 0; width /= 2)
        for (size_t u = 0; u < width; u++) lane[u] += lane[u + width];
    float s = lane[0];
    for (; t < dim; t++) s += x[t] * x[t];
    return s;
}

/* Centroids whose screened values one vectorised test clears at once: candidates are few, so most
 * chunks hold none and are passed over without a branch per centroid. */
#define PICK_CHUNK 16

/* Candidates whose squared distances run side by side. */
#define DISTANCE_LANES 4

/* The candidates of a block's rows waiting for their distances: candidate p is centroid j[p] of
 * row row[p] (a row's candidates together, in ascending index), its distance d[p] once computed;
 * room for cap of them. */
typedef struct candidates {
    uint32_t *row, *j;
    double *d;
    size_t count, cap;
} candidates;

/* d[p] = kvq_squared_distance(x_row[p], c_j[p], dim) for the DISTANCE_LANES candidates p0.. of
 * cs, bit for bit: the sums run side by side, each in index order, so that their additions overlap
 * instead of each waiting for the one before. */
KVQ_VECTOR_CLONES static void candidate_distances(const kvq_codebook *cb, const float *x,
                                                  size_t ldx, candidates *cs, size_t p0)
{
    const float *x0 = x + cs->row[p0] * ldx, *x1 = x + cs->row[p0 + 1] * ldx,
                *x2 = x + cs->row[p0 + 2] * ldx, *x3 = x + cs->row[p0 + 3] * ldx;
    const float *c0 = cb->centroids + cs->j[p0] * cb->dim,
                *c1 = cb->centroids + cs->j[p0 + 1] * cb->dim,
                *c2 = cb->centroids + cs->j[p0 + 2] * cb->dim,
                *c3 = cb->centroids + cs->j[p0 + 3] * cb->dim;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (size_t t = 0; t < cb->dim; t++) {
        double e0 = (double)x0[t] - (double)c0[t], e1 = (double)x1[t] - (double)c1[t],
               e2 = (double)x2[t] - (double)c2[t], e3 = (double)x3[t] - (double)c3[t];
        s0 += e0 * e0, s1 += e1 * e1, s2 += e2 * e2, s3 += e3 * e3;
    }
    cs->d[p0] = s0, cs->d[p0 + 1] = s1, cs->d[p0 + 2] = s2, cs->d[p0 + 3] = s3;
}

/* Computes the distances of the waiting candidates (rows of x, ldx apart) and offers each row's to
 * its want best (out + row * want) in ascending index; then none waits. */
static void settle(const kvq_codebook *cb, const float *x, size_t ldx, size_t want, candidates *cs,
                   kvq_match *out)
{
    size_t count = cs->count;
    for (size_t p = count; p % DISTANCE_LANES; p++) /* the last lanes repeat the last candidate */
        cs->row[p] = cs->row[count - 1], cs->j[p] = cs->j[count - 1];
    for (size_t p = 0; p < count; p += DISTANCE_LANES) candidate_distances(cb, x, ldx, cs, p);
    for (size_t p = 0, kept = 0; p < count; p++) {
        if (p == 0 || cs->row[p] != cs->row[p - 1]) kept = 0;
        keep_best(out + cs->row[p] * want, &kept, want, cs->d[p], cs->j[p]);
    }
    cs->count = 0;
}

/* How many of the k values v are at most limit, and the sum of their indices (so the index of the
 * one when there is one), in eight lanes without a branch. */
static inline size_t count_at_most(const float *v, size_t k, float limit, size_t *index_sum)
{
    uint32_t count[MIN_LANES / 4] = {0}, sum[MIN_LANES / 4] = {0};
    size_t full = k / (MIN_LANES / 4) * (MIN_LANES / 4), j = 0, n = 0, total = 0;
    for (; j < full; j += MIN_LANES / 4)
        for (size_t u = 0; u < MIN_LANES / 4; u++) {
            uint32_t hit = v[j + u] <= limit ? UINT32_MAX : 0;
            count[u] -= hit, sum[u] += hit & (uint32_t)(j + u);
        }
    for (size_t u = 0; u < MIN_LANES / 4; u++) n += count[u], total += sum[u];
    for (; j < k; j++)
        if (v[j] <= limit) n++, total += j;
    *index_sum = total;
    return n;
}

/* Adds the candidates for the want nearest centroids of row i (x) from its screened values
 * s_j = |c_j|^2 - 2 <x, c_j> as float arithmetic computed them. s_j differs from the exact
 * |x - c_j|^2 - |x|^2 by at most e <= (dim + 2) u (|c|^2 + 2 |x| |c|) (u = 2^-24: the rounding of a
 * dim-term dot product, of the norm and of the subtraction), so every one of the want nearest lies
 * within 2e of the want-th smallest screened value; the margin is twice that. Most rows have one
 * candidate, which a count finds without a branch per centroid. */
KVQ_VECTOR_CLONES static void add_candidates(const kvq_codebook *cb, const float *x, size_t i,
                                             const float *screen, size_t want, float *window,
                                             candidates *cs)
{
    float threshold =
        want == 1 ? min_value(screen, cb->k) : kth_smallest(screen, cb->k, want, window);
    float xnorm = sqrtf(norm2_lanes(x, cb->dim)), c = cb->max_norm;
    float limit =
        threshold + 2.0f * (float)(cb->dim + 2) * FLT_EPSILON * (c * c + 2.0f * xnorm * c);
    size_t only;
    if (count_at_most(screen, cb->k, limit, &only) == 1) {
        cs->row[cs->count] = (uint32_t)i, cs->j[cs->count++] = (uint32_t)only;
        return;
    }
    for (size_t j0 = 0; j0 < cb->k; j0 += PICK_CHUNK) {
        size_t end = cb->k - j0 < PICK_CHUNK ? cb->k : j0 + PICK_CHUNK;
        int any = 0;
        for (size_t j = j0; j < end; j++) any |= screen[j] <= limit;
        for (size_t j = j0; any && j < end; j++)
            if (screen[j] <= limit)
                cs->row[cs->count] = (uint32_t)i, cs->j[cs->count++] = (uint32_t)j;
    }
}

#define SEARCH_BLOCK 256

/* How far apart a split puts its two centroids, relative to the furthest row. */
#define SPLIT_STEP 1e-3f

int kvq_codebook_search(const kvq_codebook *cb, const float *x, size_t n, size_t ldx, size_t want,
                        kvq_match *out, const char *who, kvq_error *err)
{
    size_t block = n < SEARCH_BLOCK ? n : SEARCH_BLOCK;
    /* room for a whole row's candidates after any others, and for the padding of the last lanes */
    candidates cs = {.cap = cb->k + 2 * block + DISTANCE_LANES};
    /* one allocation: the candidates' distances, the screen, the window, the candidates */
    size_t floats = block * cb->k + want;
    cs.d = malloc(cs.cap * sizeof *cs.d + floats * sizeof(float) + 2 * cs.cap * sizeof(uint32_t));
    if (!cs.d)
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory searching %zu centroids", who, cb->k);
    float *screen = (float *)(cs.d + cs.cap), *window = screen + block * cb->k;
    cs.row = (uint32_t *)(screen + floats), cs.j = cs.row + cs.cap;
    assert(cb->k <= UINT32_MAX);
    for (size_t i0 = 0; i0 < n; i0 += block) {
        size_t m = n - i0 < block ? n - i0 : block;
        for (size_t i = 0; i < m; i++)
            memcpy(screen + i * cb->k, cb->norms, cb->k * sizeof *screen);
        /* screen <- |c|^2 - 2 X C^T */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)cb->k, (int)cb->dim,
                    -2.0f, x + i0 * ldx, (int)ldx, cb->centroids, (int)cb->dim, 1.0f, screen,
                    (int)cb->k);
        for (size_t i = 0; i < m; i++) {
            if (cs.count + cb->k + DISTANCE_LANES > cs.cap)
                settle(cb, x + i0 * ldx, ldx, want, &cs, out + i0 * want);
            add_candidates(cb, x + (i0 + i) * ldx, i, screen + i * cb->k, want, window, &cs);
        }
        settle(cb, x + i0 * ldx, ldx, want, &cs, out + i0 * want);
    }
    free(cs.d);
    return KVQ_OK;
}

int kvq_codebook_residuals(const kvq_codebook *cb, const float *rows, size_t n, size_t *idx,
                           float *resid, const char *who, kvq_error *err)
{
    kvq_match *match = malloc(n * sizeof *match);
    if (!match) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for %zu rows", who, n);
    int rc = kvq_codebook_search(cb, rows, n, cb->dim, 1, match, who, err);
    for (size_t i = 0; i < n && !rc; i++) {
        const float *c = cb->centroids + match[i].j * cb->dim;
        for (size_t t = 0; resid && t < cb->dim; t++)
            resid[i * cb->dim + t] = rows[i * cb->dim + t] - c[t];
        if (idx) idx[i] = match[i].j;
    }
    free(match);
    return rc;
}

int kvq_codebook_check(const kvq_codebook *cb, size_t index, size_t i, const char *who,
                       kvq_error *err)
{
    if (index >= cb->k)
        return kvq_fail(err, KVQ_EINVAL,
                        "%s: code %zu holds centroid index %zu of a codebook of %zu: not a code "
                        "of this instance",
                        who, i, index, cb->k);
    return KVQ_OK;
}

void kvq_codebook_dots(const kvq_codebook *cb, const float *q, float *out)
{
    kvq_dot_rows(q, cb->centroids, cb->k, cb->dim, out);
}

size_t kvq_codebook_bytes(const kvq_codebook *cb)
{
    return cb->k * cb->dim * sizeof(float);
}

/* Moves centroid j (an empty or one-row cluster) next to centroid big and splits big's rows
 * between them: the two sit a hair either side of big's centroid along the direction of its row
 * furthest from it, so the next assignment cuts the cluster in two by the hyperplane between. */
static void split_cluster(kvq_codebook *cb, const float *rows, size_t n, const size_t *idx,
                          const float *dist2, size_t big, size_t j)
{
    size_t dim = cb->dim, far = n;
    for (size_t i = 0; i < n; i++)
        if (idx[i] == big && (far == n || dist2[i] > dist2[far])) far = i;
    float *cb_big = cb->centroids + big * dim, *cj = cb->centroids + j * dim;
    for (size_t t = 0; far < n && t < dim; t++) {
        float step = SPLIT_STEP * (rows[far * dim + t] - cb_big[t]);
        cj[t] = cb_big[t] + step;
        cb_big[t] -= step;
    }
}

/* One Lloyd update from the assignment idx: each centroid becomes the mean of its rows. A cluster
 * of at most one row is a centroid wasted on an outlier (k-means++ seeds outliers readily in high
 * dimension) or on nothing: it splits the cluster with the largest squared error instead, when
 * that cluster holds at least twice the average count (each cluster is split at most once per
 * update); an empty cluster with nothing to split takes the row furthest from its centroid. */
static void lloyd_update(kvq_codebook *cb, const float *rows, size_t n, const size_t *idx,
                         float *dist2, double *sums, size_t *counts, double *sse)
{
    size_t k = cb->k, dim = cb->dim;
    memset(sums, 0, k * dim * sizeof *sums);
    memset(counts, 0, k * sizeof *counts);
    memset(sse, 0, k * sizeof *sse);
    for (size_t i = 0; i < n; i++) {
        counts[idx[i]]++;
        sse[idx[i]] += dist2[i];
        for (size_t t = 0; t < dim; t++) sums[idx[i] * dim + t] += rows[i * dim + t];
    }
    for (size_t j = 0; j < k; j++)
        for (size_t t = 0; counts[j] && t < dim; t++)
            cb->centroids[j * dim + t] = (float)(sums[j * dim + t] / (double)counts[j]);
    for (size_t j = 0; j < k; j++) {
        if (counts[j] > 1) continue;
        size_t big = 0;
        for (size_t c = 1; c < k; c++)
            if (sse[c] > sse[big]) big = c;
        if (sse[big] > 0.0 && counts[big] * k >= 2 * n) {
            split_cluster(cb, rows, n, idx, dist2, big, j);
            sse[big] = sse[j] = 0.0;
        } else if (counts[j] == 0) {
            size_t far = 0;
            for (size_t i = 1; i < n; i++)
                if (dist2[i] > dist2[far]) far = i;
            memcpy(cb->centroids + j * dim, rows + far * dim, dim * sizeof(float));
            dist2[far] = -1.0f;
        }
    }
}

/* Up to iters Lloyd iterations from the current centroids; stops early once no row changes
 * cluster. */
static int lloyd(kvq_codebook *cb, const float *rows, size_t n, unsigned iters, const char *who,
                 kvq_error *err)
{
    size_t *idx = malloc(n * sizeof *idx);
    float *dist2 = malloc(n * sizeof *dist2);
    double *sums = malloc(cb->k * cb->dim * sizeof *sums);
    size_t *counts = malloc(cb->k * sizeof *counts);
    double *sse = malloc(cb->k * sizeof *sse);
    kvq_match *match = malloc(n * sizeof *match);
    int rc = KVQ_OK;
    if (!idx || !dist2 || !sums || !counts || !sse || !match) {
        rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for k-means on %zu rows", who, n);
        goto out;
    }
    for (unsigned it = 0; it < iters && !rc; it++) {
        kvq_codebook_prepare(cb);
        rc = kvq_codebook_search(cb, rows, n, cb->dim, 1, match, who, err);
        size_t changed = 0;
        for (size_t i = 0; i < n && !rc; i++) {
            changed += it == 0 || match[i].j != idx[i];
            idx[i] = match[i].j;
            dist2[i] = (float)match[i].d2;
        }
        if (rc || !changed) break;
        lloyd_update(cb, rows, n, idx, dist2, sums, counts, sse);
    }
    kvq_codebook_prepare(cb);
out:
    free(idx);
    free(dist2);
    free(sums);
    free(counts);
    free(sse);
    free(match);
    return rc;
}

static int check_enough_rows(const kvq_codebook *cb, size_t n, const char *who, kvq_error *err)
{
    if (n < cb->k)
        return kvq_fail(err, KVQ_EINVAL,
                        "%s: %zu centroids need at least as many training rows, got %zu", who,
                        cb->k, n);
    return KVQ_OK;
}

/* Copies a sample of m of the n rows, drawn without replacement (partial Fisher-Yates), kept in
 * their original order. */
static float *sample_rows(const float *rows, size_t n, size_t dim, size_t m, kvq_rng *rng)
{
    size_t *perm = malloc(n * sizeof *perm);
    unsigned char *keep = calloc(n, 1);
    float *out = malloc(m * dim * sizeof *out);
    if (!perm || !keep || !out) {
        free(out);
        out = NULL;
        goto done;
    }
    for (size_t i = 0; i < n; i++) perm[i] = i;
    for (size_t i = 0; i < m; i++) {
        size_t j = i + kvq_rng_bounded(rng, (uint32_t)(n - i));
        size_t tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
        keep[perm[i]] = 1;
    }
    for (size_t i = 0, o = 0; i < n; i++)
        if (keep[i]) memcpy(out + o++ * dim, rows + i * dim, dim * sizeof *out);
done:
    free(perm);
    free(keep);
    return out;
}

#define SEED_LANES 32 /* rows whose squared distances one pass computes side by side */

/* The rows in blocks of SEED_LANES (the seeding's layout): each block coordinate-major,
 * lanes[(b dim + t) SEED_LANES + r] = coordinate t of row b SEED_LANES + r, the last block padded
 * with rows of zeros, so that a block's distances to a centroid take a few vectors per
 * coordinate. */
typedef struct seed_rows {
    const float *rows; /* n x dim, row-major */
    float *lanes;      /* blocks x dim x SEED_LANES */
    float *d;          /* blocks x SEED_LANES: the distances to the last centroid added */
    size_t n, dim, blocks;
} seed_rows;

static int seed_rows_init(seed_rows *s, const float *rows, size_t n, size_t dim)
{
    size_t blocks = (n + SEED_LANES - 1) / SEED_LANES;
    *s = (seed_rows){.rows = rows, .n = n, .dim = dim, .blocks = blocks};
    s->lanes = calloc(blocks * dim * SEED_LANES, sizeof *s->lanes);
    s->d = malloc(blocks * SEED_LANES * sizeof *s->d);
    if (!s->lanes || !s->d) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < dim; t++)
            s->lanes[(i / SEED_LANES * dim + t) * SEED_LANES + i % SEED_LANES] = rows[i * dim + t];
    return KVQ_OK;
}

static void seed_rows_free(seed_rows *s)
{
    free(s->lanes);
    free(s->d);
}

/* The squared distances of every row to c into s->d, each lane's sum a float sum of squared
 * differences in index order, so the same bit for bit; a block's sums run side by side, so that
 * their additions overlap instead of each waiting for the one before. */
KVQ_VECTOR_CLONES static void seed_distances(const seed_rows *s, const float *c)
{
    for (size_t b = 0; b < s->blocks; b++) {
        const float *x = s->lanes + b * s->dim * SEED_LANES;
        float acc[SEED_LANES] = {0};
        for (size_t t = 0; t < s->dim; t++)
            for (size_t r = 0; r < SEED_LANES; r++) {
                float e = x[t * SEED_LANES + r] - c[t];
                acc[r] += e * e;
            }
        memcpy(s->d + b * SEED_LANES, acc, sizeof acc);
    }
}

/* Centroid j becomes row pick; mind[i] becomes row i's squared distance to the nearest of
 * centroids 0..j (the seeding step k-means++ and furthest-point sampling share). */
static void add_seed(kvq_codebook *cb, size_t j, const seed_rows *s, size_t pick, float *mind)
{
    float *c = cb->centroids + j * s->dim;
    memcpy(c, s->rows + pick * s->dim, s->dim * sizeof *c);
    seed_distances(s, c);
    for (size_t i = 0; i < s->n; i++)
        if (j == 0 || s->d[i] < mind[i]) mind[i] = s->d[i];
}

/* k-means++: the first centroid a uniform row, each next one a row drawn with probability
 * proportional to its squared distance to the nearest centroid so far. */
static int seed_plus_plus(kvq_codebook *cb, const float *rows, size_t n, kvq_rng *rng,
                          const char *who, kvq_error *err)
{
    float *mind = malloc(n * sizeof *mind);
    double *run = malloc(n * sizeof *run);
    seed_rows s;
    if (seed_rows_init(&s, rows, n, cb->dim) || !mind || !run) {
        free(mind), free(run), seed_rows_free(&s);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory seeding k-means", who);
    }
    size_t pick = kvq_rng_bounded(rng, (uint32_t)n);
    for (size_t j = 0; j < cb->k; j++) {
        add_seed(cb, j, &s, pick, mind);
        double total = 0.0;
        for (size_t i = 0; i < n; i++) run[i] = total += mind[i];
        double target = kvq_rng_uniform(rng) * total;
        /* the draw: the first row whose running sum passes the target (the sums never decrease),
         * or the last row; then back to the nearest row with a positive distance, 0 if none */
        size_t lo = 0, hi = n - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (run[mid] > target)
                hi = mid;
            else
                lo = mid + 1;
        }
        pick = lo;
        while (pick > 0 && !(mind[pick] > 0.0f)) pick--;
    }
    free(mind);
    free(run);
    seed_rows_free(&s);
    return KVQ_OK;
}

int kvq_kmeans_train(kvq_codebook *cb, const float *rows, size_t n, unsigned iters, kvq_rng *rng,
                     const char *who, kvq_error *err)
{
    int rc = check_enough_rows(cb, n, who, err);
    if (rc) return rc;
    size_t cap = KVQ_KMEANS_MAX_POINTS_PER_CENTROID * cb->k;
    float *sample = NULL;
    if (n > cap) {
        sample = sample_rows(rows, n, cb->dim, cap, rng);
        if (!sample) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory sampling rows", who);
        rows = sample;
        n = cap;
    }
    rc = seed_plus_plus(cb, rows, n, rng, who, err);
    if (!rc) rc = lloyd(cb, rows, n, iters, who, err);
    free(sample);
    return rc;
}

/* The index of the row furthest from the mean of the rows (ties: lowest index). */
static int furthest_from_mean(const float *rows, size_t n, size_t dim, size_t *out)
{
    double *mean = calloc(dim, sizeof *mean);
    if (!mean) return KVQ_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < dim; t++) mean[t] += rows[i * dim + t];
    for (size_t t = 0; t < dim; t++) mean[t] /= (double)n;
    double best = -1.0;
    for (size_t i = 0; i < n; i++) {
        double d = 0.0;
        for (size_t t = 0; t < dim; t++)
            d += (rows[i * dim + t] - mean[t]) * (rows[i * dim + t] - mean[t]);
        if (d > best) {
            best = d;
            *out = i;
        }
    }
    free(mean);
    return KVQ_OK;
}

int kvq_kmeans_fps(kvq_codebook *cb, const float *rows, size_t n, unsigned iters, const char *who,
                   kvq_error *err)
{
    int rc = check_enough_rows(cb, n, who, err);
    if (rc) return rc;
    size_t dim = cb->dim, pick = 0;
    float *mind = malloc(n * sizeof *mind);
    seed_rows s;
    if (seed_rows_init(&s, rows, n, dim) || !mind || furthest_from_mean(rows, n, dim, &pick)) {
        free(mind), seed_rows_free(&s);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for furthest-point sampling", who);
    }
    for (size_t j = 0; j < cb->k; j++) {
        add_seed(cb, j, &s, pick, mind);
        size_t next = 0;
        for (size_t i = 0; i < n; i++)
            if (mind[i] > mind[next]) next = i;
        pick = next;
    }
    free(mind);
    seed_rows_free(&s);
    return lloyd(cb, rows, n, iters, who, err);
}
