/* libFuzzer entry point: the GGUF parser (fuzz/README.md). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kvq_fuzz_gguf(data, size);
    return 0;
}
