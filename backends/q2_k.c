/* q2_k: ggml's Q2_K, byte for byte (block_q2_K of ggml-common.h, quantize_row_q2_K_ref, which
 * llama-quantize runs without an importance matrix, and dequantize_row_q2_K of ggml-quants.c).
 * Super-blocks of 256 coordinates in 16 blocks of 16, x ~ d sc_j q - dmin m_j with 2-bit codes q
 * and 4-bit block scales sc_j and mins m_j. Each block is fitted by ggml's make_qkx2_quants
 * (nmax 3, weights |x|, absolute error, trial grids -0.5 + 0.1 step, 16 of them:
 * backends/blockfmt.h); the largest scale and min give d = max scale / 15 and dmin = max min / 15
 * (halves), the blocks' sc_j = nearest(15 scale_j / max scale) and m_j likewise, and the codes are
 * redone as nearest((x + dmin m_j) / (d sc_j)) in [0, 3] (a block whose d sc_j is 0 keeps its
 * fitted codes). A code decodes to (d sc_j) q - (dmin m_j).
 *
 * Layout, per super-block (84 bytes): 16 bytes sc_j | m_j << 4; 64 bytes of 2-bit codes, byte
 * 32 h + l holding coordinates 128 h + l + 32 k in bits 2k, 2k + 1 (k = 0..3); d and dmin as IEEE
 * halves, little endian. Bits per coordinate: 2.625. The dimension must be a multiple of 256.
 *
 * Relative MSE on N(0,1) rows: about 8.8e-2 (rows of dim 256). Known answer
 * (tests/test_deployed_kquants.c): the super-block (3, 0, ..., 0) fits block 0 exactly (scale 1,
 * min 0), so sc_0 = 15 and d = half(1/15) = 0x2c44 (0.0666504); x_0 codes 3: bytes 0f, 15 x 00, 03,
 * 63 x 00, 44 2c, 00 00, decoding to (2.99927, 0, ..., 0). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define Q2_K_SUB 16

static const kvq_param_doc q2_k_params[] = {{NULL, NULL, NULL}};

static void q2_k_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[KVQ_BLOCKFMT_QK], *sb = out;
    float scales[Q2_K_SUB], mins[Q2_K_SUB], w[Q2_K_SUB], max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < Q2_K_SUB; j++) {
        for (int l = 0; l < 16; l++) w[l] = fabsf(x[16 * j + l]);
        scales[j] =
            kvq_blockfmt_qkx2(x + 16 * j, w, 16, 3, -0.5f, 0.1f, 15, 1, codes + 16 * j, &mins[j]);
        max_scale = scales[j] > max_scale ? scales[j] : max_scale;
        max_min = mins[j] > max_min ? mins[j] : max_min;
    }
    memset(sb, 0, Q2_K_SUB);
    float d = 0.0f, dmin = 0.0f;
    if (max_scale > 0.0f) {
        float iscale = 15.0f / max_scale;
        for (int j = 0; j < Q2_K_SUB; j++)
            sb[j] = (uint8_t)kvq_blockfmt_nearest(iscale * scales[j]);
        d = max_scale / 15.0f;
    }
    if (max_min > 0.0f) {
        float iscale = 15.0f / max_min;
        for (int j = 0; j < Q2_K_SUB; j++)
            sb[j] = (uint8_t)(sb[j] | (unsigned)kvq_blockfmt_nearest(iscale * mins[j]) << 4);
        dmin = max_min / 15.0f;
    }
    kvq_blockfmt_put_half(out + 80, d);
    kvq_blockfmt_put_half(out + 82, dmin);
    for (int j = 0; j < Q2_K_SUB; j++) {
        float dj = kvq_blockfmt_half(out + 80) * (float)(sb[j] & 0xf);
        if (dj == 0.0f) continue;
        float dm = kvq_blockfmt_half(out + 82) * (float)(sb[j] >> 4);
        for (int l = 0; l < 16; l++) {
            int q = kvq_blockfmt_nearest((x[16 * j + l] + dm) / dj);
            codes[16 * j + l] = (uint8_t)(q < 0 ? 0 : q > 3 ? 3 : q);
        }
    }
    kvq_blockfmt_put_crumbs(codes, out + 16);
}

static void q2_k_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    float d = kvq_blockfmt_half(in + 80), dmin = kvq_blockfmt_half(in + 82);
    for (int j = 0; j < Q2_K_SUB; j++) {
        float dl = d * (float)(in[j] & 0xf), ml = dmin * (float)(in[j] >> 4);
        for (int l = 0; l < 16; l++)
            x[16 * j + l] = dl * (float)kvq_blockfmt_crumb(in + 16, 16 * j + l) - ml;
    }
}

static const kvq_blockfmt q2_k_format = {
    .name = "q2_k",
    .block = KVQ_BLOCKFMT_QK,
    .block_bytes = 84,
    .encode_block = q2_k_encode_block,
    .decode_block = q2_k_decode_block,
};

static int q2_k_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q2_k_format, dim, state, err);
}

const kvq_backend kvq_backend_q2_k = {
    .name = "q2_k",
    .summary = "ggml Q2_K, byte-exact: 2-bit codes, 4-bit scales and mins in super-blocks of 256 "
               "(2.625 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q2_k_params,
    .variants = "",
    .tolerance = 0.11,
    .create = q2_k_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
