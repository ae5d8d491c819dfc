/* kakeya: a block codec in the KakeyaTurbo family. A row is approximated in three stages:
 *  1. a skeleton: the mean and top principal directions of one block of B training rows (PCA,
 *     exact or randomised, backends/pca.h; rank = the cap `rank`, or the smallest rank whose
 *     variance reaches the ratio `var`, at most the cap);
 *  2. a coefficient centroid: the row's coefficients on that basis snap to the nearest of the
 *     block's k k-means centroids (backends/kmeans.h);
 *  3. the residual e, rotated by the randomised Walsh-Hadamard rotation R (backends/wht.h) and
 *     quantized coordinate by coordinate with the b-bit Lloyd-Max codebook of N(0,1)
 *     (backends/lloyd.h), after scaling by the one number that makes the rotated coordinates
 *     N(0,1): R is orthonormal (every WHT pass is scaled by 1/sqrt(p)), so a rotated coordinate
 *     has variance |e|^2 / dim, and z = R e / sigma with sigma = |e| / sqrt(dim). (An unscaled
 *     WHT, +-1 entries, would multiply that variance by p; dividing by |e| / sqrt(dim) would then
 *     leave variance p, and every coordinate would land in the outermost cells: the test
 *     checks the cells' occupancy against N(0,1)'s.) Optionally the `outliers` largest |z_i| above
 *     `threshold` are kept exactly (u16 index + f16 value), and with calibrate=1 each level
 *     decodes to the mean of the training coordinates in its cell instead of the Gaussian one.
 * Blocks and the vtable: a code must not depend on the batch, and the state is read-only after
 * fit, so skeletons are learned at fit, one per block of B consecutive training rows (the last
 * block may be shorter), and encode gives each row the skeleton and centroid that leave the
 * smallest residual |e|^2 (ties: the lowest index). Every skeleton is counted in shared_bytes:
 * mean, basis and centroids (f32), and 4 bytes of rank and k, per block; plus the rotation seed
 * (8 bytes) and the calibrated levels (2^b f32) when calibrate=1.
 * Code layout: u16 skeleton, u8 centroid, f32 sigma (7 bytes, little endian), dim b-bit level
 * indices bit-packed little-endian (backends/bitpack.h), then `outliers` slots of u16 index
 * (0xffff when unused) + f16 z value: 7 + ceil(dim b / 8) + 4 outliers bytes.
 * Known answer (its test checks it against tests/golden/gen_codecs2.py): on N(0,1) rows the
 * rotated, scaled residual coordinates fill the 2-bit cells with N(0,1)'s probabilities 0.1631,
 * 0.3369, 0.3369, 0.1631, and the relative MSE is Max's (1960) 0.1175 times the share of the
 * energy left to the residual. */
#include "bitpack.h"
#include "kmeans.h"
#include "kvq/backend.h"
#include "kvq/half.h"
#include "lloyd.h"
#include "pca.h"
#include "seed.h"
#include "util.h"
#include "wht.h"
#include "widths.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const kvq_param_doc kakeya_params[] = {
    {"block", "512", "training rows per skeleton block"},
    {"rank", "8", "skeleton rank cap"},
    {"var", "0", "skeleton rank: smallest reaching this variance ratio (0: always the cap)"},
    {"method", "auto",
     "skeleton basis: 'exact', 'random' (randomised SVD), 'auto' (exact up to "
     "dim 256)"},
    {"power", "2", "randomised basis: power iterations"},
    {"oversample", "10", "randomised basis: extra sketch columns"},
    {"k", "16", "coefficient centroids per block (u8 index: at most 256)"},
    {"iters", "25", "k-means iterations"},
    {"bits", "2", "Lloyd-Max bits per residual coordinate (1..8)"},
    {"outliers", "2", "residual coordinates kept exactly per row (u16 index + f16 value)"},
    {"threshold", "3", "outliers: only |z| above this (in N(0,1) units) are kept"},
    {"calibrate", "0", "decode each level to the mean of its training coordinates"},
    KVQ_SEED_PARAM,
    {NULL, NULL, NULL},
};

typedef struct kakeya_head {
    uint8_t skeleton[2]; /* u16 */
    uint8_t centroid;
    uint8_t sigma[4]; /* f32 */
} kakeya_head;
_Static_assert(sizeof(kakeya_head) == 7, "a kakeya code starts with 7 bytes");

typedef struct kakeya_slot {
    uint8_t index[2]; /* u16 coordinate, 0xffff when unused */
    uint8_t value[2]; /* f16 z */
} kakeya_slot;
_Static_assert(sizeof(kakeya_slot) == 4, "a kakeya outlier slot is 4 bytes");

#define KAKEYA_NO_SLOT 0xffffu

typedef struct kakeya_skeleton {
    size_t rank;
    float *mean;       /* dim */
    float *basis;      /* rank x dim */
    kvq_codebook coef; /* k centroids of dimension rank */
} kakeya_skeleton;

typedef struct kakeya_state {
    size_t dim, block, rank_cap, k, outliers, nskel;
    double var_ratio;
    float threshold;
    unsigned bits, iters;
    int calibrate, fitted;
    kvq_pca_opts pca;
    kvq_rotation rot;
    kvq_lloyd lloyd;
    float levels[KVQ_LLOYD_MAX_LEVELS]; /* what each level decodes to */
    kakeya_skeleton *skel;
} kakeya_state;

static void kakeya_skeletons_free(kakeya_state *s)
{
    for (size_t b = 0; s->skel && b < s->nskel; b++) {
        free(s->skel[b].mean);
        free(s->skel[b].basis);
        kvq_codebook_free(&s->skel[b].coef);
    }
    free(s->skel);
    s->skel = NULL;
}

static void kakeya_destroy(void *state)
{
    kakeya_state *s = state;
    if (!s) return;
    kakeya_skeletons_free(s);
    kvq_rotation_free(&s->rot);
    free(s);
}

/* Reads the parameters of the skeleton stage into s. */
static int kakeya_skeleton_params(const kvq_params *p, kakeya_state *s, kvq_error *err)
{
    long block, rank, k, iters, power, oversample;
    kvq_pca_method method;
    int rc = kvq_params_int(p, "block", 1, 1L << 40, &block, err);
    if (!rc) rc = kvq_params_int(p, "rank", 1, 1L << 20, &rank, err);
    if (!rc) rc = kvq_params_double(p, "var", 0.0, 1.0, &s->var_ratio, err);
    if (!rc)
        rc = kvq_pca_method_param("kakeya", "method", kvq_params_get(p, "method"), &method, err);
    if (!rc) rc = kvq_params_int(p, "power", 0, 20, &power, err);
    if (!rc) rc = kvq_params_int(p, "oversample", 0, 1000, &oversample, err);
    if (!rc) rc = kvq_param_capped(p, "k", 1, 256, "u8 centroid index", &k, err);
    if (!rc) rc = kvq_params_int(p, "iters", 0, 1000, &iters, err);
    if (rc) return rc;
    s->block = (size_t)block;
    s->rank_cap = (size_t)rank < s->dim ? (size_t)rank : s->dim;
    s->k = (size_t)k;
    s->iters = (unsigned)iters;
    s->pca = (kvq_pca_opts){method, 1, (size_t)oversample, (unsigned)power};
    return KVQ_OK;
}

/* Reads the parameters of the residual stage into s. */
static int kakeya_residual_params(const kvq_params *p, kakeya_state *s, kvq_error *err)
{
    long bits, outliers;
    double threshold;
    int rc = kvq_param_capped(p, "bits", 1, KVQ_LLOYD_MAX_BITS, "level index", &bits, err);
    if (!rc) rc = kvq_params_int(p, "outliers", 0, 1L << 20, &outliers, err);
    if (!rc) rc = kvq_params_double(p, "threshold", 0.0, 1e6, &threshold, err);
    if (!rc) rc = kvq_params_bool(p, "calibrate", &s->calibrate, err);
    if (rc) return rc;
    if (outliers > 0 && s->dim >= KAKEYA_NO_SLOT)
        return kvq_fail(err, KVQ_ERANGE,
                        "kakeya: outliers need a u16 coordinate index, and dim %zu does not fit",
                        s->dim);
    if ((size_t)outliers > s->dim)
        return kvq_fail(err, KVQ_EINVAL, "kakeya: outliers=%ld exceeds the row dimension %zu",
                        outliers, s->dim);
    s->bits = (unsigned)bits;
    s->outliers = (size_t)outliers;
    s->threshold = (float)threshold;
    return KVQ_OK;
}

static int kakeya_create(const kvq_params *p, size_t dim, kvq_rng *rng, void **state,
                         kvq_error *err)
{
    kakeya_state *s = kvq_state_calloc("kakeya", sizeof *s, err);
    if (!s) return KVQ_ENOMEM;
    s->dim = dim;
    uint64_t seed;
    int rc = kakeya_skeleton_params(p, s, err);
    if (!rc) rc = kakeya_residual_params(p, s, err);
    if (!rc) rc = kvq_codec_seed(p, rng, &seed, err);
    if (!rc) rc = kvq_lloyd_gaussian(s->bits, &s->lloyd, "kakeya", err);
    if (!rc) rc = kvq_rotation_init(&s->rot, dim, seed, "kakeya", err);
    if (rc) {
        kakeya_destroy(s);
        return rc;
    }
    memcpy(s->levels, s->lloyd.centroid, sizeof s->levels);
    *state = s;
    return KVQ_OK;
}

/* atom = mean_b + sum_r c_jr v_r: what the skeleton stage decodes to (dim floats). */
static void kakeya_atom(const kakeya_state *s, size_t b, size_t j, float *atom)
{
    const kakeya_skeleton *k = &s->skel[b];
    memcpy(atom, k->mean, s->dim * sizeof *atom);
    for (size_t r = 0; r < k->rank; r++) {
        float c = k->coef.centroids[j * k->rank + r];
        for (size_t t = 0; t < s->dim; t++) atom[t] += c * k->basis[r * s->dim + t];
    }
}

/* Scratch space of one row's analysis (per call: encode is thread-safe). */
typedef struct kakeya_work {
    float *centred; /* dim */
    float *coef;    /* rank_cap */
    float *z;       /* dim */
} kakeya_work;

static void kakeya_work_free(kakeya_work *w)
{
    free(w->centred);
    free(w->coef);
    free(w->z);
}

static int kakeya_work_alloc(const kakeya_state *s, kakeya_work *w, kvq_error *err)
{
    w->centred = malloc(s->dim * sizeof *w->centred);
    w->coef = malloc(s->rank_cap * sizeof *w->coef);
    w->z = malloc(s->dim * sizeof *w->z);
    if (w->centred && w->coef && w->z) return KVQ_OK;
    kakeya_work_free(w);
    return kvq_fail(err, KVQ_ENOMEM, "kakeya: out of memory");
}

/* centred = x - mean_b and coef = its coordinates on the basis of skeleton b. */
static void kakeya_coefficients(const kakeya_state *s, const kakeya_skeleton *k, const float *x,
                                float *centred, float *coef)
{
    for (size_t t = 0; t < s->dim; t++) centred[t] = x[t] - k->mean[t];
    kvq_dot_rows(centred, k->basis, k->rank, s->dim, coef);
}

/* The squared residual that skeleton b leaves on x with its best centroid (*j): the energy off
 * the basis plus the distance from the coefficients to the centroid. */
static int kakeya_fit_error(const kakeya_state *s, size_t b, const float *x, kakeya_work *w,
                            size_t *j, double *error, kvq_error *err)
{
    const kakeya_skeleton *k = &s->skel[b];
    kakeya_coefficients(s, k, x, w->centred, w->coef);
    double energy = 0.0;
    for (size_t t = 0; t < s->dim; t++) energy += (double)w->centred[t] * w->centred[t];
    for (size_t r = 0; r < k->rank; r++) energy -= (double)w->coef[r] * w->coef[r];
    kvq_match m;
    int rc = kvq_codebook_search(&k->coef, w->coef, 1, k->rank, 1, &m, "kakeya", err);
    if (rc) return rc;
    *j = m.j;
    *error = energy + m.d2;
    return KVQ_OK;
}

/* Encodes x up to the residual: the skeleton (*b) and centroid (*j) with the smallest residual,
 * sigma, and the normalised rotated residual in w->z. */
static int kakeya_analyse(const kakeya_state *s, const float *x, kakeya_work *w, size_t *b,
                          size_t *j, float *sigma, kvq_error *err)
{
    double best = INFINITY;
    for (size_t c = 0; c < s->nskel; c++) {
        size_t jc;
        double error;
        int rc = kakeya_fit_error(s, c, x, w, &jc, &error, err);
        if (rc) return rc;
        if (error < best) {
            best = error;
            *b = c;
            *j = jc;
        }
    }
    kakeya_atom(s, *b, *j, w->z);
    for (size_t t = 0; t < s->dim; t++) w->z[t] = x[t] - w->z[t];
    kvq_rotation_apply(&s->rot, w->z);
    double ss = 0.0;
    for (size_t t = 0; t < s->dim; t++) ss += (double)w->z[t] * w->z[t];
    *sigma = (float)sqrt(ss / (double)s->dim);
    float inv = *sigma > 0.0f ? 1.0f / *sigma : 0.0f;
    for (size_t t = 0; t < s->dim; t++) w->z[t] *= inv;
    return KVQ_OK;
}

/* Learns the skeleton of m training rows: mean, basis, rank, coefficient centroids. */
static int kakeya_fit_block(kakeya_state *s, kakeya_skeleton *k, const float *rows, size_t m,
                            kvq_rng *rng, kvq_error *err)
{
    size_t cap = s->rank_cap < m ? s->rank_cap : m, dim = s->dim;
    double *var = malloc(cap * sizeof *var), total;
    float *coef = malloc(m * cap * sizeof *coef), *centred = malloc(dim * sizeof *centred);
    k->mean = malloc(dim * sizeof *k->mean);
    k->basis = malloc(cap * dim * sizeof *k->basis);
    int rc = var && coef && centred && k->mean && k->basis
                 ? kvq_pca(rows, m, dim, cap, &s->pca, rng, k->mean, k->basis, var, &total,
                           "kakeya", err)
                 : kvq_fail(err, KVQ_ENOMEM, "kakeya: out of memory for a skeleton");
    if (!rc) {
        k->rank = s->var_ratio > 0.0 ? kvq_pca_rank_for(var, cap, total, s->var_ratio) : cap;
        for (size_t i = 0; i < m; i++)
            kakeya_coefficients(s, k, rows + i * dim, centred, coef + i * k->rank);
        rc = kvq_codebook_alloc(&k->coef, s->k < m ? s->k : m, k->rank, "kakeya", err);
    }
    if (!rc) rc = kvq_kmeans_train(&k->coef, coef, m, s->iters, rng, "kakeya", err);
    free(var);
    free(coef);
    free(centred);
    return rc;
}

/* calibrate=1: each level decodes to the mean of the training coordinates in its cell. */
static int kakeya_calibrate(kakeya_state *s, const float *rows, size_t n, kvq_error *err)
{
    kakeya_work w;
    int rc = kakeya_work_alloc(s, &w, err);
    if (rc) return rc;
    double sum[KVQ_LLOYD_MAX_LEVELS] = {0};
    size_t count[KVQ_LLOYD_MAX_LEVELS] = {0};
    for (size_t i = 0; i < n && !rc; i++) {
        size_t b, j;
        float sigma;
        rc = kakeya_analyse(s, rows + i * s->dim, &w, &b, &j, &sigma, err);
        for (size_t t = 0; t < s->dim && !rc; t++) {
            unsigned level = kvq_lloyd_index(&s->lloyd, w.z[t]);
            sum[level] += w.z[t];
            count[level]++;
        }
    }
    for (unsigned l = 0; l < s->lloyd.levels; l++)
        if (count[l]) s->levels[l] = (float)(sum[l] / (double)count[l]);
    kakeya_work_free(&w);
    return rc;
}

static int kakeya_fit(void *state, const float *rows, size_t n, kvq_rng *rng, kvq_error *err)
{
    kakeya_state *s = state;
    size_t nskel = (n + s->block - 1) / s->block;
    if (nskel > 65536)
        return kvq_fail(err, KVQ_ERANGE,
                        "kakeya: %zu training rows in blocks of block=%zu make %zu skeletons, more "
                        "than the u16 skeleton index holds (65536)",
                        n, s->block, nskel);
    s->skel = calloc(nskel, sizeof *s->skel);
    if (!s->skel)
        return kvq_fail(err, KVQ_ENOMEM, "kakeya: out of memory for %zu skeletons", nskel);
    s->nskel = nskel;
    int rc = KVQ_OK;
    for (size_t b = 0; b < nskel && !rc; b++) {
        size_t first = b * s->block, m = n - first < s->block ? n - first : s->block;
        rc = kakeya_fit_block(s, &s->skel[b], rows + first * s->dim, m, rng, err);
    }
    if (!rc && s->calibrate) rc = kakeya_calibrate(s, rows, n, err);
    s->fitted = !rc;
    return rc;
}

static size_t kakeya_levels_bytes(const kakeya_state *s)
{
    return kvq_packed_bytes(s->dim, s->bits);
}

static size_t kakeya_bytes_per_row(const void *state)
{
    const kakeya_state *s = state;
    return sizeof(kakeya_head) + kakeya_levels_bytes(s) + s->outliers * sizeof(kakeya_slot);
}

/* Writes the outlier slots of a code: the largest |z_i| above the threshold, largest first
 * (ties: the lowest coordinate); entries taken are zeroed in z so that each is taken once. */
static void kakeya_pack_outliers(const kakeya_state *s, float *z, uint8_t *slots)
{
    for (size_t o = 0; o < s->outliers; o++) {
        size_t pick = s->dim;
        for (size_t t = 0; t < s->dim; t++)
            if (fabsf(z[t]) > s->threshold && (pick == s->dim || fabsf(z[t]) > fabsf(z[pick])))
                pick = t;
        uint16_t index = KAKEYA_NO_SLOT, value = 0;
        if (pick < s->dim) {
            index = (uint16_t)pick;
            value = kvq_f32_to_f16(z[pick]);
            z[pick] = 0.0f;
        }
        kakeya_slot slot;
        memcpy(slot.index, &index, sizeof index);
        memcpy(slot.value, &value, sizeof value);
        memcpy(slots + o * sizeof slot, &slot, sizeof slot);
    }
}

static int kakeya_encode(const void *state, const float *rows, size_t n, uint8_t *codes,
                         kvq_error *err)
{
    const kakeya_state *s = state;
    if (!s->fitted) return kvq_fail(err, KVQ_EINVAL, "kakeya: encode before fit");
    size_t bytes = kakeya_bytes_per_row(s);
    kakeya_work w;
    uint8_t *level = malloc(s->dim);
    int rc = level ? kakeya_work_alloc(s, &w, err)
                   : kvq_fail(err, KVQ_ENOMEM, "kakeya: out of memory encoding");
    if (rc) {
        free(level);
        return rc;
    }
    memset(codes, 0, n * bytes);
    for (size_t i = 0; i < n && !rc; i++) {
        uint8_t *code = codes + i * bytes;
        size_t b, j;
        float sigma;
        rc = kakeya_analyse(s, rows + i * s->dim, &w, &b, &j, &sigma, err);
        if (rc) break;
        uint16_t skel = (uint16_t)b;
        kakeya_head head = {.centroid = (uint8_t)j};
        memcpy(head.skeleton, &skel, sizeof skel);
        memcpy(head.sigma, &sigma, sizeof sigma);
        memcpy(code, &head, sizeof head);
        for (size_t t = 0; t < s->dim; t++) level[t] = (uint8_t)kvq_lloyd_index(&s->lloyd, w.z[t]);
        kvq_pack_bits(level, s->dim, s->bits, code + sizeof head, 0);
        kakeya_pack_outliers(s, w.z, code + sizeof head + kakeya_levels_bytes(s));
    }
    free(level);
    kakeya_work_free(&w);
    return rc;
}

/* The decoded parts of a code: skeleton *b, centroid *j, sigma, and z^ (dim floats, levels with
 * the outliers put back); level is dim bytes of scratch. */
static float kakeya_unpack(const kakeya_state *s, const uint8_t *code, size_t *b, size_t *j,
                           uint8_t *level, float *z)
{
    kakeya_head head;
    memcpy(&head, code, sizeof head);
    uint16_t skel;
    float sigma;
    memcpy(&skel, head.skeleton, sizeof skel);
    memcpy(&sigma, head.sigma, sizeof sigma);
    *b = skel;
    *j = head.centroid;
    kvq_unpack_bits(code + sizeof head, 0, s->bits, s->dim, level);
    for (size_t t = 0; t < s->dim; t++) z[t] = s->levels[level[t]];
    const uint8_t *slots = code + sizeof head + kakeya_levels_bytes(s);
    for (size_t o = 0; o < s->outliers; o++) {
        kakeya_slot slot;
        uint16_t index, value;
        memcpy(&slot, slots + o * sizeof slot, sizeof slot);
        memcpy(&index, slot.index, sizeof index);
        memcpy(&value, slot.value, sizeof value);
        if (index < s->dim) z[index] = kvq_f16_to_f32(value);
    }
    return sigma;
}

/* Checks that a code names a skeleton and centroid that exist (codes not made by this instance
 * must not read out of bounds). */
static int kakeya_check(const kakeya_state *s, size_t i, size_t b, size_t j, kvq_error *err)
{
    if (b >= s->nskel || j >= s->skel[b].coef.k)
        return kvq_fail(err, KVQ_EINVAL,
                        "kakeya: code %zu names skeleton %zu, centroid %zu, which this instance "
                        "does not have",
                        i, b, j);
    return KVQ_OK;
}

/* Codes decoded at once for every query: 64 KiB of residuals. */
#define SCORE_BLOCK_FLOATS 16384

/* Decodes the m codes from first into z (m x dim, rotated residuals), with each one's sigma,
 * skeleton b and centroid j; level: dim bytes. */
static int kakeya_decode_block(const kakeya_state *s, const uint8_t *codes, size_t first, size_t m,
                               uint8_t *level, float *z, float *sigma, size_t *b, size_t *j,
                               kvq_error *err)
{
    size_t bytes = kakeya_bytes_per_row(s);
    for (size_t r = 0; r < m; r++) {
        size_t i = first + r;
        sigma[r] = kakeya_unpack(s, codes + i * bytes, &b[r], &j[r], level, z + r * s->dim);
        int rc = kakeya_check(s, i, b[r], j[r], err);
        if (rc) return rc;
    }
    return KVQ_OK;
}

/* Every query's table (<q, atom> of every skeleton's centroids, skeleton b's from offset[b]; each
 * atom built once and dotted with every query side by side, kvq_dot_rows, kvq_dot's sums) and
 * rotated copy rq (its first nq floats the dots' scratch until then). */
static void kakeya_prepare_queries(const kakeya_state *s, const float *queries, size_t nq,
                                   size_t total, const size_t *offset, float *atom, float *table,
                                   float *rq)
{
    size_t dim = s->dim;
    for (size_t b = 0; b < s->nskel; b++)
        for (size_t j = 0; j < s->skel[b].coef.k; j++) {
            kakeya_atom(s, b, j, atom);
            kvq_dot_rows(atom, queries, nq, dim, rq);
            for (size_t k = 0; k < nq; k++) table[k * total + offset[b] + j] = rq[k];
        }
    memcpy(rq, queries, nq * dim * sizeof *rq);
    for (size_t k = 0; k < nq; k++) kvq_rotation_apply(&s->rot, rq + k * dim);
}

/* score_many: each code unpacked once for every query; a score is the query's table entry for the
 * code's centroid plus sigma times the dot product of the rotated query and the residual (the
 * residual dots of a block of codes run side by side, kvq_dot_rows_many). */
static int kakeya_score_many(const void *state, const float *queries, size_t nq,
                             const uint8_t *codes, size_t n, float *out, kvq_error *err)
{
    const kakeya_state *s = state;
    size_t dim = s->dim, total = 0, block = SCORE_BLOCK_FLOATS / dim;
    if (block < KVQ_DOT_ROWS) block = KVQ_DOT_ROWS;
    if (block > n) block = n;
    for (size_t b = 0; b < s->nskel; b++) total += s->skel[b].coef.k;
    float *rq = malloc(nq * dim * sizeof *rq), *z = malloc(block * dim * sizeof *z);
    float *table = malloc((nq * total + 1) * sizeof *table), *atom = malloc(dim * sizeof *atom);
    float *sigma = malloc(block * sizeof *sigma), *dot = malloc(nq * block * sizeof *dot);
    double *tile = malloc(KVQ_DOT_ROWS * dim * sizeof *tile);
    size_t *offset = malloc((s->nskel + 2 * block) * sizeof *offset);
    size_t *b = offset ? offset + s->nskel : NULL, *j = b ? b + block : NULL;
    uint8_t *level = malloc(dim);
    int rc = rq && z && table && atom && sigma && dot && tile && offset && level
                 ? KVQ_OK
                 : kvq_fail(err, KVQ_ENOMEM, "kakeya: out of memory scoring");
    for (size_t k = 0, at = 0; k < s->nskel && !rc; at += s->skel[k].coef.k, k++) offset[k] = at;
    if (!rc) kakeya_prepare_queries(s, queries, nq, total, offset, atom, table, rq);
    for (size_t i0 = 0; i0 < n && !rc; i0 += block) {
        size_t m = n - i0 < block ? n - i0 : block;
        rc = kakeya_decode_block(s, codes, i0, m, level, z, sigma, b, j, err);
        if (!rc) kvq_dot_rows_many(rq, nq, z, m, dim, dot, m, tile);
        for (size_t k = 0; k < nq && !rc; k++) {
            const float *t = table + k * total;
            for (size_t r = 0; r < m; r++)
                out[k * n + i0 + r] = t[offset[b[r]] + j[r]] + sigma[r] * dot[k * m + r];
        }
    }
    free(rq);
    free(z);
    free(table);
    free(atom);
    free(sigma);
    free(dot);
    free(tile);
    free(offset);
    free(level);
    return rc;
}

static int kakeya_score(const void *state, const float *query, const uint8_t *codes, size_t n,
                        float *out, kvq_error *err)
{
    return kakeya_score_many(state, query, 1, codes, n, out, err);
}

static int kakeya_reconstruct(const void *state, const uint8_t *codes, size_t n, float *rows,
                              kvq_error *err)
{
    const kakeya_state *s = state;
    size_t bytes = kakeya_bytes_per_row(s), dim = s->dim;
    float *atom = malloc(2 * dim * sizeof *atom), *z = atom ? atom + dim : NULL;
    uint8_t *level = malloc(dim);
    int rc = atom && level ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "kakeya: out of memory decoding");
    for (size_t i = 0; i < n && !rc; i++) {
        size_t b, j;
        float sigma = kakeya_unpack(s, codes + i * bytes, &b, &j, level, z);
        rc = kakeya_check(s, i, b, j, err);
        if (rc) break;
        for (size_t t = 0; t < dim; t++) z[t] *= sigma;
        kvq_rotation_invert(&s->rot, z);
        kakeya_atom(s, b, j, atom);
        for (size_t t = 0; t < dim; t++) rows[i * dim + t] = atom[t] + z[t];
    }
    free(atom);
    free(level);
    return rc;
}

static size_t kakeya_shared_bytes(const void *state)
{
    const kakeya_state *s = state;
    size_t total = KVQ_SEED_BYTES + (s->calibrate ? s->lloyd.levels * sizeof(float) : 0);
    for (size_t b = 0; b < s->nskel; b++) {
        const kakeya_skeleton *k = &s->skel[b];
        total += (1 + k->rank) * s->dim * sizeof(float) + kvq_codebook_bytes(&k->coef) +
                 2 * sizeof(uint16_t);
    }
    return total;
}

const kvq_backend kvq_backend_kakeya = {
    .name = "kakeya",
    .summary = "block codec: per-block PCA skeleton + k-means, WHT-rotated Lloyd-Max residual",
    .grade = KVQ_GRADE_RECONSTRUCTION,
    .params = kakeya_params,
    .variants = "bits=1;bits=2;bits=3;bits=4;bits=2,var=0.5,method=random;bits=2,calibrate=1",
    .tolerance = 0.11,
    .create = kakeya_create,
    .fit = kakeya_fit,
    .encode = kakeya_encode,
    .score = kakeya_score,
    .score_many = kakeya_score_many,
    .reconstruct = kakeya_reconstruct,
    .bytes_per_row = kakeya_bytes_per_row,
    .shared_bytes = kakeya_shared_bytes,
    .destroy = kakeya_destroy,
};
