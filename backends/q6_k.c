/* q6_k: ggml's Q6_K, byte for byte (block_q6_K of ggml-common.h, quantize_row_q6_K_ref, which
 * llama-quantize runs without an importance matrix, and dequantize_row_q6_K of ggml-quants.c).
 * Super-blocks of 256 coordinates in 16 blocks of 16, x ~ d s_j q with 6-bit codes q in [-32, 31]
 * and int8 block scales s_j. Each block is fitted by ggml's make_qx_quants (nmax 32, weights x^2,
 * 19 trial scales: backends/blockfmt.h); the scale of largest magnitude, S, gives
 * d = 1 / (-128 / S) (a half) and s_j = MIN(127, nearest(-128 scale_j / S)); the codes are redone
 * as clamp(nearest(x / (d s_j)), -32, 31) (a block whose d s_j is 0 keeps its fitted codes). A
 * super-block whose blocks all fit a scale below 1e-15 in magnitude is all zero bytes. A code
 * decodes to (d s_j) q.
 *
 * Layout, per super-block (210 bytes): ql, 128 bytes of the low 4 bits of q + 32: for each half h
 * and l < 32, byte 64 h + l holds coordinates 128 h + l (low nibble) and 128 h + l + 64 (high),
 * byte 64 h + l + 32 coordinates 128 h + l + 32 and 128 h + l + 96; qh, 64 bytes of the top 2
 * bits, byte 32 h + l holding those of coordinate 128 h + l + 32 k at bits 2k, 2k + 1; the 16 s_j
 * as int8; d as an IEEE half, little endian. Bits per coordinate: 6.5625. The dimension must be a
 * multiple of 256.
 *
 * Relative MSE on N(0,1) rows: about 3.1e-4 (rows of dim 256). Known answer
 * (tests/test_deployed_kquants.c): the super-block (1, 0, ..., 0): block 0 fits q_0 = -32 with
 * scale -1/32, the largest, so d = half(1/4096) = 0x0c00, s_0 = -128 and the empty blocks s_j = 0;
 * block 0's zeros code 32 (q = 0), the empty blocks keep their fitted codes 0: bytes 128 x 00, 00,
 * 15 x 02, 48 x 00, 80, 15 x 00, 00 0c, decoding to (1, 0, ..., 0). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define Q6_K_SUB 16

static const kvq_param_doc q6_k_params[] = {{NULL, NULL, NULL}};

static void q6_k_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[KVQ_BLOCKFMT_QK], *ql = out, *qh = out + 128;
    float scales[Q6_K_SUB], amax = 0.0f, max_scale = 0.0f;
    for (int j = 0; j < Q6_K_SUB; j++) {
        scales[j] = kvq_blockfmt_qx_quants(x + 16 * j, 16, 32, codes + 16 * j);
        if (fabsf(scales[j]) > amax) {
            amax = fabsf(scales[j]);
            max_scale = scales[j];
        }
    }
    if (amax < 1e-15f) {
        memset(out, 0, 210);
        return;
    }
    float iscale = -128.0f / max_scale;
    kvq_blockfmt_put_half(out + 208, 1.0f / iscale);
    for (int j = 0; j < Q6_K_SUB; j++) {
        int l = kvq_blockfmt_nearest(iscale * scales[j]);
        out[192 + j] = (uint8_t)(int8_t)(l > 127 ? 127 : l);
    }
    for (int j = 0; j < Q6_K_SUB; j++) {
        float dj = kvq_blockfmt_half(out + 208) * (float)(int8_t)out[192 + j];
        if (dj == 0.0f) continue;
        for (int l = 0; l < 16; l++) {
            int q = kvq_blockfmt_nearest(x[16 * j + l] / dj);
            codes[16 * j + l] = (uint8_t)((q < -32 ? -32 : q > 31 ? 31 : q) + 32);
        }
    }
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 32; l++) {
            const uint8_t *q = codes + 128 * h + l;
            ql[64 * h + l] = (uint8_t)((q[0] & 0xf) | (q[64] & 0xf) << 4);
            ql[64 * h + l + 32] = (uint8_t)((q[32] & 0xf) | (q[96] & 0xf) << 4);
            qh[32 * h + l] =
                (uint8_t)(q[0] >> 4 | (q[32] >> 4) << 2 | (q[64] >> 4) << 4 | (q[96] >> 4) << 6);
        }
}

static void q6_k_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    float d = kvq_blockfmt_half(in + 208);
    for (int c = 0; c < KVQ_BLOCKFMT_QK; c++) {
        int h = c / 128, k = c % 128 / 32, l = c % 32;
        unsigned low = in[64 * h + l + 32 * (k % 2)];
        unsigned q = (k < 2 ? low & 0xfu : low >> 4) | (in[128 + 32 * h + l] >> (2 * k) & 3u) << 4;
        x[c] = d * (float)(int8_t)in[192 + c / 16] * (float)((int)q - 32);
    }
}

static const kvq_blockfmt q6_k_format = {
    .name = "q6_k",
    .block = KVQ_BLOCKFMT_QK,
    .block_bytes = 210,
    .encode_block = q6_k_encode_block,
    .decode_block = q6_k_decode_block,
};

static int q6_k_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q6_k_format, dim, state, err);
}

const kvq_backend kvq_backend_q6_k = {
    .name = "q6_k",
    .summary = "ggml Q6_K, byte-exact: 6-bit codes and int8 scales in super-blocks of 256 (6.5625 "
               "bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q6_k_params,
    .variants = "",
    .tolerance = 5e-4,
    .create = q6_k_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
