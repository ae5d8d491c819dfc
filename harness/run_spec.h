/* run.json: the selection a run was started with (expanded codec variants, population specs,
 * seed), written before the first cell so that `--resume DIR` finishes exactly that run. */
#ifndef KVQ_RUN_SPEC_H
#define KVQ_RUN_SPEC_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

typedef struct kvq_run_spec {
    uint64_t seed;
    char **variants;
    size_t nvariants;
    char **populations;
    size_t npopulations;
} kvq_run_spec;

int kvq_run_spec_save(const kvq_run_spec *spec, const char *dir, kvq_error *err);

/* Reads dir/run.json; a missing or malformed file -> an error naming it. */
int kvq_run_spec_load(kvq_run_spec *spec, const char *dir, kvq_error *err);

/* Appends a copy of text to a string list. */
int kvq_strings_push(char ***list, size_t *count, const char *text);
void kvq_strings_free(char **list, size_t count);

#endif
