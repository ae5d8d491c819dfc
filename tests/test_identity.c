/* Identity in the index regime: hand-checked cases (include/kvq/identity.h). */
#include "kvq/identity.h"

#include <criterion/criterion.h>
#include <math.h>

Test(identity, exact_rows_keep_their_identity)
{
    const float x[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    double id;
    cr_assert_eq(kvq_identity(x, x, 3, 3, 100, &id, NULL), KVQ_OK);
    cr_assert_eq(id, 1.0);
}

Test(identity, merged_rows_lose_it_and_ties_go_low)
{
    const float x[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    const float same[9] = {0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f};
    double id;
    cr_assert_eq(kvq_identity(x, same, 3, 3, 100, &id, NULL), KVQ_OK);
    cr_assert_eq(id, 1.0 / 3.0);
}

Test(identity, swapped_decodes_and_probe_count)
{
    /* rows 0 and 1 decode to each other; row 2 stays: 1 of 3, or 0 of the first 2 probes */
    const float x[6] = {1, 0, 0, 1, 5, 5};
    const float swapped[6] = {0, 1, 1, 0, 5, 5};
    double id;
    cr_assert_eq(kvq_identity(x, swapped, 3, 2, 3, &id, NULL), KVQ_OK);
    cr_assert_float_eq(id, 1.0 / 3.0, 1e-15);
    cr_assert_eq(kvq_identity(x, swapped, 3, 2, 2, &id, NULL), KVQ_OK);
    cr_assert_eq(id, 0.0);
    cr_assert_eq(kvq_identity(x, swapped, 0, 2, 2, &id, NULL), KVQ_OK);
    cr_assert(isnan(id));
}
