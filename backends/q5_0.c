/* q5_0: ggml's Q5_0, byte for byte (block_q5_0 of ggml-common.h, quantize_row_q5_0_ref and
 * dequantize_row_q5_0 of ggml-quants.c). Blocks of 32 coordinates. The block's extreme element m
 * (the first of largest magnitude) gives d = m / -16 (float); the codes are
 * q_j = MIN(31, (int)(x_j * (1/d) + 16.5)) from that unrounded d (1/d in float, 0 when d = 0),
 * and d is then stored as IEEE half; a code decodes to (q_j - 16) * half(d).
 *
 * Layout, per block of 32 (22 bytes): d as IEEE half, little endian (2 bytes); qh, a little-endian
 * u32 whose bit j is bit 4 of q_j (4 bytes); then 16 bytes, byte j holding the low four bits of
 * q_j in its low nibble and those of q_{j+16} in its high nibble. Bits per coordinate: 5.5. The
 * dimension must be a multiple of 32.
 *
 * Relative MSE on N(0,1) rows: about 1.8e-3 (a step of max|x|/16 within each block of 32).
 * Known answer (tests/test_deployed_known.c): the block (-16, 8, 1, 0, ..., 0) has d = 1 and
 * codes 0, 24, 17, 16, 16, ...: bytes 00 3c, fe ff ff ff, 00 08 01 00 ... 00, decoding to
 * (-16, 8, 1, 0, ...). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdint.h>

#define Q5_0_BLOCK 32

static const kvq_param_doc q5_0_params[] = {{NULL, NULL, NULL}};

static void q5_0_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[Q5_0_BLOCK];
    kvq_blockfmt_put_half(out, kvq_blockfmt_legacy0(x, Q5_0_BLOCK, 5, codes));
    kvq_blockfmt_put_fifth_bits(codes, Q5_0_BLOCK, out + 2);
    for (int j = 0; j < Q5_0_BLOCK; j++) codes[j] &= 0x0f;
    kvq_blockfmt_pack_halves(codes, Q5_0_BLOCK, out + 6);
}

static void q5_0_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    uint8_t codes[Q5_0_BLOCK];
    float d = kvq_blockfmt_half(in);
    kvq_blockfmt_unpack_halves(in + 6, Q5_0_BLOCK, codes);
    kvq_blockfmt_add_fifth_bits(in + 2, Q5_0_BLOCK, codes);
    for (int j = 0; j < Q5_0_BLOCK; j++) x[j] = (float)(codes[j] - 16) * d;
}

static const kvq_blockfmt q5_0_format = {
    .name = "q5_0",
    .block = Q5_0_BLOCK,
    .block_bytes = 6 + Q5_0_BLOCK / 2,
    .encode_block = q5_0_encode_block,
    .decode_block = q5_0_decode_block,
};

static int q5_0_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q5_0_format, dim, state, err);
}

const kvq_backend kvq_backend_q5_0 = {
    .name = "q5_0",
    .summary = "ggml Q5_0, byte-exact: 5-bit codes in blocks of 32 with an f16 scale (5.5 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q5_0_params,
    .variants = "",
    .tolerance = 2.5e-3,
    .create = q5_0_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
