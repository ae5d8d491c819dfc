/* A cell's correlations average over the queries where they are defined: a query whose exact or
 * codec scores are constant is left out of the mean and of its bootstrap, and counted out of
 * n_queries_defined. Golden values: tests/golden/gen_cell_scores.py (scipy.stats, numpy.mean). */
#include "harness/cell_scores.h"
#include "kvq/metrics.h"
#include "test_metrics_golden.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const correlations[] = {"pearson", "spearman", "kendall_tau_b"};

typedef struct fixture {
    kvq_population pop;
    kvq_reference ref;
    float *est;
    float rows[64];
    uint32_t subject_row[8];
    size_t best[8 * KVQ_REFERENCE_BEST];
} fixture;

/* A population of n rows and nq queries whose exact scores are given; subjects one per query. */
static void setup_fixture(fixture *f, const cJSON *golden)
{
    size_t count, nq = (size_t)kvq_test_num(golden, "nq"), n = (size_t)kvq_test_num(golden, "n");
    memset(f, 0, sizeof *f);
    f->pop.n = n;
    f->pop.nq = nq;
    f->pop.dim = 2;
    for (size_t i = 0; i < 2 * n; i++) f->rows[i] = (float)(i % 5) - 2.0f;
    f->pop.rows = f->rows;
    f->ref.pop = &f->pop;
    f->ref.exact = kvq_test_floats(cJSON_GetObjectItem(golden, "exact"), &count);
    cr_assert_eq(count, nq * n);
    f->est = kvq_test_floats(cJSON_GetObjectItem(golden, "est"), &count);
    cr_assert_eq(count, nq * n);
    f->ref.nsubjects = nq;
    for (size_t s = 0; s < nq; s++) f->subject_row[s] = (uint32_t)s;
    f->ref.subject_row = f->subject_row;
    f->ref.top_k = 1;
    f->ref.best = n < KVQ_REFERENCE_BEST ? n : KVQ_REFERENCE_BEST;
    cr_assert_leq(nq * f->ref.best, sizeof f->best / sizeof *f->best);
    for (size_t q = 0; q < nq; q++)
        kvq_top_k(f->ref.exact + q * n, n, f->ref.best, f->best + q * f->ref.best);
    f->ref.exact_best = f->best;
}

static const kvq_metric_value *find(const kvq_cell *cell, const char *name)
{
    for (size_t i = 0; i < cell->nmetrics; i++)
        if (strcmp(cell->metrics[i].name, name) == 0) return &cell->metrics[i];
    cr_assert_fail("the cell has no metric '%s'", name);
    return NULL;
}

static kvq_cell *score(fixture *f)
{
    static kvq_cell cell;
    memset(&cell, 0, sizeof cell);
    kvq_rng rng;
    kvq_rng_seed(&rng, 3, 54);
    kvq_error err;
    cr_assert_eq(kvq_cell_score_metrics(&cell, &f->ref, f->est, &rng, &err), KVQ_OK, "%s", err.msg);
    return &cell;
}

Test(cell_scores, undefined_queries_are_left_out_of_the_average)
{
    cJSON *golden = kvq_test_golden("cell_scores.json");
    fixture f;
    setup_fixture(&f, golden);
    kvq_cell *cell = score(&f);
    const cJSON *mean = cJSON_GetObjectItem(golden, "mean");
    const cJSON *per_query = cJSON_GetObjectItem(golden, "per_query");
    for (size_t m = 0; m < 3; m++) {
        const kvq_metric_value *v = find(cell, correlations[m]);
        golden_expect(v->value, mean, correlations[m], "mean over the defined queries");
        /* the interval resamples the defined queries only: finite, within their range */
        size_t nq;
        double *q = kvq_test_doubles(cJSON_GetObjectItem(per_query, correlations[m]), &nq);
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < nq; i++)
            if (!isnan(q[i])) lo = fmin(lo, q[i]), hi = fmax(hi, q[i]);
        cr_assert(isfinite(v->ci_low) && isfinite(v->ci_high), "%s: interval [%g, %g]",
                  correlations[m], v->ci_low, v->ci_high);
        cr_assert(lo - 1e-12 <= v->ci_low && v->ci_low <= v->value && v->value <= v->ci_high &&
                      v->ci_high <= hi + 1e-12,
                  "%s: interval [%g, %g] around %g outside [%g, %g]", correlations[m], v->ci_low,
                  v->ci_high, v->value, lo, hi);
        free(q);
    }
    cr_assert_eq(find(cell, "n_queries_defined")->value, kvq_test_num(golden, "n_queries_defined"));
    /* recall is defined for every query, constant scores included */
    cr_assert(isfinite(find(cell, "recall@1")->value));
    kvq_cell_free(cell);
    free(f.ref.exact);
    free(f.est);
    cJSON_Delete(golden);
}

Test(cell_scores, no_defined_query_gives_nan_and_zero)
{
    cJSON *golden = kvq_test_golden("cell_scores.json");
    fixture f;
    setup_fixture(&f, golden);
    float constant = (float)kvq_test_num(golden, "constant_est");
    for (size_t i = 0; i < f.pop.n * f.pop.nq; i++) f.est[i] = constant;
    kvq_cell *cell = score(&f);
    for (size_t m = 0; m < 3; m++) {
        const kvq_metric_value *v = find(cell, correlations[m]);
        cr_assert(isnan(v->value) && isnan(v->ci_low) && isnan(v->ci_high), "%s: %g [%g, %g]",
                  correlations[m], v->value, v->ci_low, v->ci_high);
    }
    cr_assert_eq(find(cell, "n_queries_defined")->value, 0.0);
    kvq_cell_free(cell);
    free(f.ref.exact);
    free(f.est);
    cJSON_Delete(golden);
}

/* The rows in the top k of a query, from one selection, against the definition counted row by
 * row: fewer than k rows score higher or score the same with a lower index. Scores with many ties
 * (values of few levels), an infinite and a NaN score, every k and several row subsets. */
static int counted_in_top(const float *s, size_t n, size_t r, size_t k)
{
    size_t above = 0;
    for (size_t i = 0; i < n; i++) above += s[i] > s[r] || (s[i] == s[r] && i < r);
    return above < k;
}

Test(cell_scores, rows_in_top_k_match_the_count_of_rows_above)
{
    enum { N = 40, M = 12, STRIDE = 3 };
    float s[N];
    double work[N];
    uint32_t rows[M * STRIDE];
    uint8_t in[M * STRIDE];
    for (int variant = 0; variant < 3; variant++) {
        for (size_t i = 0; i < N; i++) s[i] = (float)((i * 7 + 3) % (variant ? 5 : 37)) - 2.0f;
        if (variant == 2) s[5] = INFINITY, s[11] = NAN;
        for (size_t k = 1; k <= N; k++) {
            for (size_t j = 0; j < M; j++) rows[j * STRIDE] = (uint32_t)((j * 13 + k) % N);
            memset(in, 7, sizeof in);
            kvq_rows_in_top_k(s, N, k, rows, M, STRIDE, work, in);
            for (size_t j = 0; j < M; j++) {
                cr_assert_eq(in[j * STRIDE], counted_in_top(s, N, rows[j * STRIDE], k),
                             "variant %d, k %zu, row %u", variant, k, rows[j * STRIDE]);
                cr_assert_eq(in[j * STRIDE + 1], 7, "wrote between the strided rows");
            }
        }
    }
}
