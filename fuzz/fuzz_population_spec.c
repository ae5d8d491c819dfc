/* libFuzzer entry point: population specs (fuzz/README.md). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kvq_fuzz_population_spec(data, size);
    return 0;
}
