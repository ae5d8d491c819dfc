/* Shards of a run (harness/run_spec.h): "--shard I/N" parsed strictly, every cell in exactly one
 * shard with near-equal shares, the shard kept through run.json, and the checks kvqeval merge
 * makes of the shards' run.json files (tests/shard_test.sh runs the same end to end). */
#include "harness/run_spec.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Test(run_shard, parse)
{
    unsigned i = 0, n = 0;
    cr_assert_eq(kvq_parse_shard("2/3", &i, &n), 0);
    cr_assert(i == 2 && n == 3);
    cr_assert_eq(kvq_parse_shard("1/1", &i, &n), 0);
    cr_assert_eq(kvq_parse_shard("100000/100000", &i, &n), 0);
    const char *bad[] = {"0/3",  "4/3",  "x",    "1/0",  "/3",    "2/",       "1/3/3", "-1/3",
                         "+1/3", " 1/3", "1/ 3", "1/3x", "1.0/3", "1/100001", "",      "3"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        cr_assert_eq(kvq_parse_shard(bad[k], &i, &n), -1, "'%s' accepted", bad[k]);
}

/* Known answers of the documented rule, shard ((p + v) mod N) + 1. */
Test(run_shard, rule)
{
    cr_assert_eq(kvq_shard_of_cell(0, 0, 3), 1);
    cr_assert_eq(kvq_shard_of_cell(1, 2, 3), 1);
    cr_assert_eq(kvq_shard_of_cell(2, 1, 3), 1);
    cr_assert_eq(kvq_shard_of_cell(0, 1, 3), 2);
    cr_assert_eq(kvq_shard_of_cell(7, 5, 1), 1);
}

/* For every matrix shape and N: each cell in one shard in 1..N, and no shard holding more than
 * its share of a population's cells by more than one. */
Test(run_shard, partition)
{
    for (size_t np = 1; np <= 7; np++)
        for (size_t nv = 1; nv <= 9; nv++)
            for (unsigned n = 1; n <= 12; n++) {
                size_t *count = calloc(n, sizeof *count);
                for (size_t p = 0; p < np; p++) {
                    size_t in_pop[13] = {0};
                    for (size_t v = 0; v < nv; v++) {
                        unsigned s = kvq_shard_of_cell(p, v, n);
                        cr_assert(s >= 1 && s <= n);
                        count[s - 1]++, in_pop[s - 1]++;
                    }
                    for (unsigned s = 0; s < n; s++)
                        cr_assert(in_pop[s] <= (nv + n - 1) / n && in_pop[s] >= nv / n,
                                  "%zu x %zu, N=%u: shard %u has %zu of population %zu", np, nv, n,
                                  s + 1, in_pop[s], p);
                }
                size_t total = 0;
                for (unsigned s = 0; s < n; s++) total += count[s];
                cr_assert_eq(total, np * nv);
                free(count);
            }
}

static char root[] = "/tmp/kvq_run_shard_XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
}

/* Writes root/name/run.json for shard index of count of the selection, with seed. */
static void save_shard(const char *name, unsigned index, unsigned count, uint64_t seed,
                       const char *variant)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    mkdir(dir, 0777);
    kvq_run_spec spec = {.seed = seed, .shard_index = index, .shard_count = count};
    kvq_strings_push(&spec.variants, &spec.nvariants, "int8");
    kvq_strings_push(&spec.variants, &spec.nvariants, variant);
    kvq_strings_push(&spec.populations, &spec.npopulations, "synthetic:gaussian");
    kvq_error err;
    cr_assert_eq(kvq_run_spec_save(&spec, dir, &err), KVQ_OK, "%s", err.msg);
    kvq_run_spec_free(&spec);
}

Test(run_shard, round_trip, .init = setup)
{
    save_shard("a", 2, 5, 9, "bf16");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/a", root);
    kvq_run_spec back;
    kvq_error err;
    cr_assert_eq(kvq_run_spec_load(&back, dir, &err), KVQ_OK, "%s", err.msg);
    cr_assert(back.shard_index == 2 && back.shard_count == 5 && back.seed == 9);
    cr_assert(back.version[0] && back.commit[0]);
    kvq_run_spec_free(&back);
}

/* A shard field that is not 1 <= index <= count is malformed. */
Test(run_shard, bad_shard_field, .init = setup)
{
    const char *bad[] = {"{\"index\": 0, \"count\": 3}", "{\"index\": 4, \"count\": 3}",
                         "{\"index\": 1.5, \"count\": 3}", "{\"index\": 1}", "3"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char path[300];
        snprintf(path, sizeof path, "%s/run.json", root);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fprintf(f,
                "{\"seed\": 1, \"codecs\": [\"int8\"], \"populations\": [\"synthetic:gaussian\"], "
                "\"shard\": %s}",
                bad[k]);
        fclose(f);
        kvq_run_spec spec;
        kvq_error err;
        cr_assert_eq(kvq_run_spec_load(&spec, root, &err), KVQ_EFORMAT, "shard %s accepted",
                     bad[k]);
        cr_assert(strstr(err.msg, "is malformed"), "%s", err.msg);
    }
}

/* Merges dirs (names under root); the status, with the message in err. */
static int merge(const char *const *names, size_t n, const char **owner, kvq_run_spec *spec,
                 kvq_error *err)
{
    static char paths[8][256];
    const char *dirs[8];
    for (size_t k = 0; k < n; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/%s", root, names[k]);
        dirs[k] = paths[k];
    }
    return kvq_run_spec_merge(spec, dirs, n, owner, err);
}

Test(run_shard, merge, .init = setup)
{
    save_shard("s1", 1, 3, 4, "bf16");
    save_shard("s2", 2, 3, 4, "bf16");
    save_shard("s3", 3, 3, 4, "bf16");
    save_shard("seed", 3, 3, 5, "bf16");
    save_shard("codec", 3, 3, 4, "f16");
    save_shard("n", 3, 4, 4, "bf16");
    save_shard("s2b", 2, 3, 4, "bf16");
    save_shard("whole", 0, 0, 4, "bf16");
    kvq_run_spec spec;
    kvq_error err;
    const char *owner[8];

    const char *ok[] = {"s3", "s1", "s2"};
    cr_assert_eq(merge(ok, 3, owner, &spec, &err), KVQ_OK, "%s", err.msg);
    cr_assert(strstr(owner[0], "/s1") && strstr(owner[1], "/s2") && strstr(owner[2], "/s3"));
    cr_assert(spec.shard_count == 0 && spec.seed == 4 && spec.nvariants == 2);
    kvq_run_spec_free(&spec);

    struct {
        const char *names[4];
        size_t n;
        const char *says;
    } refused[] = {
        {{"s1", "s2", "seed"}, 3, "/seed' is a shard of another run: seed 5, not 4 as in '"},
        {{"s1", "s2", "codec"},
         3,
         "/codec' is a shard of another run: codec variant 2 is 'f16', "
         "not 'bf16'"},
        {{"s1", "s2", "n"}, 3, "/n' is a shard of another run: shard 3 of 4, not of 3"},
        {{"s1", "s2", "s2b", "s3"}, 4, "/s2b' is shard 2 of 3, and so is '"},
        {{"s1", "s3"}, 2, "shard 2 of 3 is missing"},
        {{"s1", "whole"}, 2, "/whole' is a whole run, not a shard"},
        {{"s1", "nowhere"}, 2, "/nowhere' is not a run folder"},
    };
    for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
        cr_assert_neq(merge(refused[k].names, refused[k].n, owner, &spec, &err), KVQ_OK,
                      "case %zu merged", k);
        cr_assert(strstr(err.msg, refused[k].says), "case %zu: %s", k, err.msg);
        cr_assert(spec.nvariants == 0 && spec.variants == NULL);
    }
}
