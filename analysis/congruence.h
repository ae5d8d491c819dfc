/* Invariance of the factor structure across populations: Tucker's congruence coefficient
 * phi = sum(x y) / sqrt(sum(x^2) sum(y^2)) between two populations' loading vectors, over the
 * codec variants both have a loading for (psych::factor.congruence), for the first factor of the
 * scores (factors.csv, analysis "loading") and the first factor of the errors (analysis
 * "error_loading"; analysis/error_structure.h). Both loading vectors are signed so that they sum
 * >= 0 over their own population's codecs before they are compared, and phi is reported with its
 * sign. Verdict (Lorenzo-Seva & ten Berge 2006, "Tucker's congruence coefficient as a meaningful
 * index of factor similarity", Methodology 2(2)): |phi| >= 0.95 "equal", 0.85 <= |phi| < 0.95
 * "fair", below "different"; "n/a" when phi is undefined (fewer than two codec variants in common,
 * or a vector of zeros over them). */
#ifndef KVQ_CONGRUENCE_H
#define KVQ_CONGRUENCE_H

#include "analysis/psychometrics.h"
#include "analysis/stat_rows.h"
#include "harness/run.h"

/* Tucker's phi of x and y (n values each); NaN when n < 2 or either is zero throughout. */
double kvq_congruence_phi(const double *x, const double *y, size_t n);

/* "equal", "fair", "different" or "n/a" (NaN), as above. */
const char *kvq_congruence_verdict(double phi);

/* The factors compared: "score_factor1" and "error_factor1", and NULL. */
extern const char *const kvq_congruence_factors[];

typedef struct kvq_congruence_row {
    const char *factor; /* one of kvq_congruence_factors */
    size_t a, b;        /* the populations, a < b */
    size_t n_variants;  /* codec variants with a loading in both */
    double phi;
    double ci_low, ci_high; /* 95% query-cluster bootstrap interval of phi (score factor only: the
                               replicates of both populations' loadings paired in order); NaN
                               where not computed */
    const char *verdict;
} kvq_congruence_row;

typedef struct kvq_congruence {
    kvq_congruence_row *items; /* per factor, every pair (a, b) of the run's populations */
    size_t count;
} kvq_congruence;

/* The percentile interval at level of phi between the bootstrap replicates of two populations'
 * loadings, replicate r of a with replicate r of b (independent resamples of independent
 * populations), over the variants both have. KVQ_ENOMEM. */
int kvq_congruence_interval(const kvq_loading_boot *a, const kvq_loading_boot *b, double level,
                            double *lo, double *hi);

/* The congruence of every pair of the run's populations on each factor, from the rows of
 * factors.csv (factors_rows), and the score factor's interval from boot (one per population; NULL:
 * no intervals). KVQ_ENOMEM is the only failure. */
int kvq_congruence_compute(const kvq_run *run, const kvq_stat_rows *factors_rows,
                           const kvq_loading_boot *boot, kvq_congruence *out, kvq_error *err);

void kvq_congruence_free(kvq_congruence *c);

#endif
