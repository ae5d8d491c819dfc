/* Codebooks of centroids and how the learned-codebook codecs (pq, rvq, hclam, palette, i8hybrid,
 * kakeya, besicovitch) search and train them: nearest-centroid search, k-means with k-means++
 * seeding (Arthur and Vassilvitskii 2007) or furthest-point seeding (Gonzalez 1985), then Lloyd
 * iterations. One implementation for all of them.
 *
 * Search. Squared distances are ranked as computed in double from the float vectors, in index
 * order; ties go to the lowest index. A float screen (CBLAS sgemm over blocks of rows: |x - c|^2 =
 * |x|^2 + |c|^2 - 2 <x, c>) finds the candidates first, and only candidates within a proven
 * bound of float rounding error of the best are computed in double, so the answer is the same
 * whatever the batch around a row, the BLAS, its threads or the machine: a row encodes the same
 * alone as in a batch.
 *
 * Training. Seeding draws only from the kvq_rng passed in and sums run in row order in double, so
 * the same rows and seed give the same centroids. Lloyd's update re-uses a centroid left with at
 * most one row (in high dimension k-means++ readily seeds outliers, and a residual level seeded on
 * a row that earlier levels coded exactly collapses into one cluster around it) to split the
 * cluster with the largest squared error, when that one holds at least twice the average count;
 * FAISS splits only empty clusters, and trains residual levels on progressively more dimensions
 * instead. */
#ifndef KVQ_BACKENDS_KMEANS_H
#define KVQ_BACKENDS_KMEANS_H

#include "kvq/error.h"
#include "kvq/rng.h"
#include <stddef.h>

/* k centroids of dimension dim. */
typedef struct kvq_codebook {
    size_t k, dim;
    float *centroids; /* k x dim, row-major */
    float *norms;     /* k: |c_j|^2 (float), for the screen */
    float max_norm;   /* max_j |c_j|, for the screen's error bound */
} kvq_codebook;

/* One search result: centroid j at squared distance d2 (computed in double). */
typedef struct kvq_match {
    size_t j;
    double d2;
} kvq_match;

/* Allocates cb for k >= 1 centroids of dimension dim >= 1 (centroids zeroed). KVQ_ENOMEM naming
 * who on failure, with nothing left allocated. */
int kvq_codebook_alloc(kvq_codebook *cb, size_t k, size_t dim, const char *who, kvq_error *err);

/* Frees what kvq_codebook_alloc allocated; cb may be zeroed (then nothing happens). */
void kvq_codebook_free(kvq_codebook *cb);

/* Recomputes the norms after the centroids changed (before any search). */
void kvq_codebook_prepare(kvq_codebook *cb);

/* For each of the n vectors x_i = x + i * ldx (cb->dim floats each): the `want` (1 <= want <= k)
 * nearest centroids, ascending by (squared distance, index), into out[i * want + 0 .. want).
 * KVQ_ENOMEM naming who when scratch space cannot be allocated. */
int kvq_codebook_search(const kvq_codebook *cb, const float *x, size_t n, size_t ldx, size_t want,
                        kvq_match *out, const char *who, kvq_error *err);

/* For each of the n rows (n x cb->dim): the index of the nearest centroid (idx, may be NULL) and
 * the residual row - centroid (resid, n x cb->dim, may be NULL). */
int kvq_codebook_residuals(const kvq_codebook *cb, const float *rows, size_t n, size_t *idx,
                           float *resid, const char *who, kvq_error *err);

/* KVQ_EINVAL naming who and code i when index is not a centroid of cb: decoding a code that this
 * instance did not write must fail, not read out of bounds. */
int kvq_codebook_check(const kvq_codebook *cb, size_t index, size_t i, const char *who,
                       kvq_error *err);

/* out[j] = <q, c_j> for every centroid, each accumulated in double and rounded once (score
 * tables: a sum of table entries stays within float rounding of <q, reconstruction>). */
void kvq_codebook_dots(const kvq_codebook *cb, const float *q, float *out);

/* Bytes the centroids take in a compressed tensor (k * dim f32). */
size_t kvq_codebook_bytes(const kvq_codebook *cb);

/* Trains the cb->k centroids on n rows (n x cb->dim): k-means++ seeding drawn from rng, then up to
 * iters Lloyd iterations (fewer when the assignment stops changing). Training uses at most
 * KVQ_KMEANS_MAX_POINTS_PER_CENTROID * k rows, a sample without replacement drawn from rng (as
 * FAISS does). n < k -> KVQ_EINVAL naming who. */
int kvq_kmeans_train(kvq_codebook *cb, const float *rows, size_t n, unsigned iters, kvq_rng *rng,
                     const char *who, kvq_error *err);

#define KVQ_KMEANS_MAX_POINTS_PER_CENTROID 256

/* Trains the cb->k centroids by furthest-point sampling (the row furthest from the mean of the
 * rows first, then repeatedly the row furthest from every centroid chosen so far; ties: lowest row
 * index), then up to iters Lloyd iterations (iters = 0 keeps the sampled rows themselves). Draws
 * nothing at random. n < k -> KVQ_EINVAL naming who. */
int kvq_kmeans_fps(kvq_codebook *cb, const float *rows, size_t n, unsigned iters, const char *who,
                   kvq_error *err);

#endif
