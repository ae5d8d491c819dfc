/* Replays the fuzz seeds and every input a fuzzer ever crashed on (fuzz/seeds/<target>/,
 * fuzz/regressions/<target>/) through the fuzz target bodies, in the normal test suite: a fixed
 * bug that comes back crashes here. The bodies are compiled in from fuzz/targets.c, because the
 * suite builds each test from its one source file. */
#include "../fuzz/targets.c"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

typedef int (*fuzz_body)(const uint8_t *, size_t);

/* Runs body on every file of dir; returns how many it accepted, *files how many there were. */
static size_t replay(const char *dir, fuzz_body body, size_t *files)
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
        accepted += (size_t)body(buf, size);
        free(buf);
        ++*files;
    }
    closedir(d);
    return accepted;
}

#define FUZZ_DIR KVQ_TEST_DATA "/../fuzz/"

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
