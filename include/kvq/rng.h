/* The project's random-number generator: pcg32 (O'Neill 2014, PCG-XSH-RR with 64-bit state and
 * 32-bit output, with stream selection). All randomness in kvqeval goes through it.
 *
 * The same state is also a GSL generator: kvq_rng_as_gsl() wraps a kvq_rng in a gsl_rng without
 * copying, so gsl_ran_gaussian() and the other GSL distributions draw from the very same stream,
 * and kvq_gsl_rng_pcg32 is a gsl_rng_type for gsl_rng_alloc().
 */
#ifndef KVQ_RNG_H
#define KVQ_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct kvq_rng {
    uint64_t state; /* LCG state */
    uint64_t inc;   /* LCG increment, always odd: (stream << 1) | 1 */
} kvq_rng;

/* The stream used when a caller gives only a seed (gsl_rng_set, kvq_rng_seed_default). It is the
 * stream of the PCG authors' demo, so that seed 42 reproduces their published sequence. */
#define KVQ_RNG_DEFAULT_STREAM 54u

/* pcg32_srandom: seeds state initstate on stream initseq (any 64-bit values). */
void kvq_rng_seed(kvq_rng *rng, uint64_t initstate, uint64_t initseq);

/* The next 32-bit output: the state advances as the LCG, the output is that of the old state. */
static inline uint32_t kvq_rng_next(kvq_rng *rng)
{
    uint64_t old = rng->state;
    rng->state = old * 6364136223846793005ULL + rng->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

/* Advances the state by delta steps in O(log delta), as delta calls of kvq_rng_next would (Brown,
 * "Random number generation with arbitrary strides", 1994: the jump-ahead of pcg32_advance). */
void kvq_rng_advance(kvq_rng *rng, uint64_t delta);

/* kvq_rng_next, out of line. */
uint32_t kvq_rng_u32(kvq_rng *rng);

/* A uniform integer in [0, bound) without modulo bias (the published pcg32_boundedrand); bound > 0.
 */
uint32_t kvq_rng_bounded(kvq_rng *rng, uint32_t bound);

/* A uniform double in [0, 1) with 53 random bits (two outputs). */
double kvq_rng_uniform(kvq_rng *rng);

/* A standard normal deviate, drawn by GSL (gsl_ran_gaussian_ziggurat) from this stream. */
double kvq_rng_gaussian(kvq_rng *rng);

/* A child generator for a named sub-task: its seed and stream are a hash of the parent's seed and
 * the label, so that, e.g., every cell of a matrix gets a stream that depends only on the run seed
 * and the cell's identity, never on thread count or order. */
void kvq_rng_derive(kvq_rng *child, uint64_t seed, const char *label);

/* 64-bit FNV-1a hash of a string mixed with a seed (splitmix64 finaliser); used by kvq_rng_derive
 * and wherever a stable seed must come from a name. */
uint64_t kvq_hash64(uint64_t seed, const char *label);

/* Wraps rng as a gsl_rng (no allocation; g borrows rng, which must outlive it). */
void kvq_rng_as_gsl(kvq_rng *rng, gsl_rng *g);

/* The gsl_rng_type of pcg32: gsl_rng_set(g, s) seeds state s on KVQ_RNG_DEFAULT_STREAM. */
extern const gsl_rng_type *kvq_gsl_rng_pcg32;

#endif
