/* pcg32: PCG-XSH-RR, 64-bit state, 32-bit output, with stream selection.
 *
 * Reference: M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good
 * Algorithms for Random Number Generation", HMC-CS-2014-0905 (2014), and the authors' minimal C
 * implementation (pcg-c-basic). The state advances as an LCG with multiplier 6364136223846793005
 * and an odd increment chosen by the stream; the output of the old state is
 * rotr32(((s >> 18) ^ s) >> 27, s >> 59).
 *
 * Known answer (tests/test_rng.c): seeded with initstate 42, initseq 54, as in the authors'
 * pcg32-demo, the first outputs are 0xa15c02b7 0x7b47f409 0xba1d3330 0x83d2f293 0xbfa4784b
 * 0xcbed606e.
 */
#include "kvq/rng.h"

#include <gsl/gsl_randist.h>
#include <string.h>

void kvq_rng_seed(kvq_rng *rng, uint64_t initstate, uint64_t initseq)
{
    rng->state = 0u;
    rng->inc = (initseq << 1u) | 1u;
    kvq_rng_next(rng);
    rng->state += initstate;
    kvq_rng_next(rng);
}

uint32_t kvq_rng_u32(kvq_rng *rng)
{
    return kvq_rng_next(rng);
}

void kvq_rng_advance(kvq_rng *rng, uint64_t delta)
{
    /* the LCG's composite step: after k doublings, (mult, plus) advance the state by 2^k steps */
    uint64_t mult = 6364136223846793005ULL, plus = rng->inc, acc_mult = 1u, acc_plus = 0u;
    for (; delta; delta >>= 1) {
        if (delta & 1u) {
            acc_mult *= mult;
            acc_plus = acc_plus * mult + plus;
        }
        plus = (mult + 1u) * plus;
        mult *= mult;
    }
    rng->state = acc_mult * rng->state + acc_plus;
}

uint32_t kvq_rng_bounded(kvq_rng *rng, uint32_t bound)
{
    /* Reject the first (2^32 mod bound) values so every residue is equally likely. */
    uint32_t threshold = (uint32_t)(-bound) % bound;
    for (;;) {
        uint32_t r = kvq_rng_next(rng);
        if (r >= threshold) return r % bound;
    }
}

double kvq_rng_uniform(kvq_rng *rng)
{
    uint64_t hi = kvq_rng_next(rng) >> 5; /* 27 bits */
    uint64_t lo = kvq_rng_next(rng) >> 6; /* 26 bits */
    return (double)((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}

double kvq_rng_gaussian(kvq_rng *rng)
{
    gsl_rng g;
    kvq_rng_as_gsl(rng, &g);
    return gsl_ran_gaussian_ziggurat(&g, 1.0);
}

static uint64_t splitmix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t kvq_hash64(uint64_t seed, const char *label)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a offset basis */
    for (const unsigned char *c = (const unsigned char *)label; *c; c++) {
        h ^= *c;
        h *= 0x100000001b3ULL; /* FNV prime */
    }
    return splitmix64(h ^ splitmix64(seed));
}

void kvq_rng_derive(kvq_rng *child, uint64_t seed, const char *label)
{
    uint64_t h = kvq_hash64(seed, label);
    kvq_rng_seed(child, h, splitmix64(h));
}

/* ---- the gsl_rng_type ---- */

static void pcg32_gsl_set(void *state, unsigned long seed)
{
    kvq_rng_seed(state, (uint64_t)seed, KVQ_RNG_DEFAULT_STREAM);
}

static unsigned long pcg32_gsl_get(void *state)
{
    return kvq_rng_next(state);
}

static double pcg32_gsl_get_double(void *state)
{
    return kvq_rng_next(state) * (1.0 / 4294967296.0);
}

static const gsl_rng_type pcg32_gsl_type = {
    .name = "pcg32",
    .max = 0xffffffffUL,
    .min = 0,
    .size = sizeof(kvq_rng),
    .set = pcg32_gsl_set,
    .get = pcg32_gsl_get,
    .get_double = pcg32_gsl_get_double,
};

const gsl_rng_type *kvq_gsl_rng_pcg32 = &pcg32_gsl_type;

void kvq_rng_as_gsl(kvq_rng *rng, gsl_rng *g)
{
    g->type = &pcg32_gsl_type;
    g->state = rng;
}
