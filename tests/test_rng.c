/* pcg32: known answers from the PCG authors' demo, stream independence, bounded draws, and the
 * gsl_rng_type driving GSL's distributions. */
#include "kvq/rng.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

/* pcg32-demo (pcg-c-basic): pcg32_srandom_r(&rng, 42u, 54u), then six pcg32_random_r. */
static const uint32_t demo_outputs[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                         0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};

Test(rng, pcg32_demo_known_answer)
{
    kvq_rng rng;
    kvq_rng_seed(&rng, 42u, 54u);
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(kvq_rng_u32(&rng), demo_outputs[i], "output %zu", i);
}

Test(rng, gsl_type_reproduces_demo_sequence)
{
    gsl_rng *g = gsl_rng_alloc(kvq_gsl_rng_pcg32);
    cr_assert_not_null(g);
    gsl_rng_set(g, 42);
    cr_assert_str_eq(gsl_rng_name(g), "pcg32");
    cr_assert_eq(gsl_rng_max(g), 0xffffffffUL);
    for (size_t i = 0; i < 6; i++) cr_assert_eq(gsl_rng_get(g), demo_outputs[i]);
    gsl_rng_free(g);
}

Test(rng, wrapped_state_is_shared_with_gsl)
{
    kvq_rng a;
    kvq_rng_seed(&a, 42u, 54u);
    gsl_rng g;
    kvq_rng_as_gsl(&a, &g);
    cr_assert_eq(gsl_rng_get(&g), demo_outputs[0]);
    cr_assert_eq(kvq_rng_u32(&a), demo_outputs[1], "GSL draw advanced the kvq_rng");
}

Test(rng, streams_differ)
{
    kvq_rng a, b;
    kvq_rng_seed(&a, 42u, 54u);
    kvq_rng_seed(&b, 42u, 55u);
    int same = 0;
    for (int i = 0; i < 64; i++) same += kvq_rng_u32(&a) == kvq_rng_u32(&b);
    cr_assert_lt(same, 3);
}

Test(rng, bounded_is_in_range_and_uniform)
{
    kvq_rng rng;
    kvq_rng_seed(&rng, 7u, 3u);
    size_t counts[6] = {0};
    const size_t draws = 600000;
    for (size_t i = 0; i < draws; i++) {
        uint32_t r = kvq_rng_bounded(&rng, 6);
        cr_assert_lt(r, 6u);
        counts[r]++;
    }
    double chi2 = 0.0;
    for (size_t k = 0; k < 6; k++) {
        double d = (double)counts[k] - draws / 6.0;
        chi2 += d * d / (draws / 6.0);
    }
    /* chi-square with 5 df: P(chi2 > 20.5) = 0.001 */
    cr_assert_lt(chi2, 20.5, "chi2 = %g", chi2);
}

Test(rng, gaussian_moments_through_gsl)
{
    kvq_rng rng;
    kvq_rng_seed(&rng, 11u, 5u);
    gsl_rng g;
    kvq_rng_as_gsl(&rng, &g);
    const size_t n = 200000;
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = gsl_ran_gaussian(&g, 2.0);
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / n, var = sum2 / n - mean * mean;
    cr_assert_lt(fabs(mean), 4.0 * 2.0 / sqrt((double)n));
    cr_assert_lt(fabs(var - 4.0), 4.0 * 4.0 * sqrt(2.0 / n));
}

Test(rng, uniform_in_unit_interval)
{
    kvq_rng rng;
    kvq_rng_seed(&rng, 1u, 1u);
    double sum = 0.0;
    for (int i = 0; i < 100000; i++) {
        double u = kvq_rng_uniform(&rng);
        cr_assert(u >= 0.0 && u < 1.0);
        sum += u;
    }
    cr_assert_lt(fabs(sum / 100000 - 0.5), 0.005);
}

Test(rng, derive_depends_on_label_and_seed_only)
{
    kvq_rng a, b, c, d;
    kvq_rng_derive(&a, 1, "cell|int8|synthetic:gaussian");
    kvq_rng_derive(&b, 1, "cell|int8|synthetic:gaussian");
    kvq_rng_derive(&c, 2, "cell|int8|synthetic:gaussian");
    kvq_rng_derive(&d, 1, "cell|bf16|synthetic:gaussian");
    uint32_t xa = kvq_rng_u32(&a);
    cr_assert_eq(xa, kvq_rng_u32(&b));
    cr_assert_neq(xa, kvq_rng_u32(&c));
    cr_assert_neq(xa, kvq_rng_u32(&d));
}

/* Advancing by d steps lands where d outputs drawn one at a time do, on two streams, for strides
 * of every size from none to past 2^16, and the outputs after it are the same. */
Test(rng, advance_equals_stepping)
{
    static const uint64_t strides[] = {0, 1, 2, 3, 7, 64, 1000, 4096, 123457};
    for (uint64_t stream = 54; stream <= 55; stream++)
        for (size_t k = 0; k < sizeof strides / sizeof *strides; k++) {
            kvq_rng a, b;
            kvq_rng_seed(&a, 42, stream);
            kvq_rng_seed(&b, 42, stream);
            for (uint64_t i = 0; i < strides[k]; i++) kvq_rng_next(&a);
            kvq_rng_advance(&b, strides[k]);
            cr_assert_eq(b.state, a.state, "stride %llu, stream %llu",
                         (unsigned long long)strides[k], (unsigned long long)stream);
            cr_assert_eq(kvq_rng_next(&b), kvq_rng_next(&a));
        }
}
