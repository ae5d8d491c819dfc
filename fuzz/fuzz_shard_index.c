/* libFuzzer entry point: the sharded checkpoint index (fuzz/README.md). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kvq_fuzz_shard_index(data, size);
    return 0;
}
