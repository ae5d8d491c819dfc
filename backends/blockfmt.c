/* The shared driver of the deployed block formats and ggml's scalar arithmetic
 * (backends/blockfmt.h). */
#include "blockfmt.h"
#include "decoded_score.h"

#include "halfvec.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int kvq_blockfmt_create(const kvq_blockfmt *templ, size_t dim, void **state, kvq_error *err)
{
    size_t block = templ->block ? templ->block : dim;
    if (dim % block)
        return kvq_fail(err, KVQ_EINVAL, "%s: dim %zu is not a multiple of the block size %zu",
                        templ->name, dim, block);
    kvq_blockfmt *s = kvq_state_calloc(templ->name, sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    *s = *templ;
    if (!templ->block) s->block_bytes += dim;
    s->block = block;
    s->dim = dim;
    s->fitted = 0;
    s->tensor_scale = 0.0f;
    *state = s;
    return KVQ_OK;
}

int kvq_blockfmt_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    (void)rng;
    (void)err;
    kvq_blockfmt *s = state;
    float amax = 0.0f;
    for (size_t i = 0; i < n * s->dim; i++) amax = fmaxf(amax, fabsf(rows[i]));
    s->tensor_scale = s->tensor_range > 0.0f ? amax / s->tensor_range : 0.0f;
    /* all-zero rows (or a scale below the smallest float): any scale codes them, 1 is kept */
    if (!(s->tensor_scale > 0.0f)) s->tensor_scale = 1.0f;
    s->fitted = 1;
    return KVQ_OK;
}

size_t kvq_blockfmt_bytes_per_row(const void *state)
{
    const kvq_blockfmt *s = state;
    return s->dim / s->block * s->block_bytes;
}

size_t kvq_blockfmt_shared_bytes(const void *state)
{
    const kvq_blockfmt *s = state;
    return s->tensor_range > 0.0f ? sizeof(float) : 0;
}

int kvq_blockfmt_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                        kvq_error *err)
{
    const kvq_blockfmt *s = state;
    if (s->tensor_range > 0.0f && !s->fitted)
        return kvq_fail(err, KVQ_EINVAL, "%s: encode before fit (fit sets the per-tensor scale)",
                        s->name);
    size_t blocks = n * (s->dim / s->block);
    for (size_t b = 0; b < blocks; b++)
        s->encode_block(s, rows + b * s->block, codes + b * s->block_bytes);
    return KVQ_OK;
}

static void kvq_blockfmt_decode_rows(const kvq_blockfmt *s, const uint8_t *codes, size_t n,
                                     float *rows)
{
    size_t blocks = n * (s->dim / s->block);
    for (size_t b = 0; b < blocks; b++)
        s->decode_block(s, codes + b * s->block_bytes, rows + b * s->block);
}

int kvq_blockfmt_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                             kvq_error *err)
{
    (void)err;
    kvq_blockfmt_decode_rows(state, codes, n, rows);
    return KVQ_OK;
}

static void decode_for_score(const void *state, const uint8_t *codes, size_t m, float *rows,
                             float *factor, void *scratch)
{
    (void)factor, (void)scratch;
    kvq_blockfmt_decode_rows(state, codes, m, rows);
}

/* Scores are the float dot product of the query and the decoded row. */
static kvq_decoded_score scorer(const kvq_blockfmt *s)
{
    return (kvq_decoded_score){.codec = s->name,
                               .dim = s->dim,
                               .query_dim = s->dim,
                               .code_bytes = kvq_blockfmt_bytes_per_row(s),
                               .decode = decode_for_score};
}

int kvq_blockfmt_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                       float *out, kvq_error *err)
{
    kvq_decoded_score d = scorer(state);
    return kvq_decoded_score_many(&d, state, query, 1, codes, n, out, err);
}

int kvq_blockfmt_score_many(const void *state, const float *queries, size_t nq,
                            const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    kvq_decoded_score d = scorer(state);
    return kvq_decoded_score_many(&d, state, queries, nq, codes, n, out, err);
}

void kvq_blockfmt_put_half(uint8_t *p, float f)
{
    uint16_t h = kvq_half_from_float(f);
    p[0] = (uint8_t)(h & 0xffu);
    p[1] = (uint8_t)(h >> 8);
}

float kvq_blockfmt_half(const uint8_t *p)
{
    return kvq_half_to_float((uint32_t)p[0] | (uint32_t)p[1] << 8);
}

float kvq_blockfmt_round_half(float f)
{
    return kvq_half_to_float(kvq_half_from_float(f));
}

void kvq_blockfmt_put_f32(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    for (int k = 0; k < 4; k++) p[k] = (uint8_t)(u >> 8 * k);
}

float kvq_blockfmt_f32(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float kvq_blockfmt_extreme(const float *x, size_t n, float *amax)
{
    float a = 0.0f, m = 0.0f;
    for (size_t j = 0; j < n; j++)
        if (a < fabsf(x[j])) {
            a = fabsf(x[j]);
            m = x[j];
        }
    *amax = a;
    return m;
}

void kvq_blockfmt_range(const float *x, size_t n, float *min, float *max)
{
    float lo = x[0], hi = x[0];
    for (size_t j = 1; j < n; j++) {
        lo = x[j] < lo ? x[j] : lo;
        hi = x[j] > hi ? x[j] : hi;
    }
    *min = lo;
    *max = hi;
}

int kvq_blockfmt_trunc(float v, int top)
{
    if (!(v > 0.0f)) return 0;
    return v >= (float)top ? top : (int)v;
}

int kvq_blockfmt_round(float v, int top)
{
    if (isnan(v)) return 0;
    v = v > (float)top ? (float)top : v < (float)-top ? (float)-top : v;
    return (int)roundf(v);
}

int kvq_blockfmt_nearest(float v)
{
    const float limit = 4194304.0f; /* 2^22 */
    if (isnan(v)) return 0;
    v = v > limit ? limit : v < -limit ? -limit : v;
    return (int)rintf(v);
}

float kvq_blockfmt_inverse(float d)
{
    return d != 0.0f ? 1.0f / d : 0.0f;
}

float kvq_blockfmt_legacy0(const float *x, size_t n, unsigned bits, uint8_t *codes)
{
    float amax;
    float half = (float)(1u << (bits - 1));
    float d = kvq_blockfmt_extreme(x, n, &amax) / -half;
    float id = kvq_blockfmt_inverse(d);
    int top = (1 << bits) - 1;
    for (size_t j = 0; j < n; j++)
        codes[j] = (uint8_t)kvq_blockfmt_trunc(x[j] * id + (half + 0.5f), top);
    return d;
}

float kvq_blockfmt_legacy1(const float *x, size_t n, unsigned bits, uint8_t *codes, float *min)
{
    float lo, hi;
    kvq_blockfmt_range(x, n, &lo, &hi);
    int top = (1 << bits) - 1;
    float d = (hi - lo) / (float)top;
    float id = kvq_blockfmt_inverse(d);
    for (size_t j = 0; j < n; j++)
        codes[j] = (uint8_t)kvq_blockfmt_trunc((x[j] - lo) * id + 0.5f, top);
    *min = lo;
    return d;
}

void kvq_blockfmt_put_fifth_bits(const uint8_t *codes, size_t n, uint8_t *qh)
{
    uint32_t bits = 0;
    for (size_t j = 0; j < n; j++) bits |= (uint32_t)(codes[j] >> 4 & 1u) << j;
    for (int k = 0; k < 4; k++) qh[k] = (uint8_t)(bits >> 8 * k);
}

void kvq_blockfmt_add_fifth_bits(const uint8_t *qh, size_t n, uint8_t *codes)
{
    for (size_t j = 0; j < n; j++) codes[j] |= (uint8_t)((qh[j / 8] >> (j % 8) & 1u) << 4);
}

#define KVQ_BLOCKFMT_EPS 1e-15f /* ggml's GROUP_MAX_EPS */
#define KVQ_BLOCKFMT_SUB_MAX 32

static int kvq_blockfmt_clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static float kvq_blockfmt_kx_error(const float *x, const float *w, int n, float scale, float min,
                                   const uint8_t *codes, int use_mad)
{
    float total = 0.0f;
    for (int i = 0; i < n; i++) {
        float diff = scale * (float)codes[i] + min - x[i];
        diff = use_mad ? fabsf(diff) : diff * diff;
        total += w[i] * diff;
    }
    return total;
}

float kvq_blockfmt_qkx2(const float *x, const float *w, int n, int nmax, float rmin, float rdelta,
                        int nstep, int use_mad, uint8_t *codes, float *neg_min)
{
    float min = x[0], max = x[0], sum_w = w[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; i++) {
        min = x[i] < min ? x[i] : min;
        max = x[i] > max ? x[i] : max;
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    min = min > 0.0f ? 0.0f : min;
    if (!(max > min)) {
        memset(codes, 0, (size_t)n);
        *neg_min = -min;
        return 0.0f;
    }
    float iscale = (float)nmax / (max - min), scale = 1.0f / iscale;
    for (int i = 0; i < n; i++)
        codes[i] =
            (uint8_t)kvq_blockfmt_clamp(kvq_blockfmt_nearest(iscale * (x[i] - min)), 0, nmax);
    float best = kvq_blockfmt_kx_error(x, w, n, scale, min, codes, use_mad);
    uint8_t aux[KVQ_BLOCKFMT_SUB_MAX];
    for (int step = 0; step <= nstep; step++) {
        iscale = (rmin + rdelta * (float)step + (float)nmax) / (max - min);
        float sum_l = 0.0f, sum_l2 = 0.0f, sum_xl = 0.0f;
        for (int i = 0; i < n; i++) {
            aux[i] =
                (uint8_t)kvq_blockfmt_clamp(kvq_blockfmt_nearest(iscale * (x[i] - min)), 0, nmax);
            float wl = w[i] * (float)aux[i];
            sum_l += wl;
            sum_l2 += wl * (float)aux[i];
            sum_xl += wl * x[i];
        }
        float det = sum_w * sum_l2 - sum_l * sum_l;
        if (!(det > 0.0f)) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (this_min > 0.0f) {
            this_min = 0.0f;
            this_scale = sum_xl / sum_l2;
        }
        float err = kvq_blockfmt_kx_error(x, w, n, this_scale, this_min, aux, use_mad);
        if (err < best) {
            memcpy(codes, aux, (size_t)n);
            best = err;
            scale = this_scale;
            min = this_min;
        }
    }
    *neg_min = -min;
    return scale;
}

float kvq_blockfmt_q3_quants(const float *x, int n, int nmax, uint8_t *codes)
{
    int l[KVQ_BLOCKFMT_SUB_MAX];
    float amax, m = kvq_blockfmt_extreme(x, (size_t)n, &amax);
    if (amax < KVQ_BLOCKFMT_EPS) {
        memset(codes, 0, (size_t)n);
        return 0.0f;
    }
    float iscale = (float)-nmax / m, sumlx = 0.0f, suml2 = 0.0f;
    for (int i = 0; i < n; i++) {
        l[i] = kvq_blockfmt_clamp(kvq_blockfmt_nearest(iscale * x[i]), -nmax, nmax - 1);
        float w = x[i] * x[i];
        sumlx += w * x[i] * (float)l[i];
        suml2 += w * (float)l[i] * (float)l[i];
    }
    for (int pass = 0; pass < 5; pass++) {
        int changed = 0;
        for (int i = 0; i < n; i++) {
            float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * (float)l[i];
            if (!(slx > 0.0f)) continue;
            float sl2 = suml2 - w * (float)l[i] * (float)l[i];
            int v = kvq_blockfmt_clamp(kvq_blockfmt_nearest(x[i] * sl2 / slx), -nmax, nmax - 1);
            if (v == l[i]) continue;
            slx += w * x[i] * (float)v;
            sl2 += w * (float)v * (float)v;
            if (sl2 > 0.0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
                l[i] = v;
                sumlx = slx;
                suml2 = sl2;
                changed++;
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; i++) codes[i] = (uint8_t)(l[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

/* The codes (offset by nmax) of x_j * iscale and their sums under the weights x^2. */
static void kvq_blockfmt_qx_try(const float *x, int n, int nmax, float iscale, uint8_t *codes,
                                float *sumlx, float *suml2)
{
    float a = 0.0f, b = 0.0f;
    for (int i = 0; i < n; i++) {
        int l = kvq_blockfmt_clamp(kvq_blockfmt_nearest(iscale * x[i]), -nmax, nmax - 1);
        codes[i] = (uint8_t)(l + nmax);
        float w = x[i] * x[i];
        a += w * x[i] * (float)l;
        b += w * (float)l * (float)l;
    }
    *sumlx = a;
    *suml2 = b;
}

float kvq_blockfmt_qx_quants(const float *x, int n, int nmax, uint8_t *codes)
{
    float amax, m = kvq_blockfmt_extreme(x, (size_t)n, &amax), sumlx, suml2;
    if (amax < KVQ_BLOCKFMT_EPS) {
        memset(codes, 0, (size_t)n);
        return 0.0f;
    }
    kvq_blockfmt_qx_try(x, n, nmax, (float)-nmax / m, codes, &sumlx, &suml2);
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f, best = scale * sumlx;
    uint8_t trial[KVQ_BLOCKFMT_SUB_MAX];
    for (int k = -9; k <= 9; k++) {
        if (k == 0) continue;
        kvq_blockfmt_qx_try(x, n, nmax, -((float)nmax + 0.1f * (float)k) / m, trial, &sumlx,
                            &suml2);
        if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
            memcpy(codes, trial, (size_t)n);
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

void kvq_blockfmt_put_crumbs(const uint8_t *codes, uint8_t *qs)
{
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 32; l++) {
            const uint8_t *c = codes + 128 * h + l;
            qs[32 * h + l] = (uint8_t)(c[0] | c[32] << 2 | c[64] << 4 | c[96] << 6);
        }
}

unsigned kvq_blockfmt_crumb(const uint8_t *qs, int c)
{
    return (unsigned)(qs[32 * (c / 128) + c % 32] >> (2 * ((c % 128) / 32))) & 3u;
}

/* The 6-bit scale and min of block j in ggml's 12-byte layout (get_scale_min_k4). */
static void kvq_blockfmt_scale_min_k4(const uint8_t *q, int j, unsigned *sc, unsigned *m)
{
    if (j < 4) {
        *sc = q[j] & 63u;
        *m = q[j + 4] & 63u;
    } else {
        *sc = (q[j + 4] & 0xfu) | (unsigned)(q[j - 4] >> 6) << 4;
        *m = (unsigned)(q[j + 4] >> 4) | (unsigned)(q[j] >> 6) << 4;
    }
}

void kvq_blockfmt_kx_block(const uint8_t *head, int j, float *d, float *m)
{
    unsigned sc, mn;
    kvq_blockfmt_scale_min_k4(head + 4, j, &sc, &mn);
    *d = kvq_blockfmt_half(head) * (float)sc;
    *m = kvq_blockfmt_half(head + 2) * (float)mn;
}

void kvq_blockfmt_kx(const float *x, int nmax, float rmin, float rdelta, int nstep, uint8_t *head,
                     uint8_t *codes)
{
    float scales[8], mins[8], w[32], max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < 8; j++) {
        const float *xb = x + 32 * j;
        float sum_x2 = 0.0f;
        for (int l = 0; l < 32; l++) sum_x2 += xb[l] * xb[l];
        float av_x = sqrtf(sum_x2 / 32.0f);
        for (int l = 0; l < 32; l++) w[l] = av_x + fabsf(xb[l]);
        scales[j] =
            kvq_blockfmt_qkx2(xb, w, 32, nmax, rmin, rdelta, nstep, 0, codes + 32 * j, &mins[j]);
        max_scale = scales[j] > max_scale ? scales[j] : max_scale;
        max_min = mins[j] > max_min ? mins[j] : max_min;
    }
    float inv_scale = max_scale > 0.0f ? 63.0f / max_scale : 0.0f;
    float inv_min = max_min > 0.0f ? 63.0f / max_min : 0.0f;
    uint8_t *q = head + 4;
    memset(q, 0, 12);
    for (int j = 0; j < 8; j++) {
        /* ggml stores nearest() in a uint8_t before the MIN: a negative value wraps */
        uint8_t ls = (uint8_t)kvq_blockfmt_nearest(inv_scale * scales[j]);
        uint8_t lm = (uint8_t)kvq_blockfmt_nearest(inv_min * mins[j]);
        ls = ls > 63 ? 63 : ls;
        lm = lm > 63 ? 63 : lm;
        if (j < 4) {
            q[j] = ls;
            q[j + 4] = lm;
        } else {
            q[j + 4] = (uint8_t)((ls & 0xf) | (lm & 0xf) << 4);
            q[j - 4] |= (uint8_t)((ls >> 4) << 6);
            q[j] |= (uint8_t)((lm >> 4) << 6);
        }
    }
    kvq_blockfmt_put_half(head, max_scale / 63.0f);
    kvq_blockfmt_put_half(head + 2, max_min / 63.0f);
    for (int j = 0; j < 8; j++) {
        float d, dm;
        kvq_blockfmt_kx_block(head, j, &d, &dm);
        if (d == 0.0f) continue;
        for (int l = 0; l < 32; l++)
            codes[32 * j + l] = (uint8_t)kvq_blockfmt_clamp(
                kvq_blockfmt_nearest((x[32 * j + l] + dm) / d), 0, nmax);
    }
}

void kvq_blockfmt_pack_halves(const uint8_t *codes, size_t n, uint8_t *out)
{
    for (size_t j = 0; j < n / 2; j++) out[j] = (uint8_t)(codes[j] | codes[j + n / 2] << 4);
}

void kvq_blockfmt_unpack_halves(const uint8_t *in, size_t n, uint8_t *codes)
{
    for (size_t j = 0; j < n / 2; j++) {
        codes[j] = in[j] & 0x0f;
        codes[j + n / 2] = in[j] >> 4;
    }
}
