/* q4_0: ggml's Q4_0, byte for byte (block_q4_0 of ggml-common.h, quantize_row_q4_0_ref and
 * dequantize_row_q4_0 of ggml-quants.c). Blocks of 32 coordinates. The block's extreme element m
 * (the first of largest magnitude) gives d = m / -8 (float); the codes are
 * q_j = MIN(15, (int)(x_j * (1/d) + 8.5)) from that unrounded d (1/d in float, 0 when d = 0),
 * and d is then stored as IEEE half; a code decodes to (q_j - 8) * half(d). Unlike the int4
 * codec, which rounds the scale first, the codes here fit the unrounded scale, as ggml's do.
 *
 * Layout, per block of 32 (18 bytes): d as IEEE half, little endian (2 bytes), then 16 bytes,
 * byte j holding q_j in its low nibble and q_{j+16} in its high nibble. Bits per coordinate: 4.5.
 * The dimension must be a multiple of 32.
 *
 * Relative MSE on N(0,1) rows: about 7.4e-3 (a step of max|x|/8 within each block of 32).
 * Known answer (tests/test_deployed_known.c): the block (-8, 4, 1, 0.4, 0, ..., 0) has d = 1 and
 * codes 0, 12, 9, 8, 8, ...: bytes 00 3c 80 8c 89 88 ... 88, decoding to (-8, 4, 1, 0, ...). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdint.h>

#define Q4_0_BLOCK 32

static const kvq_param_doc q4_0_params[] = {{NULL, NULL, NULL}};

static void q4_0_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[Q4_0_BLOCK];
    kvq_blockfmt_put_half(out, kvq_blockfmt_legacy0(x, Q4_0_BLOCK, 4, codes));
    kvq_blockfmt_pack_halves(codes, Q4_0_BLOCK, out + 2);
}

static void q4_0_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    uint8_t codes[Q4_0_BLOCK];
    float d = kvq_blockfmt_half(in);
    kvq_blockfmt_unpack_halves(in + 2, Q4_0_BLOCK, codes);
    for (int j = 0; j < Q4_0_BLOCK; j++) x[j] = (float)(codes[j] - 8) * d;
}

static const kvq_blockfmt q4_0_format = {
    .name = "q4_0",
    .block = Q4_0_BLOCK,
    .block_bytes = 2 + Q4_0_BLOCK / 2,
    .encode_block = q4_0_encode_block,
    .decode_block = q4_0_decode_block,
};

static int q4_0_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q4_0_format, dim, state, err);
}

const kvq_backend kvq_backend_q4_0 = {
    .name = "q4_0",
    .summary = "ggml Q4_0, byte-exact: 4-bit codes in blocks of 32 with an f16 scale (4.5 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q4_0_params,
    .variants = "",
    .tolerance = 8e-3,
    .create = q4_0_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
