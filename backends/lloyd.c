/* Lloyd–Max scalar quantizers by Lloyd's iteration (backends/lloyd.h). */
#include "lloyd.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

/* Centroids move less than this (relative to the spread of the codebook) at convergence: far
 * below float resolution, and the mse, stationary at the optimum, is then exact to ~1e-15. */
#define LLOYD_TOLERANCE 1e-11
#define LLOYD_MAX_ITERATIONS 200000
#define QAG_LIMIT 200

/* What an iteration needs of a density: the moments of one cell [a, b] (mass, first, second). */
typedef struct cell_model {
    int (*moments)(const struct cell_model *model, double a, double b, double m[3], kvq_error *err);
    const kvq_density *density; /* for integrated models */
    gsl_integration_workspace *work;
    const char *codec;
    double lo, hi;
} cell_model;

static double phi_times(double x)
{
    return isinf(x) ? 0.0 : x * gsl_ran_ugaussian_pdf(x);
}

/* Closed forms for N(0, 1): mass = Phi(b) - Phi(a), first = phi(a) - phi(b), second = mass +
 * a phi(a) - b phi(b). Cells right of 0 take the mass from the upper tail, where Phi(b) - Phi(a)
 * would cancel. */
static int gaussian_moments(const cell_model *model, double a, double b, double m[3],
                            kvq_error *err)
{
    (void)model;
    (void)err;
    double mass = a >= 0.0 ? gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b)
                           : gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
    m[0] = mass;
    m[1] = gsl_ran_ugaussian_pdf(a) - gsl_ran_ugaussian_pdf(b);
    m[2] = mass + phi_times(a) - phi_times(b);
    return KVQ_OK;
}

typedef struct weighted {
    const kvq_density *density;
    int power; /* integrand x^power * pdf(x) */
} weighted;

static double weighted_pdf(double x, void *ctx)
{
    const weighted *w = ctx;
    double f = w->density->pdf(x, w->density->ctx);
    return w->power == 0 ? f : w->power == 1 ? x * f : x * x * f;
}

static int integrated_moments(const cell_model *model, double a, double b, double m[3],
                              kvq_error *err)
{
    for (int k = 0; k < 3; k++) {
        weighted w = {model->density, k};
        gsl_function f = {weighted_pdf, &w};
        double abserr;
        int rc = gsl_integration_qag(&f, a, b, 1e-300, 1e-10, QAG_LIMIT, GSL_INTEG_GAUSS31,
                                     model->work, &m[k], &abserr);
        if (rc)
            return kvq_fail(err, KVQ_EINTERNAL,
                            "%s: integrating the codebook density over [%g, %g] failed: %s",
                            model->codec, a, b, gsl_strerror(rc));
    }
    return KVQ_OK;
}

static double cell_edge(const cell_model *model, const double *t, unsigned levels, unsigned i)
{
    if (i == 0) return model->lo;
    if (i == levels) return model->hi;
    return t[i - 1];
}

/* One Lloyd step: thresholds from the centroids c, then c from the cells. Returns the largest
 * centroid move in *moved, the mse (unnormalised) in *mse and the total mass in *mass. */
static int lloyd_step(const cell_model *model, unsigned levels, double *c, double *t, double *moved,
                      double *mse, double *mass, kvq_error *err)
{
    for (unsigned i = 0; i + 1 < levels; i++) t[i] = 0.5 * (c[i] + c[i + 1]);
    *moved = 0.0;
    *mse = 0.0;
    *mass = 0.0;
    for (unsigned i = 0; i < levels; i++) {
        double m[3];
        double a = cell_edge(model, t, levels, i), b = cell_edge(model, t, levels, i + 1);
        int rc = model->moments(model, a, b, m, err);
        if (rc) return rc;
        *mse += m[2] - 2.0 * c[i] * m[1] + c[i] * c[i] * m[0];
        *mass += m[0];
        if (m[0] <= 0.0) continue; /* an empty cell keeps its centroid */
        double next = m[1] / m[0];
        *moved = fmax(*moved, fabs(next - c[i]));
        c[i] = next;
    }
    return KVQ_OK;
}

static int lloyd_run(const cell_model *model, unsigned bits, double *c, kvq_lloyd *cb,
                     kvq_error *err)
{
    unsigned levels = 1u << bits;
    double t[KVQ_LLOYD_MAX_LEVELS - 1];
    double moved = INFINITY, mse = 0.0, mass = 1.0;
    for (long it = 0; it < LLOYD_MAX_ITERATIONS; it++) {
        double spread = c[levels - 1] - c[0] + 1.0;
        int rc = lloyd_step(model, levels, c, t, &moved, &mse, &mass, err);
        if (rc) return rc;
        if (moved <= LLOYD_TOLERANCE * spread) {
            /* one more step for the thresholds and mse of these centroids (its move is dropped) */
            double final[KVQ_LLOYD_MAX_LEVELS];
            memcpy(final, c, levels * sizeof *c);
            rc = lloyd_step(model, levels, c, t, &moved, &mse, &mass, err);
            if (rc) return rc;
            cb->bits = bits;
            cb->levels = levels;
            for (unsigned i = 0; i < levels; i++) cb->centroid[i] = (float) final[i];
            for (unsigned i = 0; i + 1 < levels; i++) cb->threshold[i] = (float)t[i];
            cb->mse = mse / mass;
            return KVQ_OK;
        }
    }
    return kvq_fail(err, KVQ_EINTERNAL, "%s: Lloyd's iteration at %u bits did not converge",
                    model->codec, bits);
}

static int check_bits(unsigned bits, const char *codec, kvq_error *err)
{
    if (bits < 1 || bits > KVQ_LLOYD_MAX_BITS)
        return kvq_fail(err, KVQ_ERANGE, "%s: bits=%u is outside the codebook range [1, %d]", codec,
                        bits, KVQ_LLOYD_MAX_BITS);
    return KVQ_OK;
}

static int gaussian_compute(unsigned bits, kvq_lloyd *cb, const char *codec, kvq_error *err)
{
    unsigned levels = 1u << bits;
    /* Start from the compander (Panter–Dite) approximation of the optimum: point density
     * proportional to pdf^(1/3), i.e. the quantiles of N(0, 3), which is close to optimal. */
    double c[KVQ_LLOYD_MAX_LEVELS];
    for (unsigned i = 0; i < levels; i++)
        c[i] = sqrt(3.0) * gsl_cdf_ugaussian_Pinv((i + 0.5) / levels);
    cell_model model = {gaussian_moments, NULL, NULL, codec, -INFINITY, INFINITY};
    return lloyd_run(&model, bits, c, cb, err);
}

static int density_compute(const kvq_density *density, unsigned bits, kvq_lloyd *cb,
                           const char *codec, kvq_error *err)
{
    unsigned levels = 1u << bits;
    double c[KVQ_LLOYD_MAX_LEVELS];
    for (unsigned i = 0; i < levels; i++) {
        double p = (i + 0.5) / levels;
        c[i] = density->quantile ? density->quantile(p, density->ctx)
                                 : density->lo + p * (density->hi - density->lo);
    }
    gsl_integration_workspace *work = gsl_integration_workspace_alloc(QAG_LIMIT);
    if (!work) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory for GSL integration", codec);
    cell_model model = {integrated_moments, density, work, codec, density->lo, density->hi};
    int rc = lloyd_run(&model, bits, c, cb, err);
    gsl_integration_workspace_free(work);
    return rc;
}

/* The codebooks kept for the process, by (key, bits): the N(0, 1) ones (they depend on bits alone,
 * and Lloyd's iteration converges slowly at many levels, about a second at 8 bits) and those of the
 * keyed densities. One lock: a codebook asked for by several threads at once is computed once. */
#define KEY_MAX 64

typedef struct kept_codebook {
    char key[KEY_MAX];
    kvq_lloyd cb;
} kept_codebook;

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static kept_codebook *kept;
static size_t nkept, kept_room;

/* The codebook of density at bits (NULL: N(0, 1)), kept under key (shorter than KEY_MAX); one that
 * cannot be kept (out of memory) is still computed and returned. */
static int kept_or_computed(const char *key, const kvq_density *density, unsigned bits,
                            kvq_lloyd *cb, const char *codec, kvq_error *err)
{
    int rc = KVQ_OK;
    pthread_mutex_lock(&kept_lock);
    size_t e = 0;
    while (e < nkept && (kept[e].cb.bits != bits || strcmp(kept[e].key, key))) e++;
    if (e < nkept) {
        *cb = kept[e].cb;
    } else {
        rc = density ? density_compute(density, bits, cb, codec, err)
                     : gaussian_compute(bits, cb, codec, err);
        if (!rc && nkept == kept_room) {
            size_t room = kept_room ? 2 * kept_room : 16;
            kept_codebook *more = realloc(kept, room * sizeof *more);
            if (more) kept = more, kept_room = room;
        }
        if (!rc && nkept < kept_room) {
            strcpy(kept[nkept].key, key);
            kept[nkept++].cb = *cb;
        }
    }
    pthread_mutex_unlock(&kept_lock);
    return rc;
}

int kvq_lloyd_gaussian(unsigned bits, kvq_lloyd *cb, const char *codec, kvq_error *err)
{
    int rc = check_bits(bits, codec, err);
    return rc ? rc : kept_or_computed("N(0, 1)", NULL, bits, cb, codec, err);
}

int kvq_lloyd_density(const kvq_density *density, unsigned bits, kvq_lloyd *cb, const char *codec,
                      kvq_error *err)
{
    int rc = check_bits(bits, codec, err);
    if (rc) return rc;
    if (!density->key || strlen(density->key) >= KEY_MAX)
        return density_compute(density, bits, cb, codec, err);
    return kept_or_computed(density->key, density, bits, cb, codec, err);
}

unsigned kvq_lloyd_index(const kvq_lloyd *cb, float x)
{
    /* the thresholds <= x are a prefix (they ascend): halve the range still undecided, keeping
     * its lower part or stepping past its lower half by a conditional move rather than a branch
     * the processor would mispredict on every other coordinate */
    const float *base = cb->threshold;
    unsigned len = cb->levels - 1;
    while (len > 1) {
        unsigned half = len / 2;
        base = base[half - 1] <= x ? base + half : base;
        len -= half;
    }
    return (unsigned)(base - cb->threshold) + (base[0] <= x);
}
