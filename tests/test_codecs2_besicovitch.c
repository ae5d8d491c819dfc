/* besicovitch's known answers: with f16 magnitudes the only error is the angle's, uniform on
 * +-pi / 2^dbits, so the relative MSE is E[sin^2] (tests/golden/gen_codecs2.py integrates it);
 * a hand-worked code; the per-row scale of Lloyd magnitudes; groups of 3 with padding. */
#include "test_codecs2.h"

#include <math.h>
#include <string.h>

Test(besicovitch, angle_error_matches_theory)
{
    cJSON *g = kvq_test_golden("codecs2.json");
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(g, "besicovitch"))
    {
        unsigned dbits = (unsigned)kvq_test_num(item, "dbits");
        double want = kvq_test_num(item, "rel_mse");
        char spec[64];
        snprintf(spec, sizeof spec, "besicovitch:dbits=%u,mag=f16", dbits);
        double got = c2_gaussian_rel_mse(spec, 4096, 64, 81);
        cr_assert_lt(fabs(got / want - 1.0), 0.03, "%s: %g, theory %g", spec, got, want);
    }
    cJSON_Delete(g);
}

/* dbits=2: directions 0, 90, 180, 270 degrees. (1, 0) is direction 0 at length 1; (0, -2) is
 * direction 3 at length 2. Directions 0 | 3 << 2 = 0x0c, then f16 1.0 = 0x3c00, 2.0 = 0x4000. */
Test(besicovitch, hand_worked_code)
{
    const float row[4] = {1.0f, 0.0f, 0.0f, -2.0f};
    const uint8_t want[5] = {0x0c, 0x00, 0x3c, 0x00, 0x40};
    float *rows = malloc(sizeof row);
    memcpy(rows, row, sizeof row);
    c2_run r;
    c2_open(&r, "besicovitch:dbits=2,mag=f16", rows, 1, 4, 1);
    cr_assert_eq(r.codec.code_bytes, sizeof want);
    cr_assert_eq(memcmp(r.codes, want, sizeof want), 0, "code %02x %02x %02x %02x %02x", r.codes[0],
                 r.codes[1], r.codes[2], r.codes[3], r.codes[4]);
    for (size_t t = 0; t < 4; t++) cr_assert_float_eq(r.back[t], row[t], 1e-6);
    c2_close(&r);
}

Test(besicovitch, lloyd_scale_is_the_row_rms)
{
    const size_t n = 64, dim = 32;
    c2_run r;
    c2_open(&r, "besicovitch", kvq_test_gaussian_rows(n, dim, 82), n, dim, 1);
    for (size_t i = 0; i < n; i++) {
        double ss = 0.0;
        for (size_t t = 0; t < dim; t++) ss += (double)r.rows[i * dim + t] * r.rows[i * dim + t];
        float scale;
        memcpy(&scale, r.codes + i * r.codec.code_bytes, sizeof scale);
        cr_assert_float_eq(scale, sqrt(ss / dim), 1e-6, "row %zu", i);
    }
    c2_close(&r);
}

Test(besicovitch, groups_of_three_with_padding)
{
    c2_run r;
    c2_open(&r, "besicovitch:group=3,dbits=8,mag=f16", kvq_test_gaussian_rows(512, 7, 83), 512, 7,
            1);
    cr_assert_eq(r.codec.code_bytes, 3 + 3 * 2); /* 3 groups, the last padded */
    cr_assert_eq(kvq_codec_shared_bytes(&r.codec), 8);
    cr_assert_lt(c2_rel_mse(&r), 0.3);
    c2_close(&r);
}
