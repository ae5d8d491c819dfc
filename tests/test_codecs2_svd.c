/* svd's known answers against numpy.linalg.svd of a fixed matrix (tests/golden/gen_codecs2.py):
 * the rank-3 projection leaves exactly the energy numpy's leaves, by either method; at full rank
 * the code is lossless to float precision. */
#include "test_codecs2.h"

#include <math.h>

static float *golden_rows(const cJSON *pca, size_t *n, size_t *dim)
{
    size_t count;
    double *v = kvq_test_doubles(cJSON_GetObjectItem(pca, "rows"), &count);
    *n = (size_t)kvq_test_num(pca, "n");
    *dim = (size_t)kvq_test_num(pca, "dim");
    float *rows = malloc(count * sizeof *rows);
    for (size_t i = 0; i < count; i++) rows[i] = (float)v[i];
    free(v);
    return rows;
}

Test(svd, rank3_error_matches_numpy)
{
    cJSON *g = kvq_test_golden("codecs2.json");
    const cJSON *pca = cJSON_GetObjectItem(g, "pca");
    double want = kvq_test_num(pca, "rel_mse_rank3");
    const char *specs[] = {"svd:rank=3", "svd:rank=3,method=random,oversample=5,power=2"};
    for (size_t s = 0; s < 2; s++) {
        size_t n, dim;
        c2_run r;
        float *rows = golden_rows(pca, &n, &dim);
        c2_open(&r, specs[s], rows, n, dim, 1);
        double got = c2_rel_mse(&r);
        cr_assert_lt(fabs(got / want - 1.0), 1e-3, "%s: %g, numpy %g", specs[s], got, want);
        c2_close(&r);
    }
    cJSON_Delete(g);
}

Test(svd, full_rank_is_lossless)
{
    cJSON *g = kvq_test_golden("codecs2.json");
    size_t n, dim;
    c2_run r;
    float *rows = golden_rows(cJSON_GetObjectItem(g, "pca"), &n, &dim);
    c2_open(&r, "svd:rank=10", rows, n, dim, 1);
    cr_assert_lt(c2_rel_mse(&r), 1e-11);
    c2_close(&r);
    cJSON_Delete(g);
}
