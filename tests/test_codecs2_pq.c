/* pq's known answers: with one coordinate per subspace k-means is the Lloyd-Max quantizer, so the
 * relative MSE on N(0,1) rows is Max's (tests/golden/gen_codecs2.py integrates it with scipy);
 * rows built from a product of small sets decode exactly; uneven subspaces work. */
#include "test_codecs2.h"

#include <math.h>
#include <string.h>

static double lloyd_mse(unsigned bits)
{
    cJSON *g = kvq_test_golden("codecs2.json");
    double mse = c2_golden_at(g, "lloyd", "bits", bits, "mse");
    cJSON_Delete(g);
    return mse;
}

/* 8192 rows x 16 subspaces of one coordinate: each k-means has 8192 samples, so the in-sample
 * error is within about 1% of the distribution's. */
Test(pq, one_coordinate_subspaces_are_lloyd_max)
{
    for (unsigned bits = 1; bits <= 2; bits++) {
        char spec[64];
        snprintf(spec, sizeof spec, "pq:m=16,nbits=%u", bits);
        double got = c2_gaussian_rel_mse(spec, 8192, 16, 21), want = lloyd_mse(bits);
        cr_assert_lt(fabs(got / want - 1.0), 0.02, "%s: relative MSE %g, Lloyd-Max %g", spec, got,
                     want);
    }
}

/* Every 4-coordinate subvector is one of 4 fixed points, so 4 centroids per subspace (k-means++
 * never seeds a point twice while another has positive distance) reproduce every row exactly,
 * and the asymmetric scores are the exact inner products. */
Test(pq, product_of_small_sets_decodes_exactly)
{
    const size_t dim = 16, n = 256;
    const float point[4][4] = {
        {1, 2, 3, 4}, {-4, 0, 4, 0}, {0.5f, -0.5f, 0.5f, -0.5f}, {9, 9, 0, 0}};
    float *rows = malloc(n * dim * sizeof *rows);
    for (size_t i = 0; i < n; i++)
        for (size_t s = 0; s < 4; s++)
            memcpy(rows + i * dim + 4 * s, point[(i >> (2 * s)) % 4], sizeof point[0]);
    c2_run r;
    c2_open(&r, "pq:m=4,nbits=2", rows, n, dim, 3);
    cr_assert_eq(r.codec.code_bytes, 1);
    cr_assert_eq(c2_rel_mse(&r), 0.0);
    float q[16], est[256];
    for (size_t t = 0; t < dim; t++) q[t] = (float)t - 7.5f;
    cr_assert_eq(kvq_codec_score(&r.codec, q, r.codes, n, est, NULL), KVQ_OK);
    for (size_t i = 0; i < n; i++) {
        double dot = 0.0;
        for (size_t t = 0; t < dim; t++) dot += (double)q[t] * rows[i * dim + t];
        cr_assert_float_eq(est[i], dot, 1e-4 * (1.0 + fabs(dot)), "row %zu", i);
    }
    c2_close(&r);
}

/* dim 10 in m=3 subspaces (4, 3, 3 coordinates): better than the zero vector, and the 3 x 4-bit
 * indices fit 2 bytes. */
Test(pq, uneven_subspaces)
{
    c2_run r;
    c2_open(&r, "pq:m=3,nbits=4", kvq_test_gaussian_rows(1024, 10, 22), 1024, 10, 4);
    cr_assert_eq(r.codec.code_bytes, 2);
    cr_assert_lt(c2_rel_mse(&r), 0.5);
    c2_close(&r);
}
