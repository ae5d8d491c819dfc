/* kakeya's known answers (tests/golden/gen_codecs2.py): on N(0,1) rows the rotated residual,
 * scaled by sigma = |e| / sqrt(dim), is N(0,1), so its coordinates fill the 2-bit Lloyd-Max cells
 * with N(0,1)'s probabilities (a wrong WHT scale piles them into the outer or inner cells); with
 * a negligible skeleton the relative MSE is Max's; outlier slots hold only coordinates past the
 * threshold and lower the error; calibrated levels do not raise it on the rows they come from. */
#include "backends/bitpack.h"
#include "kvq/half.h"
#include "test_codecs2.h"

#include <math.h>
#include <string.h>

#define HEAD 7 /* u16 skeleton, u8 centroid, f32 sigma */

Test(kakeya, rotated_residual_fills_the_cells_like_n01)
{
    const size_t n = 4096, dim = 128;
    cJSON *g = kvq_test_golden("codecs2.json");
    const cJSON *lloyd;
    size_t ncells = 0;
    double *cells = NULL;
    cJSON_ArrayForEach(lloyd, cJSON_GetObjectItem(g, "lloyd"))
    {
        if (kvq_test_num(lloyd, "bits") == 2)
            cells = kvq_test_doubles(cJSON_GetObjectItem(lloyd, "cells"), &ncells);
    }
    cr_assert_eq(ncells, 4);
    c2_run r;
    c2_open(&r, "kakeya:bits=2,outliers=0", kvq_test_gaussian_rows(n, dim, 71), n, dim, 1);
    cr_assert_eq(r.codec.code_bytes, HEAD + dim * 2 / 8);
    size_t count[4] = {0};
    uint8_t level[128];
    for (size_t i = 0; i < n; i++) {
        kvq_unpack_bits(r.codes + i * r.codec.code_bytes + HEAD, 0, 2, dim, level);
        for (size_t t = 0; t < dim; t++) count[level[t]]++;
    }
    for (size_t c = 0; c < 4; c++) {
        double share = (double)count[c] / (double)(n * dim);
        cr_assert_lt(fabs(share - cells[c]), 0.005,
                     "cell %zu holds %g of the coordinates, N(0,1) %g", c, share, cells[c]);
    }
    free(cells);
    c2_close(&r);
    cJSON_Delete(g);
}

/* rank 1 and one centroid leave nearly all of an isotropic row to the residual stage. */
Test(kakeya, residual_stage_is_lloyd_max)
{
    cJSON *g = kvq_test_golden("codecs2.json");
    double want = c2_golden_at(g, "lloyd", "bits", 2, "mse");
    double got = c2_gaussian_rel_mse("kakeya:rank=1,k=1,outliers=0", 4096, 128, 72);
    cr_assert_lt(fabs(got / want - 1.0), 0.03, "relative MSE %g, Lloyd-Max %g", got, want);
    cJSON_Delete(g);
}

Test(kakeya, outlier_slots_hold_only_large_coordinates)
{
    const size_t n = 2048, dim = 128;
    c2_run r;
    c2_open(&r, "kakeya:outliers=2,threshold=3", kvq_test_gaussian_rows(n, dim, 73), n, dim, 1);
    size_t used = 0, levels = dim * 2 / 8;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *slot = r.codes + i * r.codec.code_bytes + HEAD + levels;
        for (size_t o = 0; o < 2; o++) {
            uint16_t index, value;
            memcpy(&index, slot + 4 * o, 2);
            memcpy(&value, slot + 4 * o + 2, 2);
            if (index == 0xffff) {
                cr_assert_eq(value, 0);
                continue;
            }
            used++;
            cr_assert_lt(index, dim);
            cr_assert_geq(fabsf(kvq_f16_to_f32(value)), 3.0f, "row %zu slot %zu", i, o); /* f16 */
        }
    }
    /* P(|z| > 3) = 0.0027 per coordinate: about 0.35 per row */
    cr_assert(used > n / 10 && used < n, "%zu slots used", used);
    double with = c2_rel_mse(&r);
    c2_close(&r);
    double without = c2_gaussian_rel_mse("kakeya:outliers=0", n, dim, 73);
    cr_assert_lt(with, without, "outliers %g, none %g", with, without);
}

Test(kakeya, calibrated_levels_fit_their_rows)
{
    double plain = c2_gaussian_rel_mse("kakeya:bits=3,outliers=0", 2048, 64, 74);
    double calibrated = c2_gaussian_rel_mse("kakeya:bits=3,outliers=0,calibrate=1", 2048, 64, 74);
    cr_assert_leq(calibrated, plain * (1.0 + 1e-6), "calibrated %g, plain %g", calibrated, plain);
}
