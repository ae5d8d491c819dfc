/* hclam's known answer: rows from 4 far-apart groups of 4 distinct points decode exactly with
 * coarse=4,fine=4, every group under one coarse index and its points under distinct leaves; a new
 * row near a point walks the tree to that point. */
#include "test_codecs2.h"

#include <string.h>

#define DIM 8
#define GROUPS 4
#define POINTS 4

static void point(size_t g, size_t p, float *x)
{
    memset(x, 0, DIM * sizeof *x);
    x[g] = 100.0f;                       /* the groups sit 141 apart */
    x[4 + p] = (float)(1 + g) * (p + 1); /* points inside a group 1..16 apart */
}

Test(hclam, separated_groups_decode_exactly)
{
    const size_t n = GROUPS * POINTS * 4;
    float *rows = malloc(n * DIM * sizeof *rows);
    for (size_t i = 0; i < n; i++) point(i % GROUPS, (i / GROUPS) % POINTS, rows + i * DIM);
    c2_run r;
    c2_open(&r, "hclam:coarse=4,fine=4", rows, n, DIM, 8);
    cr_assert_eq(c2_rel_mse(&r), 0.0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int same_group = i % GROUPS == j % GROUPS;
            int same_point = same_group && (i / GROUPS) % POINTS == (j / GROUPS) % POINTS;
            cr_assert_eq(r.codes[2 * i] == r.codes[2 * j], same_group, "rows %zu, %zu", i, j);
            cr_assert_eq(same_group && r.codes[2 * i + 1] == r.codes[2 * j + 1], same_point,
                         "rows %zu, %zu", i, j);
        }
    float x[DIM], back[DIM];
    uint8_t code[2];
    point(2, 3, x);
    x[0] += 0.3f; /* off the point, still nearest to it */
    cr_assert_eq(kvq_codec_encode(&r.codec, x, 1, code, NULL), KVQ_OK);
    cr_assert_eq(kvq_codec_reconstruct(&r.codec, code, 1, back, NULL), KVQ_OK);
    point(2, 3, x);
    cr_assert_eq(memcmp(back, x, sizeof x), 0);
    c2_close(&r);
}

Test(hclam, foreign_code_refused)
{
    c2_run r;
    c2_open(&r, "hclam:coarse=4,fine=4", kvq_test_gaussian_rows(64, DIM, 41), 64, DIM, 8);
    uint8_t bad[2] = {3, 200};
    float back[DIM];
    kvq_error err;
    cr_assert_eq(kvq_codec_reconstruct(&r.codec, bad, 1, back, &err), KVQ_EINVAL);
    cr_assert(strstr(err.msg, "hclam") && strstr(err.msg, "code 0"), "%s", err.msg);
    c2_close(&r);
}
