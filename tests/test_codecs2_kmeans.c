/* Nearest-centroid search and k-means (backends/kmeans.h): the search against a brute-force
 * double-precision ranking, ties, batch independence, determinism, recovery of separated
 * clusters, furthest-point sampling against numpy (tests/golden/gen_codecs2.py), refusals. */
#include "backends/kmeans.h"
#include "backends/util.h"
#include "test_codecs2.h"

#include <math.h>
#include <string.h>

static void fill_gaussian(float *x, size_t count, uint64_t seed)
{
    float *g = kvq_test_gaussian_rows(count, 1, seed);
    memcpy(x, g, count * sizeof *x);
    free(g);
}

static double brute_d2(const float *x, const float *c, size_t dim)
{
    double s = 0.0;
    for (size_t t = 0; t < dim; t++) s += ((double)x[t] - c[t]) * ((double)x[t] - c[t]);
    return s;
}

Test(kmeans, search_matches_brute_force)
{
    const size_t k = 37, dim = 13, n = 200, want = 4;
    kvq_codebook cb;
    cr_assert_eq(kvq_codebook_alloc(&cb, k, dim, "test", NULL), KVQ_OK);
    fill_gaussian(cb.centroids, k * dim, 1);
    kvq_codebook_prepare(&cb);
    float *x = kvq_test_gaussian_rows(n, dim, 2);
    kvq_match *m = malloc(n * want * sizeof *m);
    cr_assert_eq(kvq_codebook_search(&cb, x, n, dim, want, m, "test", NULL), KVQ_OK);
    for (size_t i = 0; i < n; i++) {
        int taken[37] = {0};
        for (size_t q = 0; q < want; q++) {
            size_t best = k;
            for (size_t j = 0; j < k; j++)
                if (!taken[j] &&
                    (best == k || brute_d2(x + i * dim, cb.centroids + j * dim, dim) <
                                      brute_d2(x + i * dim, cb.centroids + best * dim, dim)))
                    best = j;
            taken[best] = 1;
            cr_assert_eq(m[i * want + q].j, best, "row %zu, rank %zu", i, q);
            cr_assert(m[i * want + q].d2 == brute_d2(x + i * dim, cb.centroids + best * dim, dim),
                      "row %zu, rank %zu: distance %.17g", i, q, m[i * want + q].d2);
        }
    }
    free(m);
    free(x);
    kvq_codebook_free(&cb);
}

/* Rows exactly halfway between two centroids go to the lower index, and rows a hair off the
 * midpoint go to the nearer one, alone or in a batch, although float rounding of the screen is
 * far coarser than the hair. */
Test(kmeans, ties_and_near_ties_batch_independent)
{
    const size_t dim = 64, n = 100;
    kvq_codebook cb;
    cr_assert_eq(kvq_codebook_alloc(&cb, 3, dim, "test", NULL), KVQ_OK);
    fill_gaussian(cb.centroids + 2 * dim, dim, 3); /* a third, far centroid */
    for (size_t t = 0; t < dim; t++) {
        cb.centroids[t] = 1.0f;
        cb.centroids[dim + t] = -1.0f;
        cb.centroids[2 * dim + t] += 30.0f;
    }
    kvq_codebook_prepare(&cb);
    float *x = kvq_test_gaussian_rows(n, dim, 4);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t t = 0; t < dim; t++) s += x[i * dim + t];
        /* project on the hyperplane sum = 0 (equidistant), then nudge every other row off it */
        for (size_t t = 0; t < dim; t++) x[i * dim + t] -= (float)(s / dim);
        if (i % 2) x[i * dim] += (i % 4 == 1 ? 1 : -1) * 1e-5f;
    }
    kvq_match *batch = malloc(n * sizeof *batch), one;
    cr_assert_eq(kvq_codebook_search(&cb, x, n, dim, 1, batch, "test", NULL), KVQ_OK);
    for (size_t i = 0; i < n; i++) {
        double d0 = brute_d2(x + i * dim, cb.centroids, dim);
        double d1 = brute_d2(x + i * dim, cb.centroids + dim, dim);
        size_t want = d1 < d0 ? 1 : 0;
        cr_assert_eq(batch[i].j, want, "row %zu: d0 %.17g d1 %.17g", i, d0, d1);
        cr_assert_eq(kvq_codebook_search(&cb, x + i * dim, 1, dim, 1, &one, "test", NULL), KVQ_OK);
        cr_assert_eq(one.j, batch[i].j, "row %zu alone", i);
    }
    free(batch);
    free(x);
    kvq_codebook_free(&cb);
}

/* Four tight clusters around known centres: k-means finds the centres, whatever the seed. */
Test(kmeans, recovers_separated_clusters)
{
    const float centre[4][2] = {{10, 10}, {-10, 10}, {10, -10}, {-10, -10}};
    const size_t n = 400;
    float *x = kvq_test_gaussian_rows(n, 2, 5);
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < 2; t++) x[i * 2 + t] = centre[i % 4][t] + 0.1f * x[i * 2 + t];
    for (uint64_t seed = 1; seed <= 5; seed++) {
        kvq_codebook cb;
        kvq_rng rng;
        kvq_rng_seed(&rng, seed, 1);
        cr_assert_eq(kvq_codebook_alloc(&cb, 4, 2, "test", NULL), KVQ_OK);
        cr_assert_eq(kvq_kmeans_train(&cb, x, n, 25, &rng, "test", NULL), KVQ_OK);
        for (size_t c = 0; c < 4; c++) {
            double best = INFINITY;
            for (size_t j = 0; j < 4; j++)
                best = fmin(best, brute_d2(centre[c], cb.centroids + 2 * j, 2));
            cr_assert_lt(best, 0.01, "seed %llu: no centroid near centre %zu",
                         (unsigned long long)seed, c);
        }
        kvq_codebook_free(&cb);
    }
    free(x);
}

Test(kmeans, deterministic_for_a_seed)
{
    const size_t n = 500, dim = 8, k = 32;
    float *x = kvq_test_gaussian_rows(n, dim, 6);
    kvq_codebook a, b;
    kvq_rng ra, rb;
    kvq_rng_seed(&ra, 7, 7);
    kvq_rng_seed(&rb, 7, 7);
    cr_assert_eq(kvq_codebook_alloc(&a, k, dim, "test", NULL), KVQ_OK);
    cr_assert_eq(kvq_codebook_alloc(&b, k, dim, "test", NULL), KVQ_OK);
    cr_assert_eq(kvq_kmeans_train(&a, x, n, 10, &ra, "test", NULL), KVQ_OK);
    cr_assert_eq(kvq_kmeans_train(&b, x, n, 10, &rb, "test", NULL), KVQ_OK);
    cr_assert_eq(memcmp(a.centroids, b.centroids, k * dim * sizeof(float)), 0);
    kvq_codebook_free(&a);
    kvq_codebook_free(&b);
    free(x);
}

Test(kmeans, refuses_fewer_rows_than_centroids)
{
    kvq_codebook cb;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    float x[3 * 2] = {0};
    cr_assert_eq(kvq_codebook_alloc(&cb, 4, 2, "test", NULL), KVQ_OK);
    cr_assert_eq(kvq_kmeans_train(&cb, x, 3, 5, &rng, "mycodec", &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "mycodec") && strstr(err.msg, "4 centroids"), "%s", err.msg);
    cr_assert_eq(kvq_kmeans_fps(&cb, x, 3, 0, "mycodec", &err), KVQ_EINVAL);
    kvq_codebook_free(&cb);
}

Test(kmeans, furthest_point_order_matches_numpy)
{
    cJSON *g = kvq_test_golden("codecs2.json");
    const cJSON *fps = cJSON_GetObjectItem(g, "fps");
    size_t npts, norder;
    double *pts = kvq_test_doubles(cJSON_GetObjectItem(fps, "points"), &npts);
    double *order = kvq_test_doubles(cJSON_GetObjectItem(fps, "order"), &norder);
    size_t n = npts / 3, k = (size_t)kvq_test_num(fps, "k");
    float *x = malloc(npts * sizeof *x);
    for (size_t i = 0; i < npts; i++) x[i] = (float)pts[i];
    kvq_codebook cb;
    cr_assert_eq(kvq_codebook_alloc(&cb, k, 3, "test", NULL), KVQ_OK);
    cr_assert_eq(kvq_kmeans_fps(&cb, x, n, 0, "test", NULL), KVQ_OK);
    cr_assert_eq(norder, k);
    for (size_t j = 0; j < k; j++)
        cr_assert_eq(memcmp(cb.centroids + 3 * j, x + 3 * (size_t)order[j], 3 * sizeof(float)), 0,
                     "pick %zu is not row %g", j, order[j]);
    kvq_codebook_free(&cb);
    free(x);
    free(pts);
    free(order);
    cJSON_Delete(g);
}

Test(kmeans, check_refuses_foreign_indices)
{
    kvq_codebook cb;
    kvq_error err;
    cr_assert_eq(kvq_codebook_alloc(&cb, 5, 2, "test", NULL), KVQ_OK);
    cr_assert_eq(kvq_codebook_check(&cb, 4, 0, "mycodec", &err), KVQ_OK);
    cr_assert_eq(kvq_codebook_check(&cb, 5, 17, "mycodec", &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "mycodec") && strstr(err.msg, "code 17"), "%s", err.msg);
    kvq_codebook_free(&cb);
}

/* The residual-level collapse: rows that earlier levels coded exactly are zero, and a centroid
 * seeded on zero is nearer to every other row than any other centroid, so without splitting one
 * cluster swallows nearly everything while the rest keep a row each. */
Test(kmeans, no_collapse_around_a_central_seed)
{
    const size_t n = 4096, dim = 64, k = 64;
    float *x = kvq_test_gaussian_rows(n, dim, 8);
    memset(x, 0, n / 10 * dim * sizeof *x); /* a tenth of the rows are zero */
    kvq_codebook cb;
    kvq_rng rng;
    kvq_rng_seed(&rng, 9, 9);
    cr_assert_eq(kvq_codebook_alloc(&cb, k, dim, "test", NULL), KVQ_OK);
    cr_assert_eq(kvq_kmeans_train(&cb, x, n, 25, &rng, "test", NULL), KVQ_OK);
    kvq_match *m = malloc(n * sizeof *m);
    cr_assert_eq(kvq_codebook_search(&cb, x, n, dim, 1, m, "test", NULL), KVQ_OK);
    size_t count[64] = {0}, biggest = 0;
    for (size_t i = 0; i < n; i++) count[m[i].j]++;
    for (size_t j = 0; j < k; j++) biggest = count[j] > biggest ? count[j] : biggest;
    /* the zero rows are one point and stay together; beyond them, twice the average at most */
    cr_assert_lt(biggest, n / 10 + 2 * n / k, "one cluster holds %zu of %zu rows", biggest, n);
    free(m);
    free(x);
    kvq_codebook_free(&cb);
}

/* The score table (kvq_codebook_dots, eight centroids' sums side by side) against kvq_dot of each
 * centroid alone, bit for bit, for codebooks with and without a partial last batch. */
Test(kmeans, codebook_dots_match_kvq_dot)
{
    const size_t dim = 19, sizes[] = {1, 8, 13, 256};
    float q[19], out[256];
    fill_gaussian(q, dim, 5);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        kvq_codebook cb;
        cr_assert_eq(kvq_codebook_alloc(&cb, sizes[s], dim, "test", NULL), KVQ_OK);
        fill_gaussian(cb.centroids, sizes[s] * dim, 6 + s);
        kvq_codebook_dots(&cb, q, out);
        for (size_t j = 0; j < sizes[s]; j++) {
            float want = kvq_dot(q, cb.centroids + j * dim, dim);
            cr_assert_eq(memcmp(&want, &out[j], sizeof want), 0, "k=%zu j=%zu", sizes[s], j);
        }
        kvq_codebook_free(&cb);
    }
}

/* kvq_dot_rows_many equals kvq_dot for every query and row, bit for bit: whole tiles of rows and
 * the rows after them, one query and several, the output rows wider than the block. */
Test(kmeans, dot_rows_many_match_kvq_dot)
{
    const size_t dim = 23, counts[] = {1, 7, 8, 21, 64}, queries[] = {1, 3};
    float q[3 * 23], rows[64 * 23], out[3 * 70];
    double tile[KVQ_DOT_ROWS * 23];
    fill_gaussian(q, 3 * dim, 8);
    fill_gaussian(rows, 64 * dim, 9);
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
        for (size_t w = 0; w < 2; w++) {
            size_t count = counts[c], nq = queries[w];
            kvq_dot_rows_many(q, nq, rows, count, dim, out, 70, tile);
            for (size_t k = 0; k < nq; k++)
                for (size_t j = 0; j < count; j++) {
                    float want = kvq_dot(q + k * dim, rows + j * dim, dim);
                    cr_assert_eq(memcmp(&want, &out[k * 70 + j], sizeof want), 0,
                                 "count %zu query %zu row %zu", count, k, j);
                }
        }
}

/* k-means++ seeding (iters 0 leaves the seeds) draws the rows the textbook loop draws from the same
 * stream: the first uniform, then each the first row whose running sum of squared distances to the
 * nearest seed (float, each a float sum in coordinate order) passes uniform * total, stepping back
 * to a row at a positive distance. Rows repeated many times put zero distances around the draws. */
Test(kmeans, plus_plus_seeds_are_the_textbook_draws)
{
    const size_t n = 301, dim = 3, k = 40;
    float *x = kvq_test_gaussian_rows(n, dim, 9);
    for (size_t i = 0; i < n; i++)
        if (i % 3) memcpy(x + i * dim, x + (i % 17) * dim, dim * sizeof *x); /* duplicates */
    kvq_codebook cb;
    kvq_rng r1, r2;
    kvq_rng_seed(&r1, 3, 4);
    kvq_rng_seed(&r2, 3, 4);
    cr_assert_eq(kvq_codebook_alloc(&cb, k, dim, "test", NULL), KVQ_OK);
    cr_assert_eq(kvq_kmeans_train(&cb, x, n, 0, &r1, "test", NULL), KVQ_OK);
    float *mind = malloc(n * sizeof *mind);
    size_t pick = kvq_rng_bounded(&r2, (uint32_t)n);
    for (size_t j = 0; j < k; j++) {
        cr_assert_eq(memcmp(cb.centroids + j * dim, x + pick * dim, dim * sizeof(float)), 0,
                     "seed %zu is not row %zu", j, pick);
        double total = 0.0;
        for (size_t i = 0; i < n; i++) {
            float d = 0.0f;
            for (size_t t = 0; t < dim; t++)
                d += (x[i * dim + t] - x[pick * dim + t]) * (x[i * dim + t] - x[pick * dim + t]);
            if (j == 0 || d < mind[i]) mind[i] = d;
            total += mind[i];
        }
        double target = kvq_rng_uniform(&r2) * total, run = 0.0;
        pick = 0;
        for (size_t i = 0; i < n; i++) {
            run += mind[i];
            if (mind[i] > 0.0f) pick = i;
            if (run > target) break;
        }
    }
    kvq_codebook_free(&cb);
    free(mind);
    free(x);
}
