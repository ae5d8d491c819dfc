/* mxfp8: OCP Microscaling Formats (MX) v1.0 MXFP8 with E4M3 elements: blocks of 32 E4M3 elements
 * sharing one E8M0 scale. The scale is X = 2^(floor(log2(max|x|)) - 8) (8 is E4M3's largest
 * exponent; 2^-127, E8M0 0x00, for an all-zero block; the exponent clamped to [-127, 127]); each
 * element is x_j / X rounded to the nearest E4M3 value, ties to even, saturating at +-448, the
 * sign kept also on zero (backends/minifloat.h); it decodes to e4m3 * X.
 *
 * Layout, per block of 32 (33 bytes): the E8M0 byte, then the 32 E4M3 bytes in order (sign bit 7,
 * exponent bits 6-3 with bias 7, mantissa bits 2-0). Bits per coordinate: 8.25. The dimension
 * must be a multiple of 32.
 *
 * Relative MSE on N(0,1) rows: about 8.6e-4 (3 mantissa bits, the power-of-two scale leaving the
 * largest element anywhere in [256, 512) before saturation). Known answer
 * (tests/test_deployed_known.c): the block (448, -3 * 2^-10, 17, 0, ..., 0) has X = 1 (E8M0 0x7f)
 * and elements 448 (0x7e), -2^-8 (0x82, subnormal: 1.5 quanta of 2^-9, the tie goes to even), 16
 * (0x58, the tie between 16 and 18 goes to even): bytes 7f 7e 82 58 00 ... 00. */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "minifloat.h"
#include "util.h"

#include <stdint.h>

#define MXFP8_BLOCK 32
#define MXFP8_EMAX 8

static const kvq_param_doc mxfp8_params[] = {{NULL, NULL, NULL}};

static void mxfp8_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    float amax;
    kvq_blockfmt_extreme(x, MXFP8_BLOCK, &amax);
    out[0] = kvq_mx_scale(amax, MXFP8_EMAX);
    kvq_minifloat_encode_scaled(&kvq_e4m3, x, MXFP8_BLOCK, kvq_e8m0_decode(out[0]), out + 1);
}

static void mxfp8_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    kvq_minifloat_decode_scaled(&kvq_e4m3, in + 1, MXFP8_BLOCK, kvq_e8m0_decode(in[0]), x);
}

static const kvq_blockfmt mxfp8_format = {
    .name = "mxfp8",
    .block = MXFP8_BLOCK,
    .block_bytes = 1 + MXFP8_BLOCK,
    .encode_block = mxfp8_encode_block,
    .decode_block = mxfp8_decode_block,
};

static int mxfp8_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&mxfp8_format, dim, state, err);
}

const kvq_backend kvq_backend_mxfp8 = {
    .name = "mxfp8",
    .summary = "OCP MXFP8 (E4M3): FP8 elements in blocks of 32 with an E8M0 power-of-two scale "
               "(8.25 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = mxfp8_params,
    .variants = "",
    .tolerance = 1.1e-3,
    .create = mxfp8_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
