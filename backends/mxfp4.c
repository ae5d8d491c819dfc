/* mxfp4: OCP Microscaling Formats (MX) v1.0 MXFP4: blocks of 32 E2M1 elements sharing one E8M0
 * scale. The scale is X = 2^(floor(log2(max|x|)) - 2) (2 is E2M1's largest exponent; 2^-127, E8M0
 * 0x00, for an all-zero block; the exponent clamped to [-127, 127]); each element is x_j / X
 * rounded to the nearest E2M1 value {0, 0.5, 1, 1.5, 2, 3, 4, 6}, ties to even, saturating at
 * +-6, the sign kept also on zero (backends/minifloat.h); it decodes to e2m1 * X.
 *
 * Layout, per block of 32 (17 bytes), as ggml's block_mxfp4: the E8M0 byte, then 16 bytes, byte
 * j holding element j in its low nibble and element j + 16 in its high nibble (E2M1: sign bit 3,
 * exponent bits 2-1, mantissa bit 0). Bits per coordinate: 4.25. The dimension must be a multiple
 * of 32. ggml's quantize_row_mxfp4_ref picks the same codes except that it writes +0 for every
 * zero (its nearest-value search starts at index 0) and breaks exact ties towards zero instead
 * of to even; decoded values differ only on those ties.
 *
 * Relative MSE on N(0,1) rows: about 1.3e-2. Known answer (tests/test_deployed_known.c): the
 * block (7, -0.75, 2.5, 0.1, -0.1, 5, 0, ..., 0) has X = 1 (E8M0 0x7f) and elements 6 (0x7,
 * saturated), -1 (0xa, the tie goes to the even mantissa), 2 (0x4), 0, -0 (0x8), 4 (0x6):
 * bytes 7f 07 0a 04 00 08 06 00 ... 00. */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "minifloat.h"
#include "util.h"

#include <stdint.h>

#define MXFP4_BLOCK 32
#define MXFP4_EMAX 2

static const kvq_param_doc mxfp4_params[] = {{NULL, NULL, NULL}};

static void mxfp4_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[MXFP4_BLOCK];
    float amax;
    kvq_blockfmt_extreme(x, MXFP4_BLOCK, &amax);
    out[0] = kvq_mx_scale(amax, MXFP4_EMAX);
    kvq_minifloat_encode_scaled(&kvq_e2m1, x, MXFP4_BLOCK, kvq_e8m0_decode(out[0]), codes);
    kvq_blockfmt_pack_halves(codes, MXFP4_BLOCK, out + 1);
}

static void mxfp4_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    uint8_t codes[MXFP4_BLOCK];
    kvq_blockfmt_unpack_halves(in + 1, MXFP4_BLOCK, codes);
    kvq_minifloat_decode_scaled(&kvq_e2m1, codes, MXFP4_BLOCK, kvq_e8m0_decode(in[0]), x);
}

static const kvq_blockfmt mxfp4_format = {
    .name = "mxfp4",
    .block = MXFP4_BLOCK,
    .block_bytes = 1 + MXFP4_BLOCK / 2,
    .encode_block = mxfp4_encode_block,
    .decode_block = mxfp4_decode_block,
};

static int mxfp4_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&mxfp4_format, dim, state, err);
}

const kvq_backend kvq_backend_mxfp4 = {
    .name = "mxfp4",
    .summary = "OCP MXFP4: E2M1 elements in blocks of 32 with an E8M0 power-of-two scale (4.25 "
               "bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = mxfp4_params,
    .variants = "",
    .tolerance = 1.6e-2,
    .create = mxfp4_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
