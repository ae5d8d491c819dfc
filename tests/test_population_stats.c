/* The cost-bounded row statistics (populations/signature.c) and the mapping advice
 * (populations/mapping.c): the effective rank of integer matrices of known rank against numpy
 * (tests/golden/gen_eff_rank.py) on each path to the eigenvalues; the same rows always give the
 * same sampled statistics, whatever their order elsewhere; kvq_map_advise accepts a mapping and
 * ranges inside it. */
#include "kvq/population.h"
#include "populations/populations.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The matrix of gen_eff_rank.py: X = G B with small integers, exact in float. */
static float *known_rank(size_t n, size_t dim, size_t r)
{
    float *x = malloc(n * dim * sizeof *x);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++) {
            long sum = 0;
            for (size_t k = 0; k < r; k++)
                sum += ((long)((7 * i + 13 * k) % 17) - 8) *
                       ((long)((5 * k + 3 * j + k * j) % 11) - 5);
            x[i * dim + j] = (float)sum;
        }
    return x;
}

Test(population_stats, effective_rank_of_known_rank)
{
    cJSON *golden = kvq_test_golden("eff_rank.json");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(golden, "cases"))
    {
        size_t n = (size_t)kvq_test_num(c, "n"), dim = (size_t)kvq_test_num(c, "dim");
        size_t r = (size_t)kvq_test_num(c, "rank");
        double want = kvq_test_num(c, "eff_rank");
        float *x = known_rank(n, dim, r);
        kvq_row_stats s;
        kvq_error err;
        cr_assert_eq(kvq_row_stats_compute(x, n, dim, &s, &err), KVQ_OK, "%s", err.msg);
        if (n > KVQ_STATS_SAMPLE_ROWS && dim > KVQ_STATS_SAMPLE_ROWS)
            /* a sample of rows: rank r still, its spectrum close to the whole matrix's */
            cr_assert(s.eff_rank <= (double)r + 1e-9 && fabs(s.eff_rank - want) < 0.05 * want,
                      "%zu x %zu sampled: %.6f, numpy (all rows) %.6f", n, dim, s.eff_rank, want);
        else
            cr_assert(fabs(s.eff_rank - want) <= 1e-6 * want, "%zu x %zu: %.9f, numpy %.9f", n, dim,
                      s.eff_rank, want);
        free(x);
    }
    cJSON_Delete(golden);
}

Test(population_stats, sample_is_fixed_by_the_rows)
{
    size_t n = 3000, dim = 600;
    float *x = kvq_test_gaussian_rows(n, dim, 5);
    kvq_row_stats a, b;
    kvq_error err;
    cr_assert_eq(kvq_row_stats_compute(x, n, dim, &a, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_row_stats_compute(x, n, dim, &b, &err), KVQ_OK, "%s", err.msg);
    cr_assert(memcmp(&a, &b, sizeof a) == 0, "the same rows, the same statistics");
    /* isotropic rows: the sample's rank is near the sample size, its |cos| near the null's */
    cr_assert(a.eff_rank > 0.75 * KVQ_STATS_SAMPLE_ROWS && a.eff_rank <= KVQ_STATS_SAMPLE_ROWS,
              "eff_rank %.1f", a.eff_rank);
    cr_assert(fabs(a.mean_abs_cos - sqrt(2.0 / (M_PI * (double)dim))) < 0.003, "mean |cos| %.5f",
              a.mean_abs_cos);
    free(x);
}

Test(population_stats, advice_on_a_mapping)
{
    char path[] = "/tmp/kvq_advise_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    for (int i = 0; i < 100000; i++) fputc(i & 0xff, f);
    fclose(f);
    kvq_mapping m;
    kvq_error err;
    cr_assert_eq(kvq_map_file(&m, path, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_map_advise(m.data, m.size, KVQ_ACCESS_RANDOM, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_map_advise(m.data + 5000, 30000, KVQ_ACCESS_SEQUENTIAL, &err), KVQ_OK, "%s",
                 err.msg);
    cr_assert_eq(kvq_map_advise(m.data + 99999, 1, KVQ_ACCESS_RANDOM, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_map_advise(NULL, 0, KVQ_ACCESS_RANDOM, &err), KVQ_OK);
    cr_assert_eq(m.data[77777], 77777 & 0xff, "advice changes no byte");
    kvq_unmap_file(&m);
    remove(path);
}
