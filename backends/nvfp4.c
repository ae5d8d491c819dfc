/* nvfp4: NVIDIA's NVFP4, two-level scaling: blocks of 16 E2M1 elements, each block with an E4M3
 * scale, and one f32 scale per tensor. fit sets the tensor scale G = max|x| / (448 * 6) over the
 * training rows (448 is E4M3's largest value, 6 E2M1's; 1 when they are all zero), counted as 4
 * shared bytes; encoding before fit is refused, so that the codes of one instance share one G as
 * those of a deployed tensor do (a per-row G would add 4 bytes a row). Rows beyond the training
 * range saturate.
 *
 * A block's scale is s = e4m3(max|x| / 6 / G) (float divisions; round to nearest even, saturating
 * at 448: backends/minifloat.h); its elements are e2m1(x_j / (s * G)) (the product rounded to
 * float first; all +0 when it is 0), decoding to (e2m1 * s) * G.
 *
 * Layout, per block of 16 (9 bytes): the E4M3 scale byte, then 8 bytes, byte j holding element j
 * in its low nibble and element j + 8 in its high nibble (the order within ggml's block_nvfp4
 * sub-blocks; E2M1: sign bit 3, exponent bits 2-1, mantissa bit 0). Bits per coordinate: 4.5,
 * plus G. The dimension must be a multiple of 16.
 *
 * Relative MSE on N(0,1) rows: about 9e-3. Known answer (tests/test_deployed_known.c): fitted on
 * itself, the row of two blocks (2688, 336, -1120, 0, ..., 0 | 3, 1, 0, ..., 0) has G = 1; the
 * first block s = 448 (0x7e) and elements 6 (0x7), 1 (0x2: 0.75 ties to even), -2 (0xc: -2.5
 * ties to even), the second s = 0.5 (0x30) and elements 6 (0x7), 2 (0x4): bytes
 * 7e 07 02 0c 00 00 00 00 00 30 07 04 00 00 00 00 00 00. */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "minifloat.h"
#include "util.h"

#include <stdint.h>

#define NVFP4_BLOCK 16

static const kvq_param_doc nvfp4_params[] = {{NULL, NULL, NULL}};

static void nvfp4_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    uint8_t codes[NVFP4_BLOCK];
    float amax;
    kvq_blockfmt_extreme(x, NVFP4_BLOCK, &amax);
    out[0] = kvq_minifloat_encode(&kvq_e4m3, amax / 6.0f / s->tensor_scale);
    float scale = kvq_minifloat_decode(&kvq_e4m3, out[0]) * s->tensor_scale;
    kvq_minifloat_encode_scaled(&kvq_e2m1, x, NVFP4_BLOCK, scale, codes);
    kvq_blockfmt_pack_halves(codes, NVFP4_BLOCK, out + 1);
}

static void nvfp4_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    uint8_t codes[NVFP4_BLOCK];
    kvq_blockfmt_unpack_halves(in + 1, NVFP4_BLOCK, codes);
    kvq_minifloat_decode_scaled(&kvq_e2m1, codes, NVFP4_BLOCK,
                                kvq_minifloat_decode(&kvq_e4m3, in[0]), x);
    for (int j = 0; j < NVFP4_BLOCK; j++) x[j] *= s->tensor_scale;
}

static const kvq_blockfmt nvfp4_format = {
    .name = "nvfp4",
    .block = NVFP4_BLOCK,
    .block_bytes = 1 + NVFP4_BLOCK / 2,
    .encode_block = nvfp4_encode_block,
    .decode_block = nvfp4_decode_block,
    .tensor_range = 448.0f * 6.0f,
};

static int nvfp4_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&nvfp4_format, dim, state, err);
}

const kvq_backend kvq_backend_nvfp4 = {
    .name = "nvfp4",
    .summary =
        "NVIDIA NVFP4: E2M1 elements in blocks of 16 with an E4M3 scale and a per-tensor f32 "
        "scale from fit (4.5 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = nvfp4_params,
    .variants = "",
    .tolerance = 1.1e-2,
    .create = nvfp4_create,
    .fit = kvq_blockfmt_fit,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .shared_bytes = kvq_blockfmt_shared_bytes,
    .destroy = kvq_state_free,
};
