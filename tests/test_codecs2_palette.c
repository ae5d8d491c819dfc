/* palette's known answers: at iters=0 the palette is the furthest points numpy samples
 * (tests/golden/gen_codecs2.py) and each row decodes to the nearest of them; the SVD leaf codes
 * the residual (a full-rank leaf is nearly lossless); indices past the palette are refused. */
#include "test_codecs2.h"

#include <math.h>
#include <string.h>

Test(palette, furthest_points_as_numpy_samples_them)
{
    cJSON *g = kvq_test_golden("codecs2.json");
    const cJSON *fps = cJSON_GetObjectItem(g, "fps");
    size_t count, norder;
    double *pts = kvq_test_doubles(cJSON_GetObjectItem(fps, "points"), &count);
    double *order = kvq_test_doubles(cJSON_GetObjectItem(fps, "order"), &norder);
    size_t n = count / 3;
    float *rows = malloc(count * sizeof *rows);
    for (size_t i = 0; i < count; i++) rows[i] = (float)pts[i];
    char spec[64];
    snprintf(spec, sizeof spec, "palette:k=%zu,iters=0", norder);
    c2_run r;
    c2_open(&r, spec, rows, n, 3, 1);
    for (size_t i = 0; i < n; i++) {
        size_t best = 0, slot = 0;
        double best_d = INFINITY;
        for (size_t c = 0; c < norder; c++) {
            double d = 0.0;
            for (size_t t = 0; t < 3; t++) {
                double diff = pts[i * 3 + t] - pts[(size_t)order[c] * 3 + t];
                d += diff * diff;
            }
            if (d < best_d) {
                best_d = d;
                best = (size_t)order[c];
                slot = c;
            }
        }
        cr_assert_eq(r.codes[i], slot, "row %zu: index %u, numpy's nearest pick %zu", i, r.codes[i],
                     slot);
        cr_assert_eq(memcmp(r.back + i * 3, rows + best * 3, 3 * sizeof(float)), 0,
                     "row %zu decodes to the wrong point (nearest is row %zu)", i, best);
    }
    c2_close(&r);
    free(pts);
    free(order);
    cJSON_Delete(g);
}

Test(palette, leaf_codes_the_residual)
{
    double bare = c2_gaussian_rel_mse("palette:k=16", 1024, 16, 51);
    double leaf8 = c2_gaussian_rel_mse("palette:k=16,leaf=1,leaf_rank=8", 1024, 16, 51);
    double full = c2_gaussian_rel_mse("palette:k=16,leaf=1,leaf_rank=16", 1024, 16, 51);
    cr_assert_lt(leaf8, 0.8 * bare, "leaf of rank 8: %g, no leaf: %g", leaf8, bare);
    cr_assert_lt(full, 1e-3, "a full-rank i8 leaf leaves %g", full);
}

Test(palette, foreign_code_refused)
{
    c2_run r;
    c2_open(&r, "palette:k=16", kvq_test_gaussian_rows(64, 4, 52), 64, 4, 1);
    uint8_t bad = 16;
    float est;
    kvq_error err;
    cr_assert_eq(kvq_codec_score(&r.codec, r.rows, &bad, 1, &est, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "palette"), "%s", err.msg);
    c2_close(&r);
}
