/* q3_k: ggml's Q3_K, byte for byte (block_q3_K of ggml-common.h, quantize_row_q3_K_ref, which
 * llama-quantize runs without an importance matrix, and dequantize_row_q3_K of ggml-quants.c).
 * Super-blocks of 256 coordinates in 16 blocks of 16, x ~ d s_j q with 3-bit codes q in [-4, 3]
 * and signed 6-bit block scales s_j. Each block is fitted by ggml's make_q3_quants (nmax 4,
 * weights x^2, up to 5 passes of coordinate moves: backends/blockfmt.h); the scale of largest
 * magnitude, S, gives d = 1 / (-32 / S) (a half) and s_j = clamp(nearest(-32 scale_j / S), -32,
 * 31); the codes are redone as clamp(nearest(x / (d s_j)), -4, 3) (a block whose d s_j is 0 keeps
 * its fitted codes). A code decodes to (d s_j) q.
 *
 * Layout, per super-block (110 bytes): hmask, 32 bytes whose byte c mod 32 holds in bit c / 32 the
 * high bit of q_c + 4; 64 bytes of the low 2 bits, byte 32 h + l holding coordinates
 * 128 h + l + 32 k in bits 2k, 2k + 1; 12 bytes of the s_j + 32 (low nibbles of blocks 0-7, then
 * 8-15, in bytes 0-7; the top 2 bits of block j at bits 2 (j / 4) of byte 8 + j mod 4); d as an
 * IEEE half, little endian. Bits per coordinate: 3.4375. The dimension must be a multiple of 256.
 *
 * Relative MSE on N(0,1) rows: about 2.3e-2 (rows of dim 256). Known answer
 * (tests/test_deployed_kquants.c): the super-block (1, 0, ..., 0): block 0 fits q_0 = -4 with scale
 * -0.25, the largest, so d = half(1/128) = 0x2000, s_0 = -32 and the empty blocks s_j = 0; x_0
 * decodes to
 * (-0.25)(-4) = 1, the other coordinates of block 0 have q = 0 (hmask bit set) and the other
 * blocks d s_j = 0: bytes 00, 15 x 01, 16 x 00, 64 x 00, 8 x 00, a8 aa aa aa, 00 20. */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define Q3_K_SUB 16

static const kvq_param_doc q3_k_params[] = {{NULL, NULL, NULL}};

/* Block j's 6-bit scale field (s_j + 32). */
static unsigned q3_k_scale(const uint8_t *sb, int j)
{
    unsigned low = j < 8 ? sb[j] & 0xfu : (unsigned)sb[j - 8] >> 4;
    return low | ((unsigned)(sb[8 + j % 4] >> (2 * (j / 4))) & 3u) << 4;
}

static void q3_k_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[KVQ_BLOCKFMT_QK], *hmask = out, *sb = out + 96;
    float scales[Q3_K_SUB], amax = 0.0f, max_scale = 0.0f;
    for (int j = 0; j < Q3_K_SUB; j++) {
        scales[j] = kvq_blockfmt_q3_quants(x + 16 * j, 16, 4, codes + 16 * j);
        if (fabsf(scales[j]) > amax) {
            amax = fabsf(scales[j]);
            max_scale = scales[j];
        }
    }
    memset(sb, 0, 12);
    float d = 0.0f;
    if (max_scale != 0.0f) {
        float iscale = -32.0f / max_scale;
        for (int j = 0; j < Q3_K_SUB; j++) {
            int l = kvq_blockfmt_nearest(iscale * scales[j]);
            l = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
            sb[j % 8] = (uint8_t)(sb[j % 8] | (l & 0xf) << (4 * (j / 8)));
            sb[8 + j % 4] = (uint8_t)(sb[8 + j % 4] | (l >> 4) << (2 * (j / 4)));
        }
        d = 1.0f / iscale;
    }
    kvq_blockfmt_put_half(out + 108, d);
    for (int j = 0; j < Q3_K_SUB; j++) {
        float dj = kvq_blockfmt_half(out + 108) * (float)((int)q3_k_scale(sb, j) - 32);
        if (dj == 0.0f) continue;
        for (int l = 0; l < 16; l++) {
            int q = kvq_blockfmt_nearest(x[16 * j + l] / dj);
            codes[16 * j + l] = (uint8_t)((q < -4 ? -4 : q > 3 ? 3 : q) + 4);
        }
    }
    memset(hmask, 0, 32);
    for (int c = 0; c < KVQ_BLOCKFMT_QK; c++)
        if (codes[c] > 3) {
            hmask[c % 32] = (uint8_t)(hmask[c % 32] | 1u << (c / 32));
            codes[c] = (uint8_t)(codes[c] - 4);
        }
    kvq_blockfmt_put_crumbs(codes, out + 32);
}

static void q3_k_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    float d = kvq_blockfmt_half(in + 108);
    for (int j = 0; j < Q3_K_SUB; j++) {
        float dl = d * (float)((int)q3_k_scale(in + 96, j) - 32);
        for (int l = 0; l < 16; l++) {
            int c = 16 * j + l;
            int high = in[c % 32] >> (c / 32) & 1;
            x[c] = dl * (float)((int)kvq_blockfmt_crumb(in + 32, c) - (high ? 0 : 4));
        }
    }
}

static const kvq_blockfmt q3_k_format = {
    .name = "q3_k",
    .block = KVQ_BLOCKFMT_QK,
    .block_bytes = 110,
    .encode_block = q3_k_encode_block,
    .decode_block = q3_k_decode_block,
};

static int q3_k_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&q3_k_format, dim, state, err);
}

const kvq_backend kvq_backend_q3_k = {
    .name = "q3_k",
    .summary = "ggml Q3_K, byte-exact: 3-bit codes and 6-bit scales in super-blocks of 256 "
               "(3.4375 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = q3_k_params,
    .variants = "",
    .tolerance = 3e-2,
    .create = q3_k_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
