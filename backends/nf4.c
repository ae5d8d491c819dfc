/* nf4: bitsandbytes' 4-bit NormalFloat (Dettmers et al., QLoRA, arXiv 2305.14314): blocks of 64
 * coordinates with an f32 absmax scale. Each coordinate is multiplied by the float reciprocal of
 * the block's absmax and coded as the entry of the 16-value NF4 table nearest to it, by the
 * thresholds of bitsandbytes' dQuantizeNF4 (csrc/kernels.cu; the midpoints of adjacent entries,
 * as float literals; a value on a threshold takes the lower entry); a code decodes to
 * table[code] * absmax. An all-zero block has absmax 0 and every code 7 (the table's 0), as the
 * default torch backend of bitsandbytes gives. (Its CUDA kernel, built with --use_fast_math, may
 * round the reciprocal differently in the last bit.)
 *
 * Layout, per block of 64 (36 bytes): absmax as f32, little endian (4 bytes; bitsandbytes keeps
 * the absmax values in a tensor of their own), then 32 bytes, byte j holding coordinate 2j in its
 * high nibble and 2j + 1 in its low nibble, as bitsandbytes packs them. Bits per coordinate: 4.5.
 * The dimension must be a multiple of 64.
 *
 * Relative MSE on N(0,1) rows: about 8.4e-3. Known answer (tests/test_deployed_known.c): the
 * block (2, -1, 0.1, 0, ..., 0) has absmax 2 (bytes 00 00 00 40) and codes 15 (1.0), 2 (-0.5 lies
 * between the thresholds -0.61 and -0.46: -0.525), 8 (0.05: 0.0796), 7, 7, ...: bytes f2 87 77
 * ... 77, decoding to (2, 2 * -0.5250730514526367f, 2 * 0.07958029955625534f, 0, ...). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdint.h>

#define NF4_BLOCK 64

static const kvq_param_doc nf4_params[] = {{NULL, NULL, NULL}};

static const float nf4_table[16] = {
    -1.0f,
    -0.6961928009986877f,
    -0.5250730514526367f,
    -0.39491748809814453f,
    -0.28444138169288635f,
    -0.18477343022823334f,
    -0.09105003625154495f,
    0.0f,
    0.07958029955625534f,
    0.16093020141124725f,
    0.24611230194568634f,
    0.33791524171829224f,
    0.44070982933044434f,
    0.5626170039176941f,
    0.7229568362236023f,
    1.0f,
};

/* thresholds[k] separates entry k from entry k + 1 */
static const float nf4_thresholds[15] = {
    -0.8480964004993439f,  -0.6106329262256622f,  -0.4599952697753906f,   -0.33967943489551544f,
    -0.23460740596055984f, -0.13791173323988914f, -0.045525018125772476f, 0.03979014977812767f,
    0.1202552504837513f,   0.2035212516784668f,   0.2920137718319893f,    0.3893125355243683f,
    0.5016634166240692f,   0.6427869200706482f,   0.8614784181118011f,
};

static uint8_t nf4_code(float v)
{
    uint8_t code = 0;
    for (int k = 0; k < 15; k++) code = (uint8_t)(code + (v > nf4_thresholds[k]));
    return code;
}

static void nf4_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    float amax;
    kvq_blockfmt_extreme(x, NF4_BLOCK, &amax);
    float r = kvq_blockfmt_inverse(amax);
    kvq_blockfmt_put_f32(out, amax);
    for (int j = 0; j < NF4_BLOCK / 2; j++)
        out[4 + j] = (uint8_t)(nf4_code(x[2 * j] * r) << 4 | nf4_code(x[2 * j + 1] * r));
}

static void nf4_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    float amax = kvq_blockfmt_f32(in);
    for (int j = 0; j < NF4_BLOCK / 2; j++) {
        x[2 * j] = nf4_table[in[4 + j] >> 4] * amax;
        x[2 * j + 1] = nf4_table[in[4 + j] & 0x0f] * amax;
    }
}

static const kvq_blockfmt nf4_format = {
    .name = "nf4",
    .block = NF4_BLOCK,
    .block_bytes = 4 + NF4_BLOCK / 2,
    .encode_block = nf4_encode_block,
    .decode_block = nf4_decode_block,
};

static int nf4_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&nf4_format, dim, state, err);
}

const kvq_backend kvq_backend_nf4 = {
    .name = "nf4",
    .summary = "bitsandbytes NF4: 4-bit NormalFloat codes in blocks of 64 with an f32 absmax (4.5 "
               "bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = nf4_params,
    .variants = "",
    .tolerance = 1e-2,
    .create = nf4_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
