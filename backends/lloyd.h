/* Lloyd–Max optimal scalar quantizers: the 2^bits levels that minimise the mean squared error of
 * a scalar with a known density, computed by Lloyd's iteration (Lloyd 1957/1982, Max 1960).
 * Shared by lloydmax, turboquant, turboquant_prod, polarquant and the Kakeya block codec.
 *
 * Lloyd's iteration alternates the two optimality conditions until the centroids stop moving:
 * each decision threshold is the midpoint of its two neighbouring centroids, and each centroid is
 * the conditional mean of the density over its cell. For the standard normal the cell moments
 * are exact (GSL's normal CDF and density, tails from the upper CDF for precision); for any other
 * density they are integrated with GSL's adaptive Gauss–Kronrod rule (gsl_integration_qag).
 *
 * N(0, s^2) for any s: the N(0, 1) codebook scaled by s (centroids, thresholds) and its mse by
 * s^2, since the optimal quantizer of a scaled variable is the scaled quantizer. Callers that
 * quantize y ~ N(0, s^2) look up kvq_lloyd_index(cb, y / s) and decode s * centroid[index].
 *
 * Known answers (tests/test_codecs1_lloyd.c, tests/golden/codecs1.json): the N(0, 1) mse for
 * bits = 1..4 is 0.3634, 0.1175, 0.03454, 0.009497 (Max 1960, Table I), and at 1 bit the
 * centroids are +-sqrt(2/pi).
 */
#ifndef KVQ_BACKENDS_LLOYD_H
#define KVQ_BACKENDS_LLOYD_H

#include "kvq/error.h"
#include <stddef.h>

#define KVQ_LLOYD_MAX_BITS 8
#define KVQ_LLOYD_MAX_LEVELS (1u << KVQ_LLOYD_MAX_BITS)

typedef struct kvq_lloyd {
    unsigned bits;
    unsigned levels;                           /* 2^bits */
    float centroid[KVQ_LLOYD_MAX_LEVELS];      /* ascending; index i decodes to centroid[i] */
    float threshold[KVQ_LLOYD_MAX_LEVELS - 1]; /* threshold[i] separates cells i and i + 1 */
    double mse;                                /* E[(X - Q(X))^2] under the density */
} kvq_lloyd;

/* The codebook of N(0, 1) at bits in [1, KVQ_LLOYD_MAX_BITS]. KVQ_ERANGE naming codec and the
 * value when bits is out of range; KVQ_EINTERNAL if the iteration does not converge. Each codebook
 * is computed once per process (under a lock: safe from several threads; about a second at 8
 * bits, milliseconds up to 5) and copied into *cb. */
int kvq_lloyd_gaussian(unsigned bits, kvq_lloyd *cb, const char *codec, kvq_error *err);

/* A probability density on [lo, hi] (it need not be normalised: the cell moments are divided by
 * its total mass). ctx is passed to both functions. */
typedef struct kvq_density {
    double (*pdf)(double x, void *ctx);
    /* Optional: the quantile function (inverse CDF) on (0, 1). The iteration starts from the
     * quantiles (i + 1/2) / 2^bits when given, from equally spaced points otherwise; give it for
     * densities so concentrated that equally spaced cells would be empty. */
    double (*quantile)(double p, void *ctx);
    void *ctx;
    double lo, hi; /* finite support */
    /* Optional: a name for the density with its parameters (what pdf, quantile and ctx make of
     * it), under which its codebooks are kept for the process, beside the N(0, 1) ones (kept as
     * "N(0, 1)"); NULL, or 64 characters or more: computed at every call. */
    const char *key;
} kvq_density;

/* The codebook of density at bits in [1, KVQ_LLOYD_MAX_BITS], by GSL integration. Errors as
 * kvq_lloyd_gaussian, plus KVQ_EINTERNAL naming codec when an integral fails. With a key, each
 * (key, bits) is computed once per process (under the lock kvq_lloyd_gaussian's share) and copied
 * into *cb: a codec opened for every layer of a chain integrates its densities once. */
int kvq_lloyd_density(const kvq_density *density, unsigned bits, kvq_lloyd *cb, const char *codec,
                      kvq_error *err);

/* The index of the cell holding x: the number of thresholds <= x (a binary search, bits steps),
 * so a value on a threshold goes to the upper cell. */
unsigned kvq_lloyd_index(const kvq_lloyd *cb, float x);

#endif
