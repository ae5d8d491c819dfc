/* rvq's known answers: on one-dimensional N(0,1) rows one level of 4 centroids is the 2-bit
 * Lloyd-Max quantizer (tests/golden/gen_codecs2.py); on the values -10, -8, 8, 10 two levels of 2
 * centroids (+-9, then +-1) are exact; a beam search is not worse than greedy; the bit-packed
 * ladder. */
#include "test_codecs2.h"

#include <math.h>

/* k-means trains on a sample of 256 rows per centroid (1024 here), whose centroid error costs up
 * to about 3% of the distortion. */
Test(rvq, one_level_is_lloyd_max)
{
    cJSON *g = kvq_test_golden("codecs2.json");
    double want = c2_golden_at(g, "lloyd", "bits", 2, "mse");
    double got = c2_gaussian_rel_mse("rvq:k=4", 16384, 1, 31);
    cr_assert_lt(fabs(got / want - 1.0), 0.03, "relative MSE %g, Lloyd-Max %g", got, want);
    cJSON_Delete(g);
}

Test(rvq, second_level_codes_the_residual)
{
    const size_t n = 400;
    float *rows = malloc(n * sizeof *rows);
    const float value[4] = {-10, -8, 8, 10};
    for (size_t i = 0; i < n; i++) rows[i] = value[i % 4];
    c2_run r;
    c2_open(&r, "rvq:k=2-2", rows, n, 1, 6);
    cr_assert_eq(r.codec.code_bytes, 1);
    cr_assert_eq(c2_rel_mse(&r), 0.0);
    c2_close(&r);
}

Test(rvq, beam_search_not_worse_than_greedy)
{
    double greedy = c2_gaussian_rel_mse("rvq:k=16-16-16-16,beam=1", 4096, 16, 33);
    double beam = c2_gaussian_rel_mse("rvq:k=16-16-16-16,beam=8", 4096, 16, 33);
    cr_assert_lt(beam, greedy, "beam %g, greedy %g", beam, greedy);
}

/* Levels of 256, 16 and 2 centroids take 8 + 4 + 1 bits; a 2-byte code leaves 3 padding bits
 * zero, and each decoded row is the sum of one centroid per level. */
Test(rvq, ladder_packs_its_widths)
{
    c2_run r;
    c2_open(&r, "rvq:k=256-16-2", kvq_test_gaussian_rows(2048, 8, 34), 2048, 8, 5);
    cr_assert_eq(r.codec.code_bytes, 2);
    for (size_t i = 0; i < r.n; i++) cr_assert_eq(r.codes[i * 2 + 1] >> 5, 0, "row %zu", i);
    cr_assert_lt(c2_rel_mse(&r), 0.5);
    c2_close(&r);
}
