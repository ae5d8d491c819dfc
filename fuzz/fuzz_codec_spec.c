/* libFuzzer entry point: codec specs and their expansion (fuzz/README.md). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kvq_fuzz_codec_spec(data, size);
    return 0;
}
