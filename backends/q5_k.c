/* q5_k: ggml's Q5_K, byte for byte (block_q5_K of ggml-common.h, quantize_row_q5_K_ref, which
 * llama-quantize runs without an importance matrix, and dequantize_row_q5_K of ggml-quants.c).
 * Super-blocks of 256 coordinates in 8 blocks of 32, x ~ d sc_j q - dmin m_j with 5-bit codes q and
 * 6-bit block scales sc_j and mins m_j: each block fitted by ggml's make_qkx2_quants (nmax 31,
 * weights sqrt(mean x^2) + |x|, squared error, trial grids -0.5 + 0.1 step, 16 of them), d and
 * dmin the largest scale and min over 63 (halves), the codes redone from the quantized scales
 * (backends/blockfmt.h, kvq_blockfmt_kx). A code decodes to (d sc_j) q - (dmin m_j).
 *
 * Layout, per super-block (176 bytes): d, dmin as IEEE halves, little endian; 12 bytes of 6-bit
 * scales and mins (as q4_k); qh, 32 bytes whose byte c mod 32 holds bit 4 of q_c in bit c / 32;
 * 128 bytes of the low 4 bits, byte 32 h + l holding coordinate 64 h + l in its low nibble and
 * 64 h + l + 32 in its high nibble. Bits per coordinate: 5.5. The dimension must be a multiple of
 * 256.
 *
 * Relative MSE on N(0,1) rows: about 1.3e-3 (rows of dim 256). Known answer
 * (tests/test_deployed_kquants.c): the super-block (31, 0, ..., 0) fits block 0 exactly (scale 1,
 * min 0), so sc_0 = 63, d = half(1/63) = 0x2410 (0.0158691), dmin = 0, and x_0 codes 31: bytes 10
 * 24 00 00 3f, 11 x 00, 01, 31 x 00, 0f, 127 x 00, decoding to (30.9924, 0, ..., 0). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdint.h>
#include <string.h>

static const kvq_param_doc q5_k_params[] = {{NULL, NULL, NULL}};

static void q5_k_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[KVQ_BLOCKFMT_QK], *qh = out + 16;
    kvq_blockfmt_kx(x, 31, -0.5f, 0.1f, 15, out, codes);
    memset(qh, 0, 32);
    for (int c = 0; c < KVQ_BLOCKFMT_QK; c++)
        qh[c % 32] = (uint8_t)(qh[c % 32] | (codes[c] >> 4) << (c / 32));
    for (int h = 0; h < 4; h++)
        for (int l = 0; l < 32; l++)
            out[48 + 32 * h + l] =
                (uint8_t)((codes[64 * h + l] & 0xf) | (codes[64 * h + l + 32] & 0xf) << 4);
}

static void q5_k_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    for (int j = 0; j < 8; j++) {
        float d, m;
        kvq_blockfmt_kx_block(in, j, &d, &m);
        const uint8_t *qs = in + 48 + 32 * (j / 2);
        for (int l = 0; l < 32; l++) {
            unsigned q = (j % 2 ? qs[l] >> 4 : qs[l] & 0xfu) | (in[16 + l] >> j & 1u) << 4;
            x[32 * j + l] = d * (float)q - m;
        }
    }
}

static const kvq_blockfmt q5_k_format = {
    .name = "q5_k",
    .block = KVQ_BLOCKFMT_QK,
    .block_bytes = 176,
    .encode_block = q5_k_encode_block,
    .decode_block = q5_k_decode_block,
};

static int q5_k_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q5_k_format, dim, state, err);
}

const kvq_backend kvq_backend_q5_k = {
    .name = "q5_k",
    .summary = "ggml Q5_K, byte-exact: 5-bit codes, 6-bit scales and mins in super-blocks of 256 "
               "(5.5 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q5_k_params,
    .variants = "",
    .tolerance = 2e-3,
    .create = q5_k_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
