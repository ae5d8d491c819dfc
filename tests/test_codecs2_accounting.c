/* The learned and block codecs' byte accounting and refusals: every code size and every shared byte
 * (codebooks, bases, centroids, scales, per-block skeletons) worked out by hand from the layouts
 * their file comments state, each wire width refused past its capacity (KVQ_ERANGE, never
 * wrapped), bad values refused with the parameter named, and encode before fit refused. */
#include "test_codecs2.h"

#include <string.h>

typedef struct accounting {
    const char *spec;
    size_t dim, bytes, shared;
} accounting;

/* Fitted on 2048 N(0,1) rows. */
static const accounting cases[] = {
    {"pq:m=16,nbits=8", 128, 16, 256 * 128 * 4},
    {"pq:m=16,nbits=4", 128, 8, 16 * 128 * 4},
    {"pq:m=10,nbits=3", 100, 4, 8 * 100 * 4},             /* 30 bits */
    {"rvq:k=256-16-2", 128, 2, (256 + 16 + 2) * 128 * 4}, /* 8 + 4 + 1 bits */
    {"rvq:k=256-256-256-256", 128, 4, 4 * 256 * 128 * 4},
    {"palette", 128, 1, 256 * 128 * 4},
    {"palette:leaf=1", 128, 9, 256 * 128 * 4 + 8 * 128 * 4 + 8 * 4}, /* + basis + scales */
    {"i8hybrid", 128, 1 + 4 + 128, 256 * 128 * 4},
    {"svd:rank=32", 128, 32 * 4, (32 + 1) * 128 * 4}, /* basis + mean */
    {"svd:rank=32,center=0", 128, 32 * 4, 32 * 128 * 4},
    {"besicovitch", 128, 4 + 64 * 4 / 8 + 64 * 2 / 8, 0},
    {"besicovitch:dbits=4,mag=f16", 128, 64 * 4 / 8 + 64 * 2, 0},
    {"besicovitch:group=4,dbits=8,mbits=3", 128, 4 + 32 + 32 * 3 / 8, 8}, /* seed */
    {"besicovitch:mean=1", 128, 52, 128 * 4},
    /* 4 blocks of 512: mean + rank-8 basis + 16 centroids of 8 + rank and k; the rotation seed */
    {"kakeya", 128, 7 + 128 * 2 / 8 + 2 * 4, 4 * ((1 + 8) * 128 * 4 + 16 * 8 * 4 + 4) + 8},
    {"kakeya:bits=3,outliers=0,calibrate=1", 128, 7 + 128 * 3 / 8,
     4 * ((1 + 8) * 128 * 4 + 16 * 8 * 4 + 4) + 8 + 8 * 4},
    {"kakeya:block=2048,rank=4,k=32", 100, 7 + 100 * 2 / 8 + 2 * 4,
     (1 + 4) * 100 * 4 + 32 * 4 * 4 + 4 + 8},
};

Test(codecs2_accounting, every_byte_counted)
{
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        c2_run r;
        c2_open(&r, cases[c].spec, kvq_test_gaussian_rows(2048, cases[c].dim, 11), 2048,
                cases[c].dim, 1);
        cr_assert_eq(r.codec.code_bytes, cases[c].bytes, "%s: %zu bytes per row, expected %zu",
                     cases[c].spec, r.codec.code_bytes, cases[c].bytes);
        size_t shared = kvq_codec_shared_bytes(&r.codec);
        cr_assert_eq(shared, cases[c].shared, "%s: %zu shared bytes, expected %zu", cases[c].spec,
                     shared, cases[c].shared);
        c2_close(&r);
    }
}

/* hclam's leaves depend on the clusters: 4 far-apart groups of 2 distinct points, each point
 * 4 times, give every cluster exactly 2 leaves at fine=2. */
Test(codecs2_accounting, hclam_counts_every_leaf)
{
    const size_t dim = 8, n = 32;
    float *rows = calloc(n * dim, sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        size_t group = i / 8, point = i % 2;
        rows[i * dim + group % dim] = 100.0f;
        rows[i * dim + (group + 4) % dim] = point ? 1.0f : -1.0f;
    }
    c2_run r;
    c2_open(&r, "hclam:coarse=4,fine=2", rows, n, dim, 1);
    cr_assert_eq(r.codec.code_bytes, 2);
    cr_assert_eq(kvq_codec_shared_bytes(&r.codec), 4 * dim * 4 + 4 * 2 + 4 * 2 * dim * 4);
    cr_assert_eq(c2_rel_mse(&r), 0.0);
    c2_close(&r);
}

/* kakeya's rank follows the variance ratio: rows of rank 2 (plus a trace of noise) need 2
 * directions to reach 90%, so each skeleton stores 2, not the cap of 8. */
Test(codecs2_accounting, kakeya_rank_by_variance)
{
    const size_t dim = 16, n = 1024;
    float *rows = kvq_test_gaussian_rows(n, dim, 12);
    for (size_t i = 0; i < n; i++) {
        float a = rows[i * dim], b = rows[i * dim + 1];
        for (size_t t = 0; t < dim; t++)
            rows[i * dim + t] =
                a * (t % 2 ? 1.0f : 0.5f) + b * (t < 8 ? 1.0f : -1.0f) + 1e-3f * rows[i * dim + t];
    }
    c2_run r;
    c2_open(&r, "kakeya:block=512,rank=8,var=0.9,k=16", rows, n, dim, 1);
    cr_assert_eq(kvq_codec_shared_bytes(&r.codec), 2 * ((1 + 2) * dim * 4 + 16 * 2 * 4 + 4) + 8);
    c2_close(&r);
}

typedef struct refusal {
    const char *spec;
    size_t dim;
    int status;
    const char *needle;
} refusal;

static const refusal refusals[] = {
    {"pq:nbits=9", 128, KVQ_ERANGE, "u8 subspace index"},
    {"pq:m=200", 128, KVQ_EINVAL, "m=200"},
    {"rvq:k=256-300", 128, KVQ_ERANGE, "u8 index of a level"},
    {"rvq:k=256-1", 128, KVQ_EINVAL, "k=256-1"},
    {"rvq:k=256--16", 128, KVQ_EINVAL, "k=256--16"},
    {"rvq:k=16-", 128, KVQ_EINVAL, "k=16-"},
    {"hclam:coarse=257", 128, KVQ_ERANGE, "u8 coarse index"},
    {"hclam:fine=1000", 128, KVQ_ERANGE, "u8 leaf index"},
    {"palette:k=300", 128, KVQ_ERANGE, "u8 palette index"},
    {"palette:leaf=1,leaf_rank=200", 128, KVQ_EINVAL, "leaf_rank=200"},
    {"i8hybrid:k=257", 128, KVQ_ERANGE, "u8 palette index"},
    {"svd:rank=129", 128, KVQ_EINVAL, "rank=129"},
    {"svd:method=qr", 128, KVQ_EINVAL, "method=qr"},
    {"besicovitch:dbits=9", 128, KVQ_ERANGE, "u8 direction index"},
    {"besicovitch:mag=f8", 128, KVQ_EINVAL, "mag=f8"},
    {"besicovitch:group=200", 128, KVQ_EINVAL, "group=200"},
    {"kakeya:k=300", 128, KVQ_ERANGE, "u8 centroid index"},
    {"kakeya:bits=9", 128, KVQ_ERANGE, "bits=9"},
    {"kakeya:outliers=200", 128, KVQ_EINVAL, "outliers=200"},
    {"kakeya:method=fast", 128, KVQ_EINVAL, "method=fast"},
    {"kakeya:var=1.5", 128, KVQ_EINVAL, "var=1.5"},
};

Test(codecs2_accounting, wire_widths_and_bad_values_refused_at_create)
{
    for (size_t c = 0; c < sizeof refusals / sizeof refusals[0]; c++)
        c2_refused(refusals[c].spec, refusals[c].dim, refusals[c].status, refusals[c].needle);
}

Test(codecs2_accounting, kakeya_refuses_more_skeletons_than_its_index_holds)
{
    const size_t n = 70000;
    kvq_codec codec;
    kvq_error err;
    kvq_rng rng;
    kvq_rng_seed(&rng, 1, 1);
    float *rows = kvq_test_gaussian_rows(n, 2, 13);
    cr_assert_eq(kvq_codec_open(&codec, "kakeya:block=1", 2, &rng, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_codec_fit(&codec, rows, n, &rng, &err), KVQ_ERANGE);
    cr_assert(strstr(err.msg, "block=1") && strstr(err.msg, "u16 skeleton index"), "%s", err.msg);
    kvq_codec_close(&codec);
    free(rows);
}

static const char *const learned[] = {"pq",       "rvq", "hclam",  "palette",
                                      "i8hybrid", "svd", "kakeya", "besicovitch"};

Test(codecs2_accounting, encode_before_fit_refused)
{
    float row[64] = {1.0f};
    uint8_t code[4096];
    for (size_t c = 0; c < sizeof learned / sizeof learned[0]; c++) {
        kvq_codec codec;
        kvq_error err;
        kvq_rng rng;
        kvq_rng_seed(&rng, 1, 1);
        cr_assert_eq(kvq_codec_open(&codec, learned[c], 64, &rng, &err), KVQ_OK, "%s", err.msg);
        cr_assert_leq(codec.code_bytes, sizeof code);
        cr_assert_eq(kvq_codec_encode(&codec, row, 1, code, &err), KVQ_EINVAL, "%s", learned[c]);
        cr_assert(strstr(err.msg, "before fit"), "%s: %s", learned[c], err.msg);
        kvq_codec_close(&codec);
    }
}
