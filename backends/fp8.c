/* fp8: OCP 8-bit Floating Point (OFP8) v1.0 elements with an f32 scale: format=e4m3 (largest 448,
 * the default) or e5m2 (largest 57344), each coordinate x_j / scale rounded to the nearest value,
 * ties to even, saturating at the largest finite value, the sign kept also on zero
 * (backends/minifloat.h); a code decodes to fp8 * scale. scale=row (the default): scale =
 * max|x| / largest per row (a float division; all codes 0 for a zero row), stored in the code;
 * scale=tensor: the same over the training rows, set by fit and counted as 4 shared bytes (1 when
 * they are all zero; rows beyond the training range saturate; encoding before fit is refused).
 *
 * Layout: scale=row: the f32 scale, little endian (4 bytes), then one byte per coordinate
 * (E4M3: sign bit 7, exponent bits 6-3 with bias 7, mantissa bits 2-0; E5M2: sign bit 7, exponent
 * bits 6-2 with bias 15, mantissa bits 1-0); scale=tensor: the dim bytes alone. Bits per
 * coordinate: 8 + 32/dim (row) or 8 (tensor). Any dimension.
 *
 * Relative MSE on N(0,1) rows of dim 128: about 6.6e-4 (e4m3, the default), 2.6e-3 (e5m2). Known
 * answers (tests/test_deployed_known.c): the row (896, -2, 1, 0.01) has scale 2 in e4m3 (bytes 00
 * 00 00 40) and elements 448 (0x7e), -1 (0xb8), 0.5 (0x30), 0.005 -> 3 * 2^-9 (0x03, subnormal),
 * decoding to (896, -2, 1, 0.01171875); in e5m2 scale 2^-6 (00 00 80 3c) and elements 57344
 * (0x7b), -128 (0xd8), 64 (0x54), 0.64 -> 0.625 (0x39). */
#include "blockfmt.h"
#include "kvq/backend.h"
#include "minifloat.h"
#include "util.h"

#include <stdint.h>
#include <string.h>

static const kvq_param_doc fp8_params[] = {
    {"format", "e4m3", "element format: e4m3 (OCP E4M3, largest 448) or e5m2 (largest 57344)"},
    {"scale", "row", "f32 scale per row (row) or per tensor, set by fit (tensor)"},
    {NULL, NULL, NULL},
};

static const kvq_minifloat *fp8_element(const kvq_blockfmt *s)
{
    return s->option ? &kvq_e5m2 : &kvq_e4m3;
}

static void fp8_encode_block(const kvq_blockfmt *s, const float *x, uint8_t *out)
{
    const kvq_minifloat *f = fp8_element(s);
    if (s->tensor_range > 0.0f) {
        kvq_minifloat_encode_scaled(f, x, s->block, s->tensor_scale, out);
        return;
    }
    float amax;
    kvq_blockfmt_extreme(x, s->block, &amax);
    float scale = amax / kvq_minifloat_max(f);
    kvq_blockfmt_put_f32(out, scale);
    kvq_minifloat_encode_scaled(f, x, s->block, scale, out + 4);
}

static void fp8_decode_block(const kvq_blockfmt *s, const uint8_t *in, float *x)
{
    const kvq_minifloat *f = fp8_element(s);
    if (s->tensor_range > 0.0f)
        kvq_minifloat_decode_scaled(f, in, s->block, s->tensor_scale, x);
    else
        kvq_minifloat_decode_scaled(f, in + 4, s->block, kvq_blockfmt_f32(in), x);
}

static int fp8_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state, kvq_error *err)
{
    (void)rng;
    const char *format = kvq_params_get(p, "format"), *scale = kvq_params_get(p, "scale");
    int e5m2 = strcmp(format, "e5m2") == 0, tensor = strcmp(scale, "tensor") == 0;
    if (!e5m2 && strcmp(format, "e4m3") != 0)
        return kvq_fail(err, KVQ_EINVAL, "fp8: format=%s is neither 'e4m3' nor 'e5m2'", format);
    if (!tensor && strcmp(scale, "row") != 0)
        return kvq_fail(err, KVQ_EINVAL, "fp8: scale=%s is neither 'row' nor 'tensor'", scale);
    kvq_blockfmt format_of = {
        .name = "fp8",
        .block = 0, /* the whole row */
        .block_bytes = tensor ? 0 : 4,
        .encode_block = fp8_encode_block,
        .decode_block = fp8_decode_block,
        .option = e5m2,
        .tensor_range = tensor ? kvq_minifloat_max(e5m2 ? &kvq_e5m2 : &kvq_e4m3) : 0.0f,
    };
    return kvq_blockfmt_create(&format_of, dim, state, err);
}

const kvq_backend kvq_backend_fp8 = {
    .name = "fp8",
    .summary = "OCP FP8 (format=e4m3|e5m2), round to nearest even, saturating, with an f32 scale "
               "per row or per tensor (8 + 32/dim bits)",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = fp8_params,
    .variants = "format=e4m3;format=e5m2",
    .tolerance = 8e-4,
    .create = fp8_create,
    .fit = kvq_blockfmt_fit,
    .encode = kvq_blockfmt_encode,
    .score = kvq_blockfmt_score,
    .score_many = kvq_blockfmt_score_many,
    .reconstruct = kvq_blockfmt_reconstruct,
    .bytes_per_row = kvq_blockfmt_bytes_per_row,
    .shared_bytes = kvq_blockfmt_shared_bytes,
    .destroy = kvq_state_free,
};
