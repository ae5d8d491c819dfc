/* What the fuzz targets do with one input; shared by the libFuzzer entry points (fuzz_*.c) and
 * the regression test that replays the seeds and every kept crasher (tests/test_population_fuzz.c).
 * Each returns 1 when the input was accepted and every row read, 0 when it was refused. */
#ifndef KVQ_FUZZ_TARGETS_H
#define KVQ_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

int kvq_fuzz_safetensors(const uint8_t *data, size_t size);
int kvq_fuzz_npy(const uint8_t *data, size_t size);

#endif
