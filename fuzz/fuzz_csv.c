/* libFuzzer entry point: the CSV reader (fuzz/README.md). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kvq_fuzz_csv(data, size);
    return 0;
}
