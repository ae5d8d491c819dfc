/* besicovitch: a fixed direction codebook per coordinate group (named after Besicovitch sets,
 * which hold a unit segment in every direction). The row (less the mean of the fitted rows when
 * mean=1) is cut into groups of g consecutive coordinates (the last group zero-padded); each group
 * v is coded by the direction u_i of a fixed codebook of 2^dbits unit vectors on S^(g-1) that
 * maximises <v, u_i>, and the magnitude a = <v, u_i> (the length along u_i that minimises
 * |v - a u_i|). Directions: for g = 2 the angles 2 pi i / 2^dbits (nothing stored); for g >= 3,
 * 2^dbits normalised Gaussian vectors regenerated from a 64-bit seed (8 shared bytes).
 * Magnitude: mag=f16, a as IEEE half (clamped to the largest finite half, 65504); or mag=lloyd, a
 * per-row scale s = RMS of the row's coordinates (f32) and a / s quantized with the mbits-bit
 * Lloyd-Max codebook of the chi distribution with g degrees of freedom (the length of g
 * coordinates that are N(0, s^2); backends/lloyd.h integrates it with GSL).
 * Code layout: [f32 scale, mag=lloyd only] [G direction indices, dbits each, bit-packed]
 * [G magnitudes: mbits each bit-packed (lloyd), or G little-endian f16], G = ceil(dim / g).
 * Bits per coordinate: (dbits + mbits) / g + 32 / dim (lloyd) or (dbits + 16) / g (f16).
 * Shared bytes: the mean (dim f32, when mean=1) and the seed (g >= 3).
 * Known answer (its test checks it against tests/golden/gen_codecs2.py): for g = 2 and f16
 * magnitudes on isotropic rows the angle error is uniform on +-pi / 2^dbits, so the relative MSE
 * is E[sin^2] = 1/2 - sin(2 alpha) / (4 alpha), alpha = pi / 2^dbits (0.01275 at dbits = 4). */
#include "bitpack.h"
#include "dotf.h"
#include "kvq/backend.h"
#include "kvq/half.h"
#include "lloyd.h"
#include "seed.h"
#include "util.h"
#include "widths.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const kvq_param_doc besicovitch_params[] = {
    {"group", "2", "coordinates per group g (2..dim)"},
    {"dbits", "4", "direction bits: 2^dbits directions per group (1..8)"},
    {"mag", "lloyd", "magnitude: 'lloyd' (Lloyd-Max, per-row scale) or 'f16'"},
    {"mbits", "2", "lloyd: magnitude bits (1..8)"},
    {"mean", "0", "subtract the mean of the fitted rows first"},
    KVQ_SEED_PARAM,
    {NULL, NULL, NULL},
};

typedef struct besicovitch_state {
    size_t dim, g, groups, ndir;
    unsigned dbits, mbits; /* mbits = 0: f16 magnitudes */
    int use_mean, fitted;
    float *dirs;    /* ndir x g unit vectors */
    double *dirs_t; /* g x ndir: the same in double, coordinate-major (the projections' layout) */
    float *mean;    /* dim; zeros unless use_mean */
    kvq_lloyd mag;
} besicovitch_state;

static void besicovitch_destroy(void *state)
{
    besicovitch_state *s = state;
    if (!s) return;
    free(s->dirs);
    free(s->dirs_t);
    free(s->mean);
    free(s);
}

/* The directions: equally spaced angles for g = 2, seeded Gaussian directions otherwise. */
static void besicovitch_directions(besicovitch_state *s, uint64_t seed)
{
    kvq_rng rng;
    kvq_rng_derive(&rng, seed, "kvq-directions");
    for (size_t i = 0; i < s->ndir; i++) {
        float *u = s->dirs + i * s->g;
        if (s->g == 2) {
            double angle = 2.0 * M_PI * (double)i / (double)s->ndir;
            u[0] = (float)cos(angle);
            u[1] = (float)sin(angle);
            continue;
        }
        double norm = 0.0;
        for (size_t t = 0; t < s->g; t++) {
            u[t] = (float)kvq_rng_gaussian(&rng);
            norm += (double)u[t] * u[t];
        }
        for (size_t t = 0; t < s->g; t++) u[t] = (float)(u[t] / sqrt(norm));
    }
}

static double chi_pdf(double x, void *ctx)
{
    double g = *(const double *)ctx;
    return pow(x, g - 1.0) * exp(-0.5 * x * x);
}

static double chi_quantile(double p, void *ctx)
{
    return sqrt(gsl_cdf_chisq_Pinv(p, *(const double *)ctx));
}

/* The Lloyd-Max codebook of the chi distribution with g degrees of freedom. */
static int besicovitch_magnitudes(besicovitch_state *s, kvq_error *err)
{
    double g = (double)s->g;
    char key[48];
    snprintf(key, sizeof key, "besicovitch:chi%zu", s->g);
    kvq_density chi = {chi_pdf, chi_quantile, &g, 0.0, sqrt(g) + 12.0, key};
    return kvq_lloyd_density(&chi, s->mbits, &s->mag, "besicovitch", err);
}

/* Reads the parameters into s (dim already set). */
static int besicovitch_params_read(const kvq_params *p, besicovitch_state *s, kvq_error *err)
{
    long g, dbits, mbits;
    int rc = kvq_params_int(p, "group", 2, 1L << 20, &g, err);
    if (!rc) rc = kvq_param_capped(p, "dbits", 1, 8, "u8 direction index", &dbits, err);
    if (!rc)
        rc = kvq_param_capped(p, "mbits", 1, KVQ_LLOYD_MAX_BITS, "magnitude field", &mbits, err);
    if (!rc) rc = kvq_params_bool(p, "mean", &s->use_mean, err);
    if (rc) return rc;
    const char *mag = kvq_params_get(p, "mag");
    if (strcmp(mag, "lloyd") != 0 && strcmp(mag, "f16") != 0)
        return kvq_fail(err, KVQ_EINVAL, "besicovitch: mag=%s is neither 'lloyd' nor 'f16'", mag);
    if ((size_t)g > s->dim)
        return kvq_fail(err, KVQ_EINVAL, "besicovitch: group=%ld exceeds the row dimension %zu", g,
                        s->dim);
    s->g = (size_t)g;
    s->groups = (s->dim + s->g - 1) / s->g;
    s->dbits = (unsigned)dbits;
    s->ndir = (size_t)1 << dbits;
    s->mbits = strcmp(mag, "lloyd") == 0 ? (unsigned)mbits : 0;
    return KVQ_OK;
}

static int besicovitch_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                              kvq_error *err)
{
    besicovitch_state *s = kvq_state_calloc("besicovitch", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    uint64_t seed = 0;
    int rc = besicovitch_params_read(p, s, err);
    if (!rc && s->g > 2) rc = kvq_codec_seed(p, rng, &seed, err);
    if (!rc) {
        s->dirs = malloc(s->ndir * s->g * sizeof *s->dirs);
        s->dirs_t = malloc(s->ndir * s->g * sizeof *s->dirs_t);
        s->mean = calloc(dim, sizeof *s->mean);
        if (!s->dirs || !s->dirs_t || !s->mean)
            rc = kvq_fail(err, KVQ_ENOMEM, "besicovitch: out of memory");
    }
    if (!rc) besicovitch_directions(s, seed);
    for (size_t i = 0; !rc && i < s->ndir; i++)
        for (size_t t = 0; t < s->g; t++) s->dirs_t[t * s->ndir + i] = s->dirs[i * s->g + t];
    if (!rc && s->mbits) rc = besicovitch_magnitudes(s, err);
    if (rc) {
        besicovitch_destroy(s);
        return rc;
    }
    *state = s;
    return KVQ_OK;
}

static int besicovitch_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    (void)rng;
    (void)err;
    besicovitch_state *s = state;
    for (size_t t = 0; s->use_mean && t < s->dim; t++) {
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) sum += rows[i * s->dim + t];
        s->mean[t] = (float)(sum / (double)n);
    }
    s->fitted = 1;
    return KVQ_OK;
}

static size_t besicovitch_scale_bytes(const besicovitch_state *s)
{
    return s->mbits ? sizeof(float) : 0;
}

static size_t besicovitch_dir_bytes(const besicovitch_state *s)
{
    return kvq_packed_bytes(s->groups, s->dbits);
}

static size_t besicovitch_bytes_per_row(const void *state)
{
    const besicovitch_state *s = state;
    size_t mags = s->mbits ? kvq_packed_bytes(s->groups, s->mbits) : s->groups * sizeof(uint16_t);
    return besicovitch_scale_bytes(s) + besicovitch_dir_bytes(s) + mags;
}

/* Group j of the centred row x, zero-padded, into v (g floats). */
static void besicovitch_group(const besicovitch_state *s, const float *x, size_t j, float *v)
{
    for (size_t t = 0; t < s->g; t++) {
        size_t c = j * s->g + t;
        v[t] = c < s->dim ? x[c] - s->mean[c] : 0.0f;
    }
}

#define BESICOVITCH_MAX_DIRS 256 /* 2^8: dbits is at most 8 */

/* p[i] = kvq_dot(v, u_i, G) for every direction, bit for bit (each a double sum from 0 in
 * coordinate order, rounded once), from the directions coordinate-major (dirs_t); with G a
 * constant the loop over the directions vectorises on contiguous loads. */
static inline void besicovitch_dots(const double *dirs_t, size_t ndir, const float *v, size_t g,
                                    float *p)
{
    for (size_t i = 0; i < ndir; i++) {
        double acc = 0.0;
        for (size_t t = 0; t < g; t++) acc += (double)v[t] * dirs_t[t * ndir + i];
        p[i] = (float)acc;
    }
}

/* The projections of v on every direction: once per group of every row encoded and per group of
 * every query scored, the hot loop of this codec, so groups of 2 and 4 (the ladder's) get loops of
 * their own. */
KVQ_VECTOR_CLONES static void besicovitch_projections(const besicovitch_state *s, const float *v,
                                                      float *p)
{
    if (s->g == 2)
        besicovitch_dots(s->dirs_t, s->ndir, v, 2, p);
    else if (s->g == 4)
        besicovitch_dots(s->dirs_t, s->ndir, v, 4, p);
    else
        besicovitch_dots(s->dirs_t, s->ndir, v, s->g, p);
}

#define MAX_LANES 8

/* The largest of the n values p (-inf when none is above it); eight running maxima (exact, so their
 * order does not matter) let the compiler vectorise the scan. */
KVQ_VECTOR_CLONES static float besicovitch_max(const float *p, size_t n)
{
    float lane[MAX_LANES];
    size_t full = n / MAX_LANES * MAX_LANES, i = 0;
    for (size_t u = 0; u < MAX_LANES; u++) lane[u] = -INFINITY;
    for (; i < full; i += MAX_LANES)
        for (size_t u = 0; u < MAX_LANES; u++) lane[u] = p[i + u] > lane[u] ? p[i + u] : lane[u];
    float m = lane[0];
    for (size_t u = 1; u < MAX_LANES; u++) m = lane[u] > m ? lane[u] : m;
    for (; i < n; i++) m = p[i] > m ? p[i] : m;
    return m;
}

/* The direction with the largest <v, u> (ties: the lowest index, the first that reaches the
 * largest value; 0 when none is above -inf); *a gets that projection. */
static size_t besicovitch_direction(const besicovitch_state *s, const float *v, float *a)
{
    float p[BESICOVITCH_MAX_DIRS];
    besicovitch_projections(s, v, p);
    float best_a = besicovitch_max(p, s->ndir);
    size_t best = 0;
    while (best_a > -INFINITY && !(p[best] == best_a)) best++;
    *a = best_a;
    return best;
}

static float besicovitch_row_scale(const besicovitch_state *s, const float *x)
{
    double sum = 0.0;
    for (size_t c = 0; c < s->dim; c++) {
        double v = (double)x[c] - s->mean[c];
        sum += v * v;
    }
    return (float)sqrt(sum / (double)s->dim);
}

static void besicovitch_encode_row(const besicovitch_state *s, const float *x, uint8_t *code,
                                   uint8_t *dir, uint8_t *mag, float *v)
{
    float scale = s->mbits ? besicovitch_row_scale(s, x) : 0.0f;
    uint8_t *dirs_at = code + besicovitch_scale_bytes(s),
            *mags_at = dirs_at + besicovitch_dir_bytes(s);
    for (size_t j = 0; j < s->groups; j++) {
        float a;
        besicovitch_group(s, x, j, v);
        dir[j] = (uint8_t)besicovitch_direction(s, v, &a);
        if (s->mbits) {
            mag[j] = (uint8_t)(scale > 0.0f ? kvq_lloyd_index(&s->mag, a / scale) : 0);
        } else {
            uint16_t h = kvq_f32_to_f16(fminf(65504.0f, a));
            memcpy(mags_at + j * sizeof h, &h, sizeof h);
        }
    }
    if (s->mbits) memcpy(code, &scale, sizeof scale);
    kvq_pack_bits(dir, s->groups, s->dbits, dirs_at, 0);
    if (s->mbits) kvq_pack_bits(mag, s->groups, s->mbits, mags_at, 0);
}

static int besicovitch_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                              kvq_error *err)
{
    const besicovitch_state *s = state;
    if (!s->fitted) return kvq_fail(err, KVQ_EINVAL, "besicovitch: encode before fit");
    size_t bytes = besicovitch_bytes_per_row(s);
    uint8_t *dir = malloc(2 * s->groups);
    float *v = malloc(s->g * sizeof *v);
    if (!dir || !v) {
        free(dir);
        free(v);
        return kvq_fail(err, KVQ_ENOMEM, "besicovitch: out of memory encoding");
    }
    memset(codes, 0, n * bytes);
    for (size_t i = 0; i < n; i++)
        besicovitch_encode_row(s, rows + i * s->dim, codes + i * bytes, dir, dir + s->groups, v);
    free(dir);
    free(v);
    return KVQ_OK;
}

/* The decoded directions and magnitudes of a code: dir[j], amp[j] for every group. */
static void besicovitch_unpack(const besicovitch_state *s, const uint8_t *code, uint8_t *dir,
                               uint8_t *mag, float *amp)
{
    const uint8_t *dirs_at = code + besicovitch_scale_bytes(s);
    const uint8_t *mags_at = dirs_at + besicovitch_dir_bytes(s);
    kvq_unpack_bits(dirs_at, 0, s->dbits, s->groups, dir);
    if (s->mbits) {
        float scale;
        memcpy(&scale, code, sizeof scale);
        kvq_unpack_bits(mags_at, 0, s->mbits, s->groups, mag);
        for (size_t j = 0; j < s->groups; j++) amp[j] = scale * s->mag.centroid[mag[j]];
        return;
    }
    for (size_t j = 0; j < s->groups; j++) {
        uint16_t h;
        memcpy(&h, mags_at + j * sizeof h, sizeof h);
        amp[j] = kvq_f16_to_f32(h);
    }
}

/* Scratch for decoding: directions, magnitude indices, amplitudes. */
typedef struct besicovitch_work {
    uint8_t *dir, *mag;
    float *amp;
} besicovitch_work;

static int besicovitch_work_alloc(const besicovitch_state *s, besicovitch_work *w, kvq_error *err)
{
    w->dir = malloc(2 * s->groups);
    w->mag = w->dir ? w->dir + s->groups : NULL;
    w->amp = malloc(s->groups * sizeof *w->amp);
    if (w->dir && w->amp) return KVQ_OK;
    free(w->dir);
    free(w->amp);
    return kvq_fail(err, KVQ_ENOMEM, "besicovitch: out of memory decoding");
}

static void besicovitch_work_free(besicovitch_work *w)
{
    free(w->dir);
    free(w->amp);
}

/* Codes unpacked at once for every query: 16384 groups. */
#define SCORE_BLOCK_GROUPS 16384

/* Query q's table (its projections on every direction, group by group: groups x ndir) and its
 * offset <q, mean>. qg: g floats of scratch. */
static void besicovitch_prepare_query(const besicovitch_state *s, const float *query, float *qg,
                                      float *table, float *offset)
{
    for (size_t j = 0; j < s->groups; j++) {
        for (size_t t = 0; t < s->g; t++) {
            size_t c = j * s->g + t;
            qg[t] = c < s->dim ? query[c] : 0.0f;
        }
        besicovitch_projections(s, qg, table + j * s->ndir);
    }
    *offset = kvq_dot(query, s->mean, s->dim);
}

/* score_many: each code unpacked once for every query; a score is <q, mean> plus, group by group
 * in order, the amplitude times the query's projection on the group's direction. */
/* Rows whose sums advance together in score_rows: each keeps its own float sum over the groups in
 * order, the sum it would have alone, and the additions of different rows overlap instead of each
 * waiting for the one before. */
#define SCORE_ROWS 8

/* out[r] = offset + sum over groups j in order of amp_rj t[j * ndir + dir_rj], for the m rows. */
static void score_rows(const float *t, float offset, const uint8_t *dir, const float *amp, size_t m,
                       size_t G, size_t ndir, float *out)
{
    size_t r0 = 0;
    for (; r0 + SCORE_ROWS <= m; r0 += SCORE_ROWS) {
        float acc[SCORE_ROWS];
        for (size_t r = 0; r < SCORE_ROWS; r++) acc[r] = offset;
        const uint8_t *d = dir + r0 * G;
        const float *a = amp + r0 * G;
        for (size_t j = 0; j < G; j++)
            for (size_t r = 0; r < SCORE_ROWS; r++)
                acc[r] += a[r * G + j] * t[j * ndir + d[r * G + j]];
        for (size_t r = 0; r < SCORE_ROWS; r++) out[r0 + r] = acc[r];
    }
    for (; r0 < m; r0++) {
        float acc = offset;
        for (size_t j = 0; j < G; j++) acc += amp[r0 * G + j] * t[j * ndir + dir[r0 * G + j]];
        out[r0] = acc;
    }
}

static int besicovitch_score_many(const void *state, const float *queries, size_t nq,
                                  const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const besicovitch_state *s = state;
    size_t G = s->groups, ndir = s->ndir, bytes = besicovitch_bytes_per_row(s);
    size_t block = SCORE_BLOCK_GROUPS / G ? SCORE_BLOCK_GROUPS / G : 1;
    if (block > n) block = n;
    float *table = malloc((nq * G * ndir + nq) * sizeof *table), *qg = malloc(s->g * sizeof *qg);
    float *amp = malloc(block * G * sizeof *amp);
    uint8_t *dir = malloc(block * G + G);
    int rc = table && qg && amp && dir
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "besicovitch: out of memory scoring");
    float *offset = table ? table + nq * G * ndir : NULL;
    for (size_t k = 0; k < nq && !rc; k++)
        besicovitch_prepare_query(s, queries + k * s->dim, qg, table + k * G * ndir, offset + k);
    for (size_t i0 = 0; i0 < n && !rc; i0 += block) {
        size_t m = n - i0 < block ? n - i0 : block;
        for (size_t r = 0; r < m; r++) /* the magnitude indices: scratch after the directions */
            besicovitch_unpack(s, codes + (i0 + r) * bytes, dir + r * G, dir + block * G,
                               amp + r * G);
        for (size_t k = 0; k < nq; k++)
            score_rows(table + k * G * ndir, offset[k], dir, amp, m, G, ndir, out + k * n + i0);
    }
    free(table);
    free(qg);
    free(amp);
    free(dir);
    return rc;
}

static int besicovitch_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                             float *out, kvq_error *err)
{
    return besicovitch_score_many(state, query, 1, codes, n, out, err);
}

static int besicovitch_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                                   kvq_error *err)
{
    const besicovitch_state *s = state;
    besicovitch_work w = {0};
    int rc = besicovitch_work_alloc(s, &w, err);
    if (rc) return rc;
    for (size_t r = 0; r < n; r++) {
        besicovitch_unpack(s, codes + r * besicovitch_bytes_per_row(s), w.dir, w.mag, w.amp);
        float *x = rows + r * s->dim;
        for (size_t c = 0; c < s->dim; c++) {
            size_t j = c / s->g;
            x[c] = s->mean[c] + w.amp[j] * s->dirs[w.dir[j] * s->g + c % s->g];
        }
    }
    besicovitch_work_free(&w);
    return KVQ_OK;
}

static size_t besicovitch_shared_bytes(const void *state)
{
    const besicovitch_state *s = state;
    return (s->use_mean ? s->dim * sizeof(float) : 0) + (s->g > 2 ? KVQ_SEED_BYTES : 0);
}

const kvq_backend kvq_backend_besicovitch = {
    .name = "besicovitch",
    .summary = "fixed direction codebook per coordinate group, Lloyd-Max or f16 magnitudes",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = besicovitch_params,
    .variants = "dbits=3,mbits=1;dbits=4,mbits=2;dbits=6,mbits=3;dbits=8,mag=f16;group=4,dbits=8,"
                "mbits=3",
    .tolerance = 0.04,
    .create = besicovitch_create,
    .fit = besicovitch_fit,
    .encode = besicovitch_encode,
    .score = besicovitch_score,
    .score_many = besicovitch_score_many,
    .reconstruct = besicovitch_reconstruct,
    .bytes_per_row = besicovitch_bytes_per_row,
    .shared_bytes = besicovitch_shared_bytes,
    .destroy = besicovitch_destroy,
};
