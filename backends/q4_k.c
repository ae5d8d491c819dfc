/* q4_k: ggml's Q4_K, byte for byte (block_q4_K of ggml-common.h, quantize_row_q4_K_ref, which
 * llama-quantize runs without an importance matrix, and dequantize_row_q4_K of ggml-quants.c).
 * Super-blocks of 256 coordinates in 8 blocks of 32, x ~ d sc_j q - dmin m_j with 4-bit codes q and
 * 6-bit block scales sc_j and mins m_j: each block fitted by ggml's make_qkx2_quants (nmax 15,
 * weights sqrt(mean x^2) + |x|, squared error, trial grids -1 + 0.1 step, 21 of them), d and dmin
 * the largest scale and min over 63 (halves), the codes redone from the quantized scales
 * (backends/blockfmt.h, kvq_blockfmt_kx). A code decodes to (d sc_j) q - (dmin m_j).
 *
 * Layout, per super-block (144 bytes): d, dmin as IEEE halves, little endian; 12 bytes of 6-bit
 * scales and mins (ggml's get_scale_min_k4 order: blocks 0-3 in the low 6 bits of bytes 0-3
 * (scales) and 4-7 (mins), blocks 4-7 in the nibbles of bytes 8-11 with their top 2 bits in the
 * top bits of bytes 0-7); 128 bytes of codes, byte 32 h + l holding coordinate 64 h + l in its low
 * nibble and 64 h + l + 32 in its high nibble. Bits per coordinate: 4.5. The dimension must be a
 * multiple of 256.
 *
 * Relative MSE on N(0,1) rows: about 5.1e-3 (rows of dim 256). Known answer
 * (tests/test_deployed_kquants.c): the super-block (15, 0, ..., 0) fits block 0 exactly (scale 1,
 * min 0), so sc_0 = 63, d = half(1/63) = 0x2410 (0.0158691), dmin = 0, and x_0 codes 15: bytes 10
 * 24 00 00 3f, 11 x 00, 0f, 127 x 00, decoding to (14.9963, 0, ..., 0). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdint.h>

static const kvq_param_doc q4_k_params[] = {{NULL, NULL, NULL}};

static void q4_k_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[KVQ_BLOCKFMT_QK];
    kvq_blockfmt_kx(x, 15, -1.0f, 0.1f, 20, out, codes);
    for (int h = 0; h < 4; h++)
        for (int l = 0; l < 32; l++)
            out[16 + 32 * h + l] = (uint8_t)(codes[64 * h + l] | codes[64 * h + l + 32] << 4);
}

static void q4_k_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    for (int j = 0; j < 8; j++) {
        float d, m;
        kvq_blockfmt_kx_block(in, j, &d, &m);
        const uint8_t *qs = in + 16 + 32 * (j / 2);
        for (int l = 0; l < 32; l++)
            x[32 * j + l] = d * (float)(j % 2 ? qs[l] >> 4 : qs[l] & 0xf) - m;
    }
}

static const kvq_blockfmt q4_k_format = {
    .name = "q4_k",
    .block = KVQ_BLOCKFMT_QK,
    .block_bytes = 144,
    .encode_block = q4_k_encode_block,
    .decode_block = q4_k_decode_block,
};

static int q4_k_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q4_k_format, dim, state, err);
}

const kvq_backend kvq_backend_q4_k = {
    .name = "q4_k",
    .summary = "ggml Q4_K, byte-exact: 4-bit codes, 6-bit scales and mins in super-blocks of 256 "
               "(4.5 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q4_k_params,
    .variants = "",
    .tolerance = 7e-3,
    .create = q4_k_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
