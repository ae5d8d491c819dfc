/* iq4_nl: ggml's IQ4_NL, byte for byte as llama-quantize writes it without an importance matrix
 * (block_iq4_nl of ggml-common.h, quantize_iq4_nl with quant_weights NULL, dequantize_row_iq4_nl
 * of ggml-quants.c): blocks of 32 coordinates, each a 4-bit index into the non-linear table
 * kvalues_iq4nl = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}
 * times an f16 scale d.
 *
 * The scale is searched, all in float, with the weights w_j = x_j^2: m the extreme element (the
 * first of largest magnitude); the codes of x_j * (1/d0), d0 = -m / -127, give the least-squares
 * scale d = sum w q x / sum w q^2 and its merit d * sum w q x; then for t = -7..7 the codes of
 * x_j * (t - 127) / m give a candidate that replaces d when (sum w q x)^2 > merit * sum w q^2 (so
 * the first of equal candidates stays). The final codes are those of x_j * (1/d) with the
 * unrounded d, which is then stored as IEEE half; a code decodes to half(d) * table[code]. A
 * value's code is the nearest table entry, the upper one when it lies halfway (ggml's
 * best_index_int8). A block whose largest magnitude is below 1e-15 gets d = 0 and every code 8.
 * (quantize_row_iq4_nl_ref, which ggml registers as the type's reference, skips the search:
 * ntry = -1; llama-quantize runs quantize_iq4_nl, reproduced here.)
 *
 * Layout, per block of 32 (18 bytes): d as IEEE half, little endian (2 bytes), then 16 bytes,
 * byte j holding code j in its low nibble and code j + 16 in its high nibble. Bits per
 * coordinate: 4.5. The dimension must be a multiple of 32.
 *
 * Relative MSE on N(0,1) rows: about 5.8e-3. Known answer (tests/test_deployed_known.c): the
 * block (1, 0.5, 0, ..., 0): the first codes (113, 69) are beaten by the trial scales, whose codes
 * (-127, -65) give d = -135.125 / 17185.25, stored as half 0xa007 (-0.0078659); the codes are 0,
 * 3, then 8 (table value 1) for the zeros: bytes 07 a0 80 83 88 ... 88, decoding to
 * (0.99897, 0.51128, -0.0078659, ...). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "util.h"

#include <stdint.h>

#define IQ4_NL_BLOCK 32
#define IQ4_NL_TRIALS 7
#define IQ4_NL_EPS 1e-15f

static const kvq_param_doc iq4_nl_params[] = {{NULL, NULL, NULL}};

static const int8_t iq4_nl_values[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                         1,    13,   25,  38,  53,  69,  89,  113};

/* The nearest entry to v; halfway goes up. */
static uint8_t iq4_nl_index(float v)
{
    if (v <= (float)iq4_nl_values[0]) return 0;
    if (v >= (float)iq4_nl_values[15]) return 15;
    uint8_t k = 0; /* values[k] <= v < values[k + 1] */
    while (k < 14 && !(v < (float)iq4_nl_values[k + 1])) k++;
    return v - (float)iq4_nl_values[k] < (float)iq4_nl_values[k + 1] - v ? k : (uint8_t)(k + 1);
}

/* sum w q x and sum w q^2 for the codes of x_j * id. */
static void iq4_nl_sums(const float *x, const float *w, float id, float *sqx, float *sq2)
{
    float a = 0.0f, b = 0.0f;
    for (int j = 0; j < IQ4_NL_BLOCK; j++) {
        float q = (float)iq4_nl_values[iq4_nl_index(id * x[j])];
        a += w[j] * q * x[j];
        b += w[j] * q * q;
    }
    *sqx = a;
    *sq2 = b;
}

static float iq4_nl_scale(const float *x)
{
    float w[IQ4_NL_BLOCK], amax, sqx, sq2;
    for (int j = 0; j < IQ4_NL_BLOCK; j++) w[j] = x[j] * x[j];
    float m = kvq_blockfmt_extreme(x, IQ4_NL_BLOCK, &amax);
    if (amax < IQ4_NL_EPS) return 0.0f;
    float d = -m / (float)iq4_nl_values[0];
    iq4_nl_sums(x, w, 1.0f / d, &sqx, &sq2);
    d = sq2 > 0.0f ? sqx / sq2 : 0.0f;
    float best = d * sqx;
    for (int t = -IQ4_NL_TRIALS; t <= IQ4_NL_TRIALS; t++) {
        iq4_nl_sums(x, w, (float)(t + iq4_nl_values[0]) / m, &sqx, &sq2);
        if (sq2 > 0.0f && sqx * sqx > best * sq2) {
            d = sqx / sq2;
            best = d * sqx;
        }
    }
    return d;
}

static void iq4_nl_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    (void)s;
    uint8_t codes[IQ4_NL_BLOCK];
    float d = iq4_nl_scale(x);
    float id = kvq_blockfmt_inverse(d);
    kvq_blockfmt_put_half(out, d);
    for (int j = 0; j < IQ4_NL_BLOCK; j++) codes[j] = iq4_nl_index(id * x[j]);
    kvq_blockfmt_pack_halves(codes, IQ4_NL_BLOCK, out + 2);
}

static void iq4_nl_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    (void)s;
    uint8_t codes[IQ4_NL_BLOCK];
    float d = kvq_blockfmt_half(in);
    kvq_blockfmt_unpack_halves(in + 2, IQ4_NL_BLOCK, codes);
    for (int j = 0; j < IQ4_NL_BLOCK; j++) x[j] = d * (float)iq4_nl_values[codes[j]];
}

static const kvq_blockfmt iq4_nl_format = {
    .name = "iq4_nl",
    .block = IQ4_NL_BLOCK,
    .block_bytes = 2 + IQ4_NL_BLOCK / 2,
    .encode_block = iq4_nl_encode_block,
    .decode_block = iq4_nl_decode_block,
};

static int iq4_nl_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                         kvq_error *err)
{
    (void)p;
    (void)rng;
    return kvq_blockfmt_create(&iq4_nl_format, dim, state, err);
}

const kvq_backend kvq_backend_iq4_nl = {
    .name = "iq4_nl",
    .summary =
        "ggml IQ4_NL, byte-exact: 4-bit indices into a non-linear table in blocks of 32 with "
        "an f16 scale (4.5 bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = iq4_nl_params,
    .variants = "",
    .tolerance = 7e-3,
    .create = iq4_nl_create,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .destroy = kvq_state_free,
};
