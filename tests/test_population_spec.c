/* Population specs: synthetic generators with options, defaults, seeds, queries disjoint from
 * rows, and errors that name the spec. */
#include "kvq/population.h"

#include <criterion/criterion.h>
#include <string.h>

Test(population, synthetic_gaussian_defaults)
{
    kvq_population pop;
    kvq_error err;
    cr_assert_eq(kvq_population_load(&pop, "synthetic:gaussian", 1, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(pop.n, 4096);
    cr_assert_eq(pop.dim, 128);
    cr_assert_eq(pop.nq, 256);
    cr_assert_eq(pop.role, KVQ_ROLE_GAUSSIAN);
    cr_assert_str_eq(pop.name, "synthetic:gaussian");
    cr_assert_str_eq(kvq_role_name(pop.role), "gaussian");
    kvq_population_free(&pop);
}

Test(population, options_and_seed)
{
    kvq_population a, b, c;
    kvq_error err;
    cr_assert_eq(kvq_population_load(&a, "synthetic:gaussian?n=100&dim=8&queries=5", 1, &err),
                 KVQ_OK, "%s", err.msg);
    cr_assert_eq(a.n, 100);
    cr_assert_eq(a.dim, 8);
    cr_assert_eq(a.nq, 5);
    cr_assert_eq(kvq_population_load(&b, "synthetic:gaussian?n=100&dim=8&queries=5", 1, &err),
                 KVQ_OK);
    cr_assert_eq(memcmp(a.rows, b.rows, 800 * sizeof(float)), 0, "same seed, same rows");
    cr_assert_eq(
        kvq_population_load(&c, "synthetic:gaussian?n=100&dim=8&queries=5&seed=9", 1, &err),
        KVQ_OK);
    cr_assert_eq(c.seed, 9);
    cr_assert_neq(memcmp(a.rows, c.rows, 800 * sizeof(float)), 0, "seed option ignored");
    for (size_t q = 0; q < a.nq; q++)
        for (size_t i = 0; i < a.n; i++)
            cr_assert_neq(memcmp(a.queries + q * 8, a.rows + i * 8, 8 * sizeof(float)), 0);
    kvq_population_free(&a);
    kvq_population_free(&b);
    kvq_population_free(&c);
}

static void expect_error(const char *spec, const char *fragment)
{
    kvq_population pop;
    kvq_error err;
    kvq_error_clear(&err);
    cr_assert_neq(kvq_population_load(&pop, spec, 1, &err), KVQ_OK, "'%s' accepted", spec);
    cr_assert(strstr(err.msg, fragment), "message for '%s' lacks '%s': %s", spec, fragment,
              err.msg);
    cr_assert_null(pop.rows);
}

Test(population, bad_specs)
{
    expect_error("gaussian", "unknown kind");
    expect_error("synthetic:", "missing or too long generator name");
    expect_error("synthetic:nope", "unknown generator 'nope' (known: k_proj, mlp_gate");
    expect_error("synthetic:gaussian?n=1", "n=1 is not an integer in [2,");
    expect_error("synthetic:gaussian?dim=0", "dim=0");
    expect_error("synthetic:gaussian?rows=3", "no parameter 'rows'");
    expect_error("synthetic:gaussian?n=", "empty value");
}
