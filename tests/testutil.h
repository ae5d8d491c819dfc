/* Helpers for the Criterion tests. */
#ifndef KVQ_TESTUTIL_H
#define KVQ_TESTUTIL_H

#include "kvq/rng.h"
#include <cjson/cJSON.h>
#include <stddef.h>

/* Parses tests/golden/<name> (aborts the test with a message when missing or malformed). */
cJSON *kvq_test_golden(const char *name);

/* The number held by json[key] (the test fails when absent). */
double kvq_test_num(const cJSON *json, const char *key);

/* Copies a JSON array of numbers into a new double array; *n gets its length. */
double *kvq_test_doubles(const cJSON *array, size_t *n);

/* The same as kvq_test_doubles, rounded to float. */
float *kvq_test_floats(const cJSON *array, size_t *n);

/* n x dim i.i.d. N(0,1) floats from a pcg32 stream seeded with seed (caller frees). */
float *kvq_test_gaussian_rows(size_t n, size_t dim, uint64_t seed);

#endif
