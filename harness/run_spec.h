/* run.json: the selection a run was started with (expanded codec variants, population specs,
 * seed), the kvqeval version and commit that ran it, and for a shard of a run (--shard I/N) which
 * one, written before the first cell so that `--resume DIR` finishes exactly that run (or shard)
 * and `kvqeval merge` can check that shards belong together. */
#ifndef KVQ_RUN_SPEC_H
#define KVQ_RUN_SPEC_H

#include "kvq/error.h"
#include <stddef.h>
#include <stdint.h>

/* The most fits of each codec a run can ask for (--replicates). */
#define KVQ_REPLICATES_MAX 1000

/* The most shards a run can be split into. */
#define KVQ_SHARDS_MAX 100000u

typedef struct kvq_run_spec {
    uint64_t seed;
    size_t replicates; /* fits of every codec (--replicates; 1 when run.json lacks it) */
    char **variants;
    size_t nvariants;
    char **populations;
    size_t npopulations;
    unsigned shard_index; /* 1..shard_count for a shard of a run; both 0 for a whole run */
    unsigned shard_count;
    char version[32]; /* loaded: the kvqeval that wrote run.json ("" when the file lacks it) */
    char commit[64];
} kvq_run_spec;

/* Writes dir/run.json with this kvqeval's version and commit. */
int kvq_run_spec_save(const kvq_run_spec *spec, const char *dir, kvq_error *err);

/* Reads dir/run.json; a missing or malformed file -> an error naming it. */
int kvq_run_spec_load(kvq_run_spec *spec, const char *dir, kvq_error *err);

void kvq_run_spec_free(kvq_run_spec *spec);

/* Parses "I/N" (--shard), 1 <= I <= N <= KVQ_SHARDS_MAX; -1 when text is anything else. */
int kvq_parse_shard(const char *text, unsigned *index, unsigned *count);

/* The shard (1..count) that evaluates the cell of population p and variant v: each population's
 * variants are dealt round-robin over the shards, population p starting at shard (p mod count) + 1,
 * so every shard gets a near-equal share of every population and of every variant. Depends on
 * the selection only. */
unsigned kvq_shard_of_cell(size_t p, size_t v, unsigned count);

/* Reads the run.json of each of the n shard folders and checks that they are the shards of one
 * run: the same seed, replicates, codec variants and populations (in order), kvqeval version and
 * commit, and shard count N, each index once and all N of them. On success spec holds their common
 * selection (shard fields 0, the whole run's) and owner[k] (n entries) the folder of shard k + 1;
 * otherwise KVQ_EINVAL with a message naming the folder at fault and what differs. */
int kvq_run_spec_merge(kvq_run_spec *spec, const char *const *dirs, size_t n, const char **owner,
                       kvq_error *err);

/* Appends a copy of text to a string list. */
int kvq_strings_push(char ***list, size_t *count, const char *text);
void kvq_strings_free(char **list, size_t count);

#endif
