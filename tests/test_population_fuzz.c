/* Replays the fuzz seeds and every input a fuzzer ever crashed on (fuzz/seeds/<target>/,
 * fuzz/regressions/<target>/) through the fuzz target bodies of every target, in the normal test
 * suite: a fixed bug that comes back crashes here. The bodies are compiled in from fuzz/targets.c,
 * because the suite builds each test from its one source file. */
#include "../fuzz/targets.c"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

typedef int (*fuzz_body)(const uint8_t *, size_t);

/* Runs body on every file of dir; returns how many it accepted, *files how many there were.
 * With check_names, a file whose name starts with "refused_" must be refused and every other one
 * accepted. */
static size_t replay_files(const char *dir, fuzz_body body, size_t *files, int check_names)
{
    DIR *d = opendir(dir);
    size_t accepted = 0;
    *files = 0;
    if (!d) return 0; /* no crasher kept yet */
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        fseek(f, 0, SEEK_END);
        size_t size = (size_t)ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *buf = malloc(size ? size : 1); /* exactly sized, as libFuzzer hands inputs */
        cr_assert_eq(fread(buf, 1, size, f), size);
        fclose(f);
        int ok = body(buf, size);
        if (check_names) {
            int refused = strncmp(e->d_name, "refused_", 8) == 0;
            cr_expect_eq(ok, !refused, "%s: %s", path, ok ? "accepted" : "refused");
        }
        accepted += (size_t)ok;
        free(buf);
        ++*files;
    }
    closedir(d);
    return accepted;
}

static size_t replay(const char *dir, fuzz_body body, size_t *files)
{
    return replay_files(dir, body, files, 0);
}

#define FUZZ_DIR KVQ_TEST_DATA "/../fuzz/"

/* Every seed of target accepted but those named refused_*, then every kept crasher; at least
 * min_seeds seeds. */
static void replay_target(const char *target, fuzz_body body, size_t min_seeds)
{
    char dir[1024];
    size_t files;
    snprintf(dir, sizeof dir, FUZZ_DIR "seeds/%s", target);
    replay_files(dir, body, &files, 1);
    cr_assert_geq(files, min_seeds, "%s: %zu seeds", dir, files);
    snprintf(dir, sizeof dir, FUZZ_DIR "regressions/%s", target);
    replay(dir, body, &files);
}

Test(fuzz_regressions, safetensors_seeds_and_crashers)
{
    size_t files;
    size_t ok = replay(FUZZ_DIR "seeds/safetensors", kvq_fuzz_safetensors, &files);
    cr_assert_geq(files, 5);
    cr_assert_eq(ok, files, "every safetensors seed is a valid file");
    replay(FUZZ_DIR "regressions/safetensors", kvq_fuzz_safetensors, &files);
}

Test(fuzz_regressions, npy_seeds_and_crashers)
{
    size_t files;
    size_t ok = replay(FUZZ_DIR "seeds/npy", kvq_fuzz_npy, &files);
    cr_assert_geq(files, 5);
    cr_assert_eq(ok, 3, "keys_v1, half_v2, cube_v3 accepted; fortran, bigendian refused");
    replay(FUZZ_DIR "regressions/npy", kvq_fuzz_npy, &files);
}

Test(fuzz_regressions, csv_seeds_and_crashers)
{
    replay_target("csv", kvq_fuzz_csv, 10);
}

Test(fuzz_regressions, epiphany_seeds_and_crashers)
{
    replay_target("epiphany", kvq_fuzz_epiphany, 3);
}

Test(fuzz_regressions, codec_spec_seeds_and_crashers)
{
    replay_target("codec_spec", kvq_fuzz_codec_spec, 10);
}

Test(fuzz_regressions, population_spec_seeds_and_crashers)
{
    replay_target("population_spec", kvq_fuzz_population_spec, 10);
}

Test(fuzz_regressions, run_json_seeds_and_crashers)
{
    replay_target("run_json", kvq_fuzz_run_json, 2);
}

Test(fuzz_regressions, cell_seeds_and_crashers)
{
    replay_target("cell", kvq_fuzz_cell, 3);
}

Test(fuzz_regressions, shard_index_seeds_and_crashers)
{
    replay_target("shard_index", kvq_fuzz_shard_index, 3);
}

Test(fuzz_regressions, model_config_seeds_and_crashers)
{
    replay_target("model_config", kvq_fuzz_model_config, 5);
}

Test(fuzz_regressions, gguf_seeds_and_crashers)
{
    replay_target("gguf", kvq_fuzz_gguf, 5);
}
