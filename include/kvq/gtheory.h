/* Generalizability theory (G studies) of codec scores (metrics/gtheory.c): variance components of
 * a balanced random-effects design estimated by ANOVA (expected mean squares), and the
 * generalizability (G, relative) and dependability (Phi, absolute) coefficients of a D study with
 * the G study's sample sizes. Reference: R. L. Brennan, Generalizability Theory (Springer, 2001),
 * ch. 3 and 7 (nested designs; the EMS rules are Cornfield and Tukey's).
 *
 * Full design, (p:q) x (r:c), every facet random: nq queries q; np subjects p within each query
 * (a subject is a (query, row) pair); nc codecs c; nr replicates r within each codec (independent
 * fits: replicate r of one codec has nothing to do with replicate r of another). Data y, every
 * value finite, laid out y[((q*np + p)*nc + c)*nr + r].
 *
 * Negative estimates: every component is first solved from the mean squares with the signed
 * (raw) estimates of the others, i.e. the exact solution of the EMS equations, and only then is
 * a negative estimate reported as 0 and flagged (Brennan 2001, sec. 3.4: zero a negative estimate
 * for reporting, never while solving for the other components). `raw` keeps the signed value,
 * `sigma2` the reported one; the coefficients use `sigma2`.
 *
 * nr == 1: replicates are not a facet. Then r:c, qr:c and pc:q are reported as NaN (df 0, ms NaN,
 * not flagged) and the design is (p:q) x c: `c` estimates c + r:c, `qc` estimates qc + qr:c and the
 * residual `res` estimates pc:q + pr:qc,e, the (p:q)c,e residual, with df nq(np - 1)(nc - 1).
 *
 * Undefined quantities (0/0) come back as NaN, never as a number that looks valid.
 */
#ifndef KVQ_GTHEORY_H
#define KVQ_GTHEORY_H

#include "kvq/error.h"
#include <stddef.h>

/* The effects of (p:q) x (r:c), top of the EMS system first. */
typedef enum kvq_gtheory_effect {
    KVQ_GT_Q,    /* queries */
    KVQ_GT_P_Q,  /* subjects within queries, p:q */
    KVQ_GT_C,    /* codecs */
    KVQ_GT_R_C,  /* replicates within codecs, r:c */
    KVQ_GT_QC,   /* query x codec */
    KVQ_GT_PC_Q, /* subject x codec within queries, (p:q)c */
    KVQ_GT_QR_C, /* query x replicate within codecs, q(r:c) */
    KVQ_GT_RES,  /* residual, (p:q)(r:c),e */
    KVQ_GT_EFFECTS
} kvq_gtheory_effect;

/* One effect's ANOVA row and variance component. */
typedef struct kvq_gtheory_row {
    double df;     /* degrees of freedom (0 for an effect that nr == 1 removes) */
    double ms;     /* mean square SS / df (NaN when df == 0) */
    double raw;    /* the signed ANOVA estimate of the variance component */
    double sigma2; /* the reported component: raw, or 0 where raw < 0 */
    int negative;  /* 1 exactly when raw < 0 (sigma2 was set to 0) */
} kvq_gtheory_row;

typedef struct kvq_gtheory {
    size_t nq, np, nc, nr;
    kvq_gtheory_row row[KVQ_GT_EFFECTS];
    /* The D study: subjects measured, generalizing over nc codecs and nr replicates (NaN
     * components, nr == 1, count as 0 here: they are merged into others, see above).
     *   tau   = s2(q) + s2(p:q)                                  universe-score variance
     *   delta = s2(qc)/nc + s2(pc:q)/nc + s2(qr:c)/(nc nr) + s2(res)/(nc nr)   relative error
     *   Delta = delta + s2(c)/nc + s2(r:c)/(nc nr)                            absolute error */
    double tau, delta, Delta;
    double g;   /* tau / (tau + delta) */
    double phi; /* tau / (tau + Delta) */
} kvq_gtheory;

/* "q", "p:q", "c", "r:c", "qc", "pc:q", "qr:c", "res"; "?" out of range. */
const char *kvq_gtheory_effect_name(kvq_gtheory_effect e);

/* The G study of y (layout above). nq >= 2, np >= 2, nc >= 2, nr >= 1 (nr == 1: see above);
 * otherwise, or when the sizes' product overflows, KVQ_EINVAL naming the size; a non-finite value
 * -> KVQ_EINVAL naming its q, p, c, r (1-based). KVQ_ENOMEM. Two passes over y; memory
 * O(nq nc nr + nq + nc nr), no table of size nq np nc. */
int kvq_gtheory_study(const double *y, size_t nq, size_t np, size_t nc, size_t nr, kvq_gtheory *out,
                      kvq_error *err);

/* ---- one codec: subjects x replicates ---- */

/* Effects of the s x r design of one codec: the nq*np subjects as one facet s, crossed with its
 * nr replicates. */
typedef enum kvq_gtheory_sr_effect {
    KVQ_GT_S,  /* subjects */
    KVQ_GT_R,  /* replicates */
    KVQ_GT_SR, /* residual, sr,e */
    KVQ_GT_SR_EFFECTS
} kvq_gtheory_sr_effect;

typedef struct kvq_gtheory_sr {
    size_t ns, nr;
    kvq_gtheory_row row[KVQ_GT_SR_EFFECTS];
    /* EMS: s: nr s2(s) + s2(sr); r: ns s2(r) + s2(sr); sr,e: s2(sr). With the reported components:
     *   g   = s2(s) / (s2(s) + s2(sr)/nr)
     *   phi = s2(s) / (s2(s) + (s2(r) + s2(sr))/nr) */
    double g, phi;
} kvq_gtheory_sr;

/* The s x r G study of codec c (c < nc) of y, laid out as for kvq_gtheory_study; nc may be 1.
 * nq np >= 2 subjects and nr >= 2 replicates, else KVQ_EINVAL naming the size; a non-finite value
 * -> KVQ_EINVAL naming it; KVQ_ENOMEM. Memory O(nr). */
int kvq_gtheory_codec(const double *y, size_t nq, size_t np, size_t nc, size_t nr, size_t c,
                      kvq_gtheory_sr *out, kvq_error *err);

#endif
