/* Memory needs checked before an allocation that a user's input sizes (a population, reference
 * scores, a statistics matrix), so that a request that cannot fit is refused with the size and the
 * limit it exceeds, instead of failing deep inside a library (OpenBLAS retries failed mmaps for
 * minutes) or driving the machine into swap. */
#ifndef KVQ_MEMORY_H
#define KVQ_MEMORY_H

#include "kvq/error.h"

/* Bytes kept free for what the libraries allocate on their own (OpenBLAS's buffers, thread stacks,
 * GSL workspaces): a request is refused when it would leave less than this under a limit. */
#define KVQ_MEMORY_RESERVE (256.0 * 1024 * 1024)

/* 0 when `bytes` more (a double, so that products of user sizes cannot wrap) fit under both limits
 * in force: the address-space limit (RLIMIT_AS, `ulimit -v`) less what the process already maps,
 * and the machine's physical memory; each less KVQ_MEMORY_RESERVE. Otherwise KVQ_ERANGE, with a
 * message "WHAT needs N GiB, more than LIMIT (M GiB)". */
int kvq_memory_check(double bytes, const char *what, kvq_error *err);

/* bytes formatted for a message: "512 B", "3.2 MiB", "32.0 GiB". */
void kvq_memory_format(double bytes, char *buf, size_t size);

#endif
