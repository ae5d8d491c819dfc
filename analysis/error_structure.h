/* Error structure of a population's codecs: which codecs err together. The subjects x codecs
 * matrix of errors E = S^ - S (each codec's score of a subject minus the subject's exact score)
 * is analysed through its correlation matrix, i.e. with every codec's error column scaled to unit
 * variance: correlation removes each codec's error size, so the structure says which codecs err
 * on the same subjects in the same direction, not which err most. On it:
 *   - eigenvalues with Horn's parallel analysis (kvq_factors_compute), the factors retained being
 *     Horn's count, at least one;
 *   - principal-component loadings of the retained factors, varimax-rotated when more than one
 *     is retained, each column's sign made so that it sums >= 0 and the columns ordered by
 *     decreasing sum of squares (psych::principal(E, nf, rotate = "varimax"));
 *   - average-linkage clustering of the codecs on the distance 1 - r (hclust(as.dist(1 - r),
 *     "average")), and its clusters at KVQ_ERROR_CUT_HEIGHT.
 * A codec whose error column has zero variance (passthrough and every other codec that is exact
 * on the subjects, or one whose error is a constant) has no error correlation: it is left out and
 * named. factors.csv receives the rows (analyses error_summary, error_scree, error_loading,
 * error_correlation, error_cluster; README, "The psychometric layer"). */
#ifndef KVQ_ERROR_STRUCTURE_H
#define KVQ_ERROR_STRUCTURE_H

#include "analysis/stat_rows.h"
#include "harness/run.h"
#include "kvq/factors.h"
#include "kvq/hclust.h"

/* Where the dendrogram is cut into the clusters the report lists: codecs join one cluster when
 * their average error correlation reaches 0.5 (distance 1 - r <= 0.5). */
#define KVQ_ERROR_CUT_HEIGHT 0.5

/* Data sets simulated for the parallel analysis of the errors. */
#define KVQ_ERROR_PARALLEL_SIMS 100

typedef struct kvq_error_structure {
    size_t n, k;         /* subjects, codecs analysed */
    kvq_factors factors; /* correlations, eigenvalues, parallel analysis of the errors */
    size_t retained;     /* factors kept: factors.parallel, at least 1 */
    double *loadings;    /* k x retained, row-major (see above) */
    kvq_hclust tree;     /* of the codecs on 1 - r */
} kvq_error_structure;

/* Analyses errors (n x k, row-major, n >= 3, 2 <= k <= KVQ_FACTORS_MAX_ITEMS, every column with
 * non-zero variance; see kvq_factors_compute for sims and rng). The errors of kvq_factors_compute
 * and kvq_hclust_average pass through; the eigen-decomposition failing -> KVQ_EINTERNAL. On
 * success out owns its arrays (kvq_error_structure_free); on failure it owns nothing. */
int kvq_error_structure_compute(const double *errors, size_t n, size_t k, size_t sims, kvq_rng *rng,
                                kvq_error_structure *out, kvq_error *err);

void kvq_error_structure_free(kvq_error_structure *s);

/* The error structure of population p of run over the k codec variants variant[0..k) (cells that
 * succeeded, each with the reference's subjects), its rows appended to rows. The parallel
 * analysis is seeded by the run seed and the population key. An analysis that cannot run (fewer
 * than two codecs with varying errors) writes only its error_summary rows; only running out of
 * memory fails (KVQ_ENOMEM). */
int kvq_error_structure_run(const kvq_run *run, size_t p, const size_t *variant, size_t k,
                            kvq_stat_rows *rows, kvq_error *err);

#endif
