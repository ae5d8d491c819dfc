/* i8hybrid's known answers: rows that are palette colours (at iters=0 the colours are the sampled
 * rows themselves) decode exactly, with a zero scale; on N(0,1) rows the residual is smaller than
 * the row, so the error is below int8's on the rows themselves. */
#include "test_codecs2.h"

#include <string.h>

Test(i8hybrid, colours_decode_exactly)
{
    const size_t n = 64, dim = 16, k = 8;
    c2_run r;
    c2_open(&r, "i8hybrid:k=8,iters=0", kvq_test_gaussian_rows(n, dim, 61), n, dim, 1);
    size_t exact = 0;
    for (size_t i = 0; i < n; i++) {
        float scale;
        memcpy(&scale, r.codes + i * r.codec.code_bytes + 1, sizeof scale);
        int same = memcmp(r.back + i * dim, r.rows + i * dim, dim * sizeof(float)) == 0;
        cr_assert_eq(same, scale == 0.0f, "row %zu: exact %d, scale %g", i, same, scale);
        exact += same;
    }
    cr_assert_eq(exact, k, "%zu rows decode exactly, expected the %zu colours", exact, k);
    c2_close(&r);
}

Test(i8hybrid, below_int8_on_gaussian_rows)
{
    double hybrid = c2_gaussian_rel_mse("i8hybrid", 2048, 128, 62);
    double int8 = c2_gaussian_rel_mse("int8", 2048, 128, 62);
    double palette = c2_gaussian_rel_mse("palette", 2048, 128, 62);
    cr_assert_lt(hybrid, 0.9 * int8, "i8hybrid %g, int8 %g", hybrid, int8);
    /* int8's error scales with the residual's energy: the palette's share of it, roughly */
    cr_assert_lt(hybrid, 1.2 * palette * int8, "i8hybrid %g, palette %g x int8 %g", hybrid, palette,
                 int8);
}
