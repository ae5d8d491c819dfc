/* Codebooks, nearest-centroid search and k-means training (backends/kmeans.h). */
#include "kmeans.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int kvq_codebook_alloc(kvq_codebook *cb, size_t k, size_t dim, const char *who, kvq_error *err)
{
    memset(cb, 0, sizeof *cb);
    cb->k = k;
    cb->dim = dim;
    cb->kpad = (k + KVQ_CODEBOOK_LANES - 1) / KVQ_CODEBOOK_LANES * KVQ_CODEBOOK_LANES;
    cb->centroids = calloc(k * dim, sizeof *cb->centroids);
    cb->transposed = calloc(cb->kpad * dim, sizeof *cb->transposed);
    cb->norms = calloc(k, sizeof *cb->norms);
    if (!cb->centroids || !cb->transposed || !cb->norms) {
        kvq_codebook_free(cb);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for %zu centroids of dimension %zu",
                        who, k, dim);
    }
    return KVQ_OK;
}

void kvq_codebook_free(kvq_codebook *cb)
{
    free(cb->centroids);
    free(cb->transposed);
    free(cb->norms);
    memset(cb, 0, sizeof *cb);
}

void kvq_codebook_prepare(kvq_codebook *cb)
{
    for (size_t j = 0; j < cb->k; j++) {
        const float *c = cb->centroids + j * cb->dim;
        float norm = 0.0f;
        for (size_t t = 0; t < cb->dim; t++) {
            cb->transposed[t * cb->kpad + j] = c[t];
            norm += c[t] * c[t];
        }
        cb->norms[j] = norm;
    }
}

/* acc[j] += xt * row[j] over kpad entries, in chunks of a fixed width so that the compiler
 * vectorises it even at -O2. */
static void axpy_lanes(float *restrict acc, const float *restrict row, float xt, size_t kpad)
{
    for (size_t j = 0; j < kpad; j += KVQ_CODEBOOK_LANES)
        for (size_t u = 0; u < KVQ_CODEBOOK_LANES; u++) acc[j + u] += xt * row[j + u];
}

/* scratch[j] = <x, c_j> for every centroid: one axpy pass per coordinate, so each entry sums its
 * products in ascending coordinate order whatever the other rows of a batch. */
static void dots(const kvq_codebook *cb, const float *x, float *scratch)
{
    memset(scratch, 0, cb->kpad * sizeof *scratch);
    for (size_t t = 0; t < cb->dim; t++)
        axpy_lanes(scratch, cb->transposed + t * cb->kpad, x[t], cb->kpad);
}

size_t kvq_codebook_nearest(const kvq_codebook *cb, const float *x, float *scratch, float *dist2)
{
    dots(cb, x, scratch);
    size_t best = 0;
    float best_d = cb->norms[0] - 2.0f * scratch[0];
    for (size_t j = 1; j < cb->k; j++) {
        float d = cb->norms[j] - 2.0f * scratch[j];
        if (d < best_d) {
            best_d = d;
            best = j;
        }
    }
    if (dist2) {
        float xx = 0.0f;
        for (size_t t = 0; t < cb->dim; t++) xx += x[t] * x[t];
        *dist2 = fmaxf(0.0f, xx + best_d);
    }
    return best;
}

void kvq_codebook_dots(const kvq_codebook *cb, const float *q, float *out)
{
    for (size_t j = 0; j < cb->k; j++) out[j] = kvq_dot(q, cb->centroids + j * cb->dim, cb->dim);
}

size_t kvq_codebook_bytes(const kvq_codebook *cb)
{
    return cb->k * cb->dim * sizeof(float);
}

static float dist2_direct(const float *a, const float *b, size_t dim)
{
    float d = 0.0f;
    for (size_t t = 0; t < dim; t++) d += (a[t] - b[t]) * (a[t] - b[t]);
    return d;
}

/* One Lloyd update from the assignment idx: each centroid becomes the mean of its rows; an empty
 * cluster takes the row furthest from its centroid (dist2 of it set to -1 so that no second empty
 * cluster takes the same row). */
static void lloyd_update(kvq_codebook *cb, const float *rows, size_t n, const size_t *idx,
                         float *dist2, double *sums, size_t *counts)
{
    size_t k = cb->k, dim = cb->dim;
    memset(sums, 0, k * dim * sizeof *sums);
    memset(counts, 0, k * sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        counts[idx[i]]++;
        for (size_t t = 0; t < dim; t++) sums[idx[i] * dim + t] += rows[i * dim + t];
    }
    for (size_t j = 0; j < k; j++) {
        float *c = cb->centroids + j * dim;
        if (counts[j]) {
            for (size_t t = 0; t < dim; t++) c[t] = (float)(sums[j * dim + t] / (double)counts[j]);
            continue;
        }
        size_t far = 0;
        for (size_t i = 1; i < n; i++)
            if (dist2[i] > dist2[far]) far = i;
        memcpy(c, rows + far * dim, dim * sizeof *c);
        dist2[far] = -1.0f;
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
    float *scratch = malloc(KVQ_CODEBOOK_SCRATCH(cb) * sizeof *scratch);
    int rc = KVQ_OK;
    if (!idx || !dist2 || !sums || !counts || !scratch) {
        rc = kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for k-means on %zu rows", who, n);
        goto out;
    }
    for (unsigned it = 0; it < iters; it++) {
        kvq_codebook_prepare(cb);
        size_t changed = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = kvq_codebook_nearest(cb, rows + i * cb->dim, scratch, &dist2[i]);
            changed += it == 0 || j != idx[i];
            idx[i] = j;
        }
        if (!changed) break;
        lloyd_update(cb, rows, n, idx, dist2, sums, counts);
    }
    kvq_codebook_prepare(cb);
out:
    free(idx);
    free(dist2);
    free(sums);
    free(counts);
    free(scratch);
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

/* k-means++: the first centroid a uniform row, each next one a row drawn with probability
 * proportional to its squared distance to the nearest centroid so far. */
static int seed_plus_plus(kvq_codebook *cb, const float *rows, size_t n, kvq_rng *rng,
                          const char *who, kvq_error *err)
{
    size_t dim = cb->dim;
    float *mind = malloc(n * sizeof *mind);
    if (!mind) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory seeding k-means", who);
    size_t pick = kvq_rng_bounded(rng, (uint32_t)n);
    for (size_t j = 0; j < cb->k; j++) {
        float *c = cb->centroids + j * dim;
        memcpy(c, rows + pick * dim, dim * sizeof *c);
        double total = 0.0;
        for (size_t i = 0; i < n; i++) {
            float d = dist2_direct(rows + i * dim, c, dim);
            if (j == 0 || d < mind[i]) mind[i] = d;
            total += mind[i];
        }
        double target = kvq_rng_uniform(rng) * total, run = 0.0;
        pick = 0;
        for (size_t i = 0; i < n; i++) {
            run += mind[i];
            if (mind[i] > 0.0f) pick = i;
            if (run > target) break;
        }
    }
    free(mind);
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
    if (!mind || furthest_from_mean(rows, n, dim, &pick)) {
        free(mind);
        return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for furthest-point sampling", who);
    }
    for (size_t j = 0; j < cb->k; j++) {
        float *c = cb->centroids + j * dim;
        memcpy(c, rows + pick * dim, dim * sizeof *c);
        size_t next = 0;
        for (size_t i = 0; i < n; i++) {
            float d = dist2_direct(rows + i * dim, c, dim);
            if (j == 0 || d < mind[i]) mind[i] = d;
            if (mind[i] > mind[next]) next = i;
        }
        pick = next;
    }
    free(mind);
    return lloyd(cb, rows, n, iters, who, err);
}
