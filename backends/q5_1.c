/* q5_1: ggml's Q5_1, byte for byte (block_q5_1 of ggml-common.h, quantize_row_q5_1_ref and
 * dequantize_row_q5_1 of ggml-quants.c). Blocks of 32 coordinates with a scale and a minimum: the
 * block's min and max give d = (max - min) / 31 (float) and the codes
 * q_j = MIN(31, (int)((x_j - min) * (1/d) + 0.5)) (1/d in float, 0 when d = 0); d and min are
 * then stored as IEEE halves, and a code decodes to q_j * half(d) + half(min).
 *
 * Layout, per block of 32 (24 bytes): d, then min, as IEEE halves, little endian (4 bytes); qh, a
 * little-endian u32 whose bit j is bit 4 of q_j (4 bytes); then 16 bytes, byte j holding the low
 * four bits of q_j in its low nibble and those of q_{j+16} in its high nibble. Bits per
 * coordinate: 6. The dimension must be a multiple of 32.
 *
 * Relative MSE on N(0,1) rows: about 1.4e-3 (a step of (max - min)/31 within each block of 32).
 * Known answer (tests/test_deployed_known.c): the block (-1, 30, 2.2, 0, ..., 0) has d = 1,
 * min = -1 and codes 0, 31, 3, 1, 1, ...: bytes 00 3c 00 bc, 02 00 00 00, 10 1f 13 11 ... 11,
 * decoding to (-1, 30, 2, 0, ...). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdint.h>

#define Q5_1_BLOCK 32

static const kvq_param_doc q5_1_params[] = {{NULL, NULL, NULL}};

static void q5_1_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[Q5_1_BLOCK];
    float min;
    kvq_blockfmt_put_half(out, kvq_blockfmt_legacy1(x, Q5_1_BLOCK, 5, codes, &min));
    kvq_blockfmt_put_half(out + 2, min);
    kvq_blockfmt_put_fifth_bits(codes, Q5_1_BLOCK, out + 4);
    for (int j = 0; j < Q5_1_BLOCK; j++) codes[j] &= 0x0f;
    kvq_blockfmt_pack_halves(codes, Q5_1_BLOCK, out + 8);
}

static void q5_1_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    uint8_t codes[Q5_1_BLOCK];
    float d = kvq_blockfmt_half(in), m = kvq_blockfmt_half(in + 2);
    kvq_blockfmt_unpack_halves(in + 8, Q5_1_BLOCK, codes);
    kvq_blockfmt_add_fifth_bits(in + 4, Q5_1_BLOCK, codes);
    for (int j = 0; j < Q5_1_BLOCK; j++) x[j] = (float)codes[j] * d + m;
}

static const kvq_blockfmt q5_1_format = {
    .name = "q5_1",
    .block = Q5_1_BLOCK,
    .block_bytes = 8 + Q5_1_BLOCK / 2,
    .encode_block = q5_1_encode_block,
    .decode_block = q5_1_decode_block,
};

static int q5_1_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q5_1_format, dim, state, err);
}

const kvq_backend kvq_backend_q5_1 = {
    .name = "q5_1",
    .summary = "ggml Q5_1, byte-exact: 5-bit codes in blocks of 32 with f16 scale and minimum (6 "
               "bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q5_1_params,
    .variants = "",
    .tolerance = 2e-3,
    .create = q5_1_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
