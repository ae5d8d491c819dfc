/* q8_0: ggml's Q8_0, byte for byte (block_q8_0 of ggml-common.h, quantize_row_q8_0_ref and
 * dequantize_row_q8_0 of ggml-quants.c). Blocks of 32 coordinates; a block's scale is
 * d = max|x| / 127 (float), its codes q_j = roundf(x_j / d) as int8 (x_j times the float 1/d,
 * ties away from zero; all zero when d = 0), decoding to q_j * half(d).
 *
 * Layout, per block of 32 (34 bytes): d as IEEE half, little endian (2 bytes), then the 32 codes
 * as int8. Bits per coordinate: 8.5. The dimension must be a multiple of 32.
 *
 * Relative MSE on N(0,1) rows: about 2.9e-5 (a step of max|x|/127 within each block of 32).
 * Known answer (tests/test_deployed_known.c): the block (127, -63.5, 0.5, 0, ..., 0) has d = 1
 * and codes 127, -64, 1, 0, ...: bytes 00 3c 7f c0 01 00 ... 00, decoding to (127, -64, 1, 0, ...).
 */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdint.h>

#define Q8_0_BLOCK 32

static const kvq_param_doc q8_0_params[] = {{NULL, NULL, NULL}};

static void q8_0_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    float amax;
    kvq_blockfmt_extreme(x, Q8_0_BLOCK, &amax);
    float d = amax / 127.0f;
    float id = kvq_blockfmt_inverse(d);
    kvq_blockfmt_put_half(out, d);
    for (int j = 0; j < Q8_0_BLOCK; j++)
        out[2 + j] = (uint8_t)(int8_t)kvq_blockfmt_round(x[j] * id, 127);
}

static void q8_0_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    float d = kvq_blockfmt_half(in);
    for (int j = 0; j < Q8_0_BLOCK; j++) x[j] = (float)(int8_t)in[2 + j] * d;
}

static const kvq_blockfmt q8_0_format = {
    .name = "q8_0",
    .block = Q8_0_BLOCK,
    .block_bytes = 2 + Q8_0_BLOCK,
    .encode_block = q8_0_encode_block,
    .decode_block = q8_0_decode_block,
};

static int q8_0_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q8_0_format, dim, state, err);
}

const kvq_backend kvq_backend_q8_0 = {
    .name = "q8_0",
    .summary =
        "ggml Q8_0, byte-exact: int8 codes in blocks of 32 with an f16 absmax scale (8.5 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q8_0_params,
    .variants = "",
    .tolerance = 5e-5,
    .create = q8_0_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
