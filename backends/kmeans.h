/* Codebooks of centroids and how the learned-codebook codecs (pq, rvq, hclam, palette, i8hybrid,
 * kakeya, besicovitch) train and search them: k-means with k-means++ seeding (Arthur and
 * Vassilvitskii 2007) or furthest-point seeding (Gonzalez 1985), then Lloyd iterations. One
 * implementation for all of them.
 *
 * Determinism: seeding draws only from the kvq_rng passed in, sums run in row order in double, ties
 * go to the lowest index, so the same rows and seed give the same centroids on every machine and
 * thread count. The nearest-centroid search of one row does not depend on the other rows of a
 * batch (a row encodes the same alone as in a batch). */
#ifndef KVQ_BACKENDS_KMEANS_H
#define KVQ_BACKENDS_KMEANS_H

#include "kvq/error.h"
#include "kvq/rng.h"
#include <stddef.h>

/* k centroids of dimension dim, with the transposed copy and squared norms that make the search
 * a run of vectorisable axpy passes: |x - c_j|^2 = |x|^2 + |c_j|^2 - 2 <x, c_j>. */
typedef struct kvq_codebook {
    size_t k, dim;
    size_t kpad;       /* k rounded up to a multiple of KVQ_CODEBOOK_LANES */
    float *centroids;  /* k x dim, row-major */
    float *transposed; /* dim x kpad; padding columns are 0 */
    float *norms;      /* k: |c_j|^2 */
} kvq_codebook;

#define KVQ_CODEBOOK_LANES 8

/* Floats of scratch space kvq_codebook_nearest needs. */
#define KVQ_CODEBOOK_SCRATCH(cb) ((cb)->kpad)

/* Allocates cb for k >= 1 centroids of dimension dim >= 1 (centroids zeroed). KVQ_ENOMEM naming
 * who on failure, with nothing left allocated. */
int kvq_codebook_alloc(kvq_codebook *cb, size_t k, size_t dim, const char *who, kvq_error *err);

/* Frees what kvq_codebook_alloc allocated; cb may be zeroed (then nothing happens). */
void kvq_codebook_free(kvq_codebook *cb);

/* Recomputes the transposed copy and the norms after the centroids changed. */
void kvq_codebook_prepare(kvq_codebook *cb);

/* The index of the centroid nearest to x (ties: the lowest index). scratch holds
 * KVQ_CODEBOOK_SCRATCH(cb) floats. When dist2 is not NULL it gets |x - c|^2 (clamped at 0). */
size_t kvq_codebook_nearest(const kvq_codebook *cb, const float *x, float *scratch, float *dist2);

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
