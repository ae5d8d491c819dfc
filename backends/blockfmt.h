/* The shared driver of the deployed block formats (q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl, the
 * k-quants, mxfp4, mxfp8, nvfp4, fp8, nf4) and the arithmetic they share with ggml.
 *
 * A row of dim coordinates is cut into dim / block blocks, each coded into block_bytes bytes by
 * the codec's own block functions, so that a code is the deployed format's bytes, block after
 * block, with nothing added: bytes_per_row = dim / block * block_bytes. A dimension that is not
 * a multiple of the block is refused at create ("q4_0: dim 100 is not a multiple of the block
 * size 32"). The driver supplies every other slot of the vtable: encode (block by block),
 * reconstruct, score (each row decoded, then kvq_dotf with the query, as the codecs-I family
 * scores), bytes_per_row, shared_bytes and, for the formats with a per-tensor scale (fp8 with
 * scale=tensor, nvfp4), fit: the largest magnitude of the training rows over the format's range
 * gives the f32 tensor scale, the 4 shared bytes; encoding before fit is refused.
 *
 * The helpers below carry ggml's scalar arithmetic: scales and mins stored as IEEE half, rounded
 * to nearest even (backends/halfvec.h; where ggml's conversion overflows to infinity above 65504,
 * these saturate, so that every code decodes to finite values: the contract of reconstruct),
 * the block's element of largest magnitude (the first one on a tie, as ggml's loops keep it), and
 * the float-to-code conversions with their clamps written so that no input is undefined
 * behaviour (ggml converts out-of-range floats to int8_t; no finite input of the formats here
 * gets there, but a NaN from an overflowing difference would). */
#ifndef KVQ_BACKENDS_BLOCKFMT_H
#define KVQ_BACKENDS_BLOCKFMT_H

#include "kvq/backend.h"

#include <stddef.h>
#include <stdint.h>

typedef struct kvq_blockfmt kvq_blockfmt;

/* Codes one block of s->block coordinates x into s->block_bytes bytes (all of them written). */
typedef void (*kvq_blockfmt_encode_fn)(const kvq_blockfmt *s, const float *x, uint8_t *out);
/* Decodes one block. */
typedef void (*kvq_blockfmt_decode_fn)(const kvq_blockfmt *s, const uint8_t *in, float *x);

struct kvq_blockfmt {
    const char *name;
    size_t block;       /* coordinates per block; 0 in a template: the whole row */
    size_t block_bytes; /* in a template with block 0: bytes added to the row's dim bytes */
    kvq_blockfmt_encode_fn encode_block;
    kvq_blockfmt_decode_fn decode_block;
    int option;         /* the codec's own choice (fp8: 0 for e4m3, 1 for e5m2) */
    float tensor_range; /* > 0: fit sets tensor_scale = max|x| / tensor_range (4 shared bytes) */
    /* set by the driver */
    size_t dim;
    int fitted;
    float tensor_scale;
};

/* Creates an instance: a copy of the template for rows of dim, refused with KVQ_EINVAL naming
 * the block size when dim is not a multiple of it. */
int kvq_blockfmt_create(const kvq_blockfmt *templ, size_t dim, void **state, kvq_error *err);

/* The vtable slots. */
int kvq_blockfmt_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err);
int kvq_blockfmt_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                        kvq_error *err);
int kvq_blockfmt_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                             kvq_error *err);
int kvq_blockfmt_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                       float *out, kvq_error *err);
/* score_many: each code decoded once (a block of rows at a time) for all the queries, each score
 * the dot product kvq_blockfmt_score takes. */
int kvq_blockfmt_score_many(const void *state, const float *queries, size_t nq,
                            const uint8_t *codes, size_t n, float *out, kvq_error *err);
size_t kvq_blockfmt_bytes_per_row(const void *state);
size_t kvq_blockfmt_shared_bytes(const void *state);

/* ---- little-endian fields ---- */

/* Stores f as an IEEE half (round to nearest even, saturating at +-65504). */
void kvq_blockfmt_put_half(uint8_t *p, float f);
float kvq_blockfmt_half(const uint8_t *p);
/* f rounded to half and back. */
float kvq_blockfmt_round_half(float f);
void kvq_blockfmt_put_f32(uint8_t *p, float f);
float kvq_blockfmt_f32(const uint8_t *p);

/* ---- ggml's scalar arithmetic ---- */

/* The element of x[0..n) of largest magnitude, the first on a tie (0 when all are zero); *amax
 * gets its magnitude. */
float kvq_blockfmt_extreme(const float *x, size_t n, float *amax);

/* The smallest and the largest element of x[0..n). */
void kvq_blockfmt_range(const float *x, size_t n, float *min, float *max);

/* v truncated towards zero after clamping to [0, top] (NaN gives 0): ggml's
 * MIN(top, (int8_t)v) for the v >= 0 the legacy formats produce. */
int kvq_blockfmt_trunc(float v, int top);

/* v rounded to the nearest integer, ties away from zero (roundf), clamped to [-top, top] (NaN
 * gives 0): ggml's q8_0 codes. */
int kvq_blockfmt_round(float v, int top);

/* v rounded to the nearest integer, ties to even, as ggml's nearest_int (|v| < 2^22; clamped to
 * +-2^22 first so that every float has a defined result). */
int kvq_blockfmt_nearest(float v);

/* The reciprocal ggml multiplies by: 1/d, or 0 for d = 0. */
float kvq_blockfmt_inverse(float d);

/* ---- the legacy ggml formats (q4_0, q4_1, q5_0, q5_1) ---- */

/* Type 0 (q4_0, q5_0), as quantize_row_q4_0_ref: m the extreme element (the first of largest
 * magnitude), d = m / -2^(bits-1), and code j = MIN(2^bits - 1, (int)(x_j id + 2^(bits-1) + 0.5))
 * with id = 1/d in float (0 when d = 0): codes from the unrounded d. Returns d; the element m
 * codes 0 and decodes to -2^(bits-1) d. */
float kvq_blockfmt_legacy0(const float *x, size_t n, unsigned bits, uint8_t *codes);

/* Type 1 (q4_1, q5_1), as quantize_row_q4_1_ref: min and max of the block,
 * d = (max - min) / (2^bits - 1), code j = MIN(2^bits - 1, (int)((x_j - min) id + 0.5)), id = 1/d
 * (0 when d = 0). Returns d; *min gets min. */
float kvq_blockfmt_legacy1(const float *x, size_t n, unsigned bits, uint8_t *codes, float *min);

/* The fifth bits of q5_0 and q5_1: bit j of the little-endian u32 qh is bit 4 of code j
 * (n = 32). */
void kvq_blockfmt_put_fifth_bits(const uint8_t *codes, size_t n, uint8_t *qh);
/* ORs the fifth bits back into codes (their low nibbles already unpacked). */
void kvq_blockfmt_add_fifth_bits(const uint8_t *qh, size_t n, uint8_t *codes);

/* ---- the k-quants (q2_k ... q6_k): ggml's helpers of ggml-quants.c, as their reference
 * quantizers call them without an importance matrix ---- */

#define KVQ_BLOCKFMT_QK 256 /* coordinates of a super-block */

/* make_qkx2_quants: codes L[j] in [0, nmax] of x_j ~ scale * L_j - m over n <= 32 coordinates
 * with weights w, min(x) clipped to at most 0 as the first m, then nstep + 1 trial grids
 * (rmin + rdelta * step + nmax) / (max - m), each refitted by weighted least squares (the min
 * clipped to 0 again) and kept when its weighted error (absolute with use_mad, else squared) is
 * lower; a kept fit's min becomes the m of the following grids. Returns the scale; *neg_min gets
 * -m >= 0. */
float kvq_blockfmt_qkx2(const float *x, const float *w, int n, int nmax, float rmin, float rdelta,
                        int nstep, int use_mad, uint8_t *codes, float *neg_min);

/* make_q3_quants with do_rmse: codes in [0, 2 nmax) (offset by nmax) of 16 coordinates from
 * -nmax / m (m the extreme element), improved coordinate by coordinate for up to 5 passes under
 * the weights x^2; returns the least-squares scale. All codes 0 and scale 0 below 1e-15. */
float kvq_blockfmt_q3_quants(const float *x, int n, int nmax, uint8_t *codes);

/* make_qx_quants with rmse_type 1 and no weights: codes in [0, 2 nmax) (offset by nmax) from the
 * scale -nmax / m and the 18 trial scales -(nmax + 0.1 k) / m, k = +-1..9, the best under the
 * weights x^2; returns its scale. All codes 0 and scale 0 below 1e-15. */
float kvq_blockfmt_qx_quants(const float *x, int n, int nmax, uint8_t *codes);

/* The 2-bit fields of q2_K and q3_K: byte 32 h + l of the 64 holds coordinates 128 h + l + 32 k
 * (k = 0..3) in bits 2k and 2k + 1. */
void kvq_blockfmt_put_crumbs(const uint8_t *codes, uint8_t *qs);
unsigned kvq_blockfmt_crumb(const uint8_t *qs, int c);

/* The shared part of q4_K (nmax 15) and q5_K (nmax 31): the super-block's 8 blocks of 32 fitted
 * by kvq_blockfmt_qkx2 (weights sqrt(mean x^2) + |x_j|), their scales and mins quantized to 6
 * bits against the largest of each (d = max scale / 63, dmin = max min / 63, stored as halves),
 * the codes redone from the quantized values (nearest((x + dmin_j) / d_j) clamped to [0, nmax];
 * a block whose d_j is 0 keeps its first codes). head gets the 16 bytes d, dmin (halves) and the
 * 12 bytes of scales and mins in ggml's get_scale_min_k4 order; codes the 256 codes. */
void kvq_blockfmt_kx(const float *x, int nmax, float rmin, float rdelta, int nstep, uint8_t *head,
                     uint8_t *codes);

/* Block j's (0..7) decoding scale d * sc_j and min dmin * m_j from those 16 head bytes. */
void kvq_blockfmt_kx_block(const uint8_t *head, int j, float *d, float *m);

/* ---- nibbles ---- */

/* ggml's order: byte j of out holds code j in its low nibble and code j + n/2 in its high nibble
 * (n even; codes < 16). */
void kvq_blockfmt_pack_halves(const uint8_t *codes, size_t n, uint8_t *out);
void kvq_blockfmt_unpack_halves(const uint8_t *in, size_t n, uint8_t *codes);

#endif
