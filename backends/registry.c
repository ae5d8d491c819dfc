/* The registered codecs: one explicit, alphabetical list, expanded into a NULL-terminated const
 * array of descriptors. Adding a codec is one line here (README, "Adding a backend"). */
#include "kvq/backend.h"

#include <stddef.h>

#define KVQ_REGISTRY(X)                                                                            \
    X(besicovitch)                                                                                 \
    X(bf16)                                                                                        \
    X(f16)                                                                                         \
    X(fp8)                                                                                         \
    X(hclam)                                                                                       \
    X(i8hybrid)                                                                                    \
    X(int4)                                                                                        \
    X(int8)                                                                                        \
    X(iq4_nl)                                                                                      \
    X(kakeya)                                                                                      \
    X(lloydmax)                                                                                    \
    X(mxfp4)                                                                                       \
    X(mxfp8)                                                                                       \
    X(nf4)                                                                                         \
    X(nvfp4)                                                                                       \
    X(palette)                                                                                     \
    X(passthrough)                                                                                 \
    X(polarquant)                                                                                  \
    X(pq)                                                                                          \
    X(q2_k)                                                                                        \
    X(q3_k)                                                                                        \
    X(q4_0)                                                                                        \
    X(q4_1)                                                                                        \
    X(q4_k)                                                                                        \
    X(q5_0)                                                                                        \
    X(q5_1)                                                                                        \
    X(q5_k)                                                                                        \
    X(q6_k)                                                                                        \
    X(q8_0)                                                                                        \
    X(qjl)                                                                                         \
    X(rabitq)                                                                                      \
    X(rvq)                                                                                         \
    X(svd)                                                                                         \
    X(turboquant)                                                                                  \
    X(turboquant_prod)

#define KVQ_DECLARE(name) extern const kvq_backend kvq_backend_##name;
KVQ_REGISTRY(KVQ_DECLARE)

#define KVQ_ENTRY(name) &kvq_backend_##name,
const kvq_backend *const kvq_backends[] = {KVQ_REGISTRY(KVQ_ENTRY) NULL};
