/* ggml's k-quants (backends/q2_k.c ... q6_k.c): the known answer each file's opening comment
 * states (hand-derived bytes of one super-block), the code sizes of the deployed layouts, a
 * dimension that is not a multiple of 256 refused at create, and, while they are not registered
 * (tests/test_backend_contract.c runs every registered codec at dimension 128, which they refuse),
 * the contract's rules at dimension 256: round trip within the declared tolerance, score equal to
 * <q, reconstruct>, determinism and batch independence, bad input refused. They are opened here
 * by their descriptors. */
#include "kvq/backend.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const kvq_backend kvq_backend_q2_k, kvq_backend_q3_k, kvq_backend_q4_k, kvq_backend_q5_k,
    kvq_backend_q6_k;

#define QK 256

static void open_kquant(kvq_codec *codec, const kvq_backend *b, size_t dim)
{
    kvq_params p;
    kvq_error err;
    memset(&p, 0, sizeof p);
    cr_assert_eq(kvq_codec_open_backend(codec, b, &p, dim, NULL, &err), KVQ_OK, "%s: %s", b->name,
                 err.msg);
}

/* One super-block with x_0 = x0 and zeros elsewhere: the code must be the bytes (offset, value)
 * listed, zero elsewhere, and decode to (back0, 0, ..., 0). */
typedef struct nonzero {
    int offset;
    uint8_t value;
} nonzero;

static void check_known(const kvq_backend *b, float x0, const nonzero *want, size_t nwant,
                        size_t bytes, float back0)
{
    float row[QK] = {0}, back[QK];
    uint8_t code[QK];
    kvq_codec codec;
    kvq_error err;
    row[0] = x0;
    open_kquant(&codec, b, QK);
    cr_assert_eq(codec.code_bytes, bytes, "%s: %zu bytes", b->name, codec.code_bytes);
    cr_assert_eq(kvq_codec_encode(&codec, row, 1, code, &err), KVQ_OK);
    for (size_t k = 0; k < bytes; k++) {
        uint8_t expect = 0;
        for (size_t w = 0; w < nwant; w++)
            if (want[w].offset == (int)k) expect = want[w].value;
        cr_assert_eq(code[k], expect, "%s: byte %zu is %02x, expected %02x", b->name, k, code[k],
                     expect);
    }
    cr_assert_eq(kvq_codec_reconstruct(&codec, code, 1, back, &err), KVQ_OK);
    cr_assert_eq(back[0], back0, "%s: %.9g", b->name, (double)back[0]);
    for (int j = 1; j < QK; j++) cr_assert_eq(back[j], 0.0f, "%s: coordinate %d", b->name, j);
    kvq_codec_close(&codec);
}

Test(deployed_kquants, q2_k)
{
    const nonzero want[] = {{0, 0x0f}, {16, 0x03}, {80, 0x44}, {81, 0x2c}};
    /* d = half(1/15) = (1 + 68/1024) / 16; d sc_0 = 16380/16384; x_0 = 3 d sc_0 */
    check_known(&kvq_backend_q2_k, 3.0f, want, 4, 84, 3.0f * 16380.0f / 16384.0f);
}

Test(deployed_kquants, q3_k)
{
    nonzero want[20];
    size_t n = 0;
    for (int k = 1; k < 16; k++) want[n++] = (nonzero){k, 0x01}; /* hmask of block 0's zeros */
    want[n++] = (nonzero){104, 0xa8};                            /* top bits of s_j + 32 = 32 */
    want[n++] = (nonzero){105, 0xaa};
    want[n++] = (nonzero){106, 0xaa};
    want[n++] = (nonzero){107, 0xaa};
    want[n++] = (nonzero){109, 0x20}; /* d = 2^-7 */
    check_known(&kvq_backend_q3_k, 1.0f, want, n, 110, 1.0f);
}

Test(deployed_kquants, q4_k)
{
    const nonzero want[] = {{0, 0x10}, {1, 0x24}, {4, 0x3f}, {16, 0x0f}};
    /* d = half(1/63) = (1 + 16/1024) / 64; d sc_0 = 63 d = 16380/16384 */
    check_known(&kvq_backend_q4_k, 15.0f, want, 4, 144, 15.0f * 16380.0f / 16384.0f);
}

Test(deployed_kquants, q5_k)
{
    const nonzero want[] = {{0, 0x10}, {1, 0x24}, {4, 0x3f}, {16, 0x01}, {48, 0x0f}};
    check_known(&kvq_backend_q5_k, 31.0f, want, 5, 176, 31.0f * 16380.0f / 16384.0f);
}

Test(deployed_kquants, q6_k)
{
    nonzero want[17];
    size_t n = 0;
    for (int k = 1; k < 16; k++) want[n++] = (nonzero){128 + k, 0x02}; /* code 32: top bits 2 */
    want[n++] = (nonzero){192, 0x80};                                  /* s_0 = -128 */
    want[n++] = (nonzero){209, 0x0c};                                  /* d = 2^-12 */
    check_known(&kvq_backend_q6_k, 1.0f, want, n, 210, 1.0f);
}

typedef struct kquant {
    const kvq_backend *b;
    size_t bytes;
} kquant;

static const kquant kquants[] = {
    {&kvq_backend_q2_k, 84},  {&kvq_backend_q3_k, 110}, {&kvq_backend_q4_k, 144},
    {&kvq_backend_q5_k, 176}, {&kvq_backend_q6_k, 210},
};

Test(deployed_kquants, sizes_and_dimensions)
{
    for (size_t c = 0; c < sizeof kquants / sizeof *kquants; c++) {
        const size_t dims[] = {256, 512, 4096};
        for (size_t t = 0; t < 3; t++) {
            kvq_codec codec;
            open_kquant(&codec, kquants[c].b, dims[t]);
            cr_assert_eq(codec.code_bytes, dims[t] / QK * kquants[c].bytes);
            cr_assert_eq(kvq_codec_shared_bytes(&codec), 0);
            kvq_codec_close(&codec);
        }
        kvq_codec codec;
        kvq_params p;
        kvq_error err;
        memset(&p, 0, sizeof p);
        cr_assert_eq(kvq_codec_open_backend(&codec, kquants[c].b, &p, 128, NULL, &err), KVQ_EINVAL);
        char want[128];
        snprintf(want, sizeof want, "%s: dim 128 is not a multiple of the block size 256",
                 kquants[c].b->name);
        cr_assert_str_eq(err.msg, want);
        cr_assert_str_eq(kquants[c].b->variants, "");
    }
}

/* The contract's rules at dimension 256 on 1024 N(0,1) rows. */
Test(deployed_kquants, contract_at_dim_256)
{
    const size_t n = 1024, dim = QK;
    float *rows = kvq_test_gaussian_rows(n, dim, 1234);
    float *queries = kvq_test_gaussian_rows(8, dim, 98);
    for (size_t c = 0; c < sizeof kquants / sizeof *kquants; c++) {
        const kvq_backend *b = kquants[c].b;
        kvq_codec codec;
        kvq_error err;
        open_kquant(&codec, b, dim);
        size_t bytes = codec.code_bytes;
        uint8_t *codes = malloc(n * bytes), *one = malloc(bytes);
        float *back = malloc(n * dim * sizeof *back), *est = malloc(n * sizeof *est);
        cr_assert(codes && one && back && est);
        cr_assert_eq(kvq_codec_encode(&codec, rows, n, codes, &err), KVQ_OK);
        cr_assert_eq(kvq_codec_reconstruct(&codec, codes, n, back, &err), KVQ_OK);
        double num = 0.0, den = 0.0;
        for (size_t i = 0; i < n * dim; i++) {
            cr_assert(isfinite(back[i]));
            num += ((double)rows[i] - back[i]) * ((double)rows[i] - back[i]);
            den += (double)rows[i] * rows[i];
        }
        cr_assert_leq(num / den, b->tolerance, "%s: relative MSE %g above %g", b->name, num / den,
                      b->tolerance);
        for (size_t q = 0; q < 8; q++) {
            const float *qv = queries + q * dim;
            cr_assert_eq(kvq_codec_score(&codec, qv, codes, n, est, &err), KVQ_OK);
            for (size_t i = 0; i < n; i++) {
                double dot = 0.0, qq = 0.0, xx = 0.0;
                for (size_t j = 0; j < dim; j++) {
                    dot += (double)qv[j] * back[i * dim + j];
                    qq += (double)qv[j] * qv[j];
                    xx += (double)back[i * dim + j] * back[i * dim + j];
                }
                cr_assert_leq(fabs(dot - est[i]), 1e-5 * sqrt(qq * xx) + 1e-6, "%s", b->name);
            }
        }
        for (size_t i = 0; i < n; i += 97) {
            cr_assert_eq(kvq_codec_encode(&codec, rows + i * dim, 1, one, &err), KVQ_OK);
            cr_assert_eq(memcmp(one, codes + i * bytes, bytes), 0, "%s: row %zu", b->name, i);
        }
        float saved = rows[7];
        rows[7] = NAN;
        cr_assert_eq(kvq_codec_encode(&codec, rows, n, codes, &err), KVQ_EINVAL);
        rows[7] = saved;
        free(codes);
        free(one);
        free(back);
        free(est);
        kvq_codec_close(&codec);
    }
    free(rows);
    free(queries);
}
