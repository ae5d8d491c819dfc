/* Codec spec shorthands of the command line, expanded into plain variant specs:
 *   name:ladder              the backend's default ladder (what --matrix all runs for it)
 *   name:key=A..B,...        every integer A, A+1, ..., B for key (several ranges: every
 *                            combination, the first key varying slowest)
 * Anything else passes through unchanged. Population specs have one shorthand, layer=A..B. */
#ifndef KVQ_LADDER_H
#define KVQ_LADDER_H

#include "kvq/error.h"

/* Calls fn(spec, ctx) for every variant spec denotes; stops at the first non-zero return (passed
 * back). Syntax errors in a range, or ranges that expand to more than 4096 variants -> KVQ_EINVAL
 * naming the spec. */
int kvq_expand_codec_spec(const char *spec, int (*fn)(const char *spec, void *ctx), void *ctx,
                          kvq_error *err);

/* A population spec's shorthand: `layer=A..B` among the options of a file spec
 * (`safetensors:PATH#role=k_proj&layer=0..3`) is one population per layer, `layer=A` to `layer=B`.
 * Calls fn(spec, ctx) for each (once with spec itself when it has no range); a malformed range or
 * one over 4096 layers -> KVQ_EINVAL naming the spec. */
int kvq_expand_population_spec(const char *spec, int (*fn)(const char *spec, void *ctx), void *ctx,
                               kvq_error *err);

#endif
