/* recall@k and relative MSE on hand-checked cases, and NaN for undefined inputs (the scipy golden
 * correlations of tests/golden/gen_foundation.py are checked in test_metrics_rank.c). */
#include "kvq/metrics.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

Test(metrics, undefined_correlations_are_nan)
{
    double x[3] = {1, 1, 1}, y[3] = {1, 2, 3}, work[6];
    cr_assert(isnan(kvq_pearson(x, y, 3)));
    cr_assert(isnan(kvq_spearman(y, x, 3, work)));
    cr_assert(isnan(kvq_pearson(y, y, 1)));
}

Test(metrics, recall_at_k)
{
    size_t work[16];
    const float exact[6] = {6, 5, 4, 3, 2, 1};
    const float reversed[6] = {1, 2, 3, 4, 5, 6};
    const float swapped[6] = {5, 6, 3, 4, 1, 2};
    cr_assert_eq(kvq_recall_at_k(exact, exact, 6, 2, work), 1.0);
    cr_assert_eq(kvq_recall_at_k(reversed, exact, 6, 2, work), 0.0);
    cr_assert_eq(kvq_recall_at_k(reversed, exact, 6, 3, work), 0.0);
    cr_assert_eq(kvq_recall_at_k(swapped, exact, 6, 2, work), 1.0);
    cr_assert_eq(kvq_recall_at_k(swapped, exact, 6, 3, work), 2.0 / 3.0);
    cr_assert_eq(kvq_recall_at_k(reversed, exact, 6, 6, work), 1.0);
    cr_assert(isnan(kvq_recall_at_k(exact, exact, 6, 0, work)));
    cr_assert(isnan(kvq_recall_at_k(exact, exact, 6, 7, work)));
}

/* Ties: the lower index wins on both sides. All-equal estimates pick rows 0 and 1; exact picks 4
 * and 5. */
Test(metrics, recall_ties_go_to_the_lower_index)
{
    size_t work[4];
    const float flat[6] = {1, 1, 1, 1, 1, 1};
    const float exact[6] = {0, 0, 0, 1, 2, 2};
    const float first[6] = {9, 9, 0, 0, 0, 0};
    cr_assert_eq(kvq_recall_at_k(flat, exact, 6, 2, work), 0.0);
    cr_assert_eq(kvq_recall_at_k(flat, first, 6, 2, work), 1.0);
}

Test(metrics, rel_mse)
{
    const float x[3] = {3, 4, 0}, y[3] = {3, 3, 1};
    cr_assert_float_eq(kvq_rel_mse(x, y, 3), 2.0 / 25.0, 1e-15);
    cr_assert_eq(kvq_rel_mse(x, x, 3), 0.0);
    const float z[2] = {0, 0};
    cr_assert(isnan(kvq_rel_mse(z, z, 2)));
}
