/* The matrix runner (harness/run.h): validate the selection, prepare the run folder, evaluate the
 * cells, write the outputs, print the table. */
#include "run.h"
#include "fsutil.h"
#include "kvq/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int push_variant(const char *spec, void *ctx)
{
    kvq_run *run = ctx;
    char **grown = realloc(run->variants, (run->nvariants + 1) * sizeof *grown);
    if (!grown) return KVQ_ENOMEM;
    run->variants = grown;
    run->variants[run->nvariants] = strdup(spec);
    if (!run->variants[run->nvariants]) return KVQ_ENOMEM;
    run->nvariants++;
    return KVQ_OK;
}

/* The codec variants: the ones given, or every backend's ladder. Each is parsed and its keys
 * checked, so a typo stops the run before any work. */
static int collect_variants(kvq_run *run, const kvq_run_config *cfg, kvq_error *err)
{
    int rc = KVQ_OK;
    if (cfg->ncodecs == 0) {
        for (const kvq_backend *const *b = kvq_backends; *b && !rc; b++)
            rc = kvq_backend_each_variant(*b, push_variant, run);
    } else {
        for (size_t i = 0; i < cfg->ncodecs && !rc; i++) rc = push_variant(cfg->codecs[i], run);
    }
    if (rc) return kvq_fail(err, KVQ_ENOMEM, "out of memory listing codec variants");
    for (size_t i = 0; i < run->nvariants; i++) {
        kvq_params full;
        const kvq_backend *b;
        rc = kvq_codec_resolve(run->variants[i], &full, &b, err);
        if (rc) return kvq_error_wrap(err, "--codec");
    }
    return KVQ_OK;
}

static int load_populations(kvq_run *run, const kvq_run_config *cfg, kvq_error *err)
{
    size_t count = cfg->npopulations;
    const char *const *specs = cfg->populations;
    if (count == 0) {
        specs = kvq_builtin_populations;
        while (specs[count]) count++;
    }
    run->pops = calloc(count, sizeof *run->pops);
    if (!run->pops) return kvq_fail(err, KVQ_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        int rc = kvq_population_load(&run->pops[i], specs[i], run->seed, err);
        if (rc) return rc;
        run->npops++;
    }
    return KVQ_OK;
}

/* A variant that cannot be created on any population is a bad spec (e.g. bits=99): refuse it now
 * rather than fill the matrix with failed cells. One that fails on some populations only (a
 * dimension its parameters do not divide) runs, and those cells are recorded as failed. */
static int check_variants_create(const kvq_run *run, kvq_error *err)
{
    for (size_t v = 0; v < run->nvariants; v++) {
        int any_ok = 0, rc = KVQ_OK;
        for (size_t p = 0; p < run->npops && !any_ok; p++) {
            kvq_rng rng;
            kvq_rng_derive(&rng, run->seed, "validate");
            kvq_codec codec;
            rc = kvq_codec_open(&codec, run->variants[v], run->pops[p].dim, &rng, err);
            if (!rc) any_ok = 1, kvq_codec_close(&codec);
        }
        if (!any_ok) return kvq_error_wrap(err, "--codec '%s'", run->variants[v]);
    }
    return KVQ_OK;
}

static void free_run(kvq_run *run)
{
    for (size_t i = 0; i < run->nvariants; i++) free(run->variants[i]);
    free(run->variants);
    for (size_t i = 0; i < run->npops; i++) kvq_population_free(&run->pops[i]);
    free(run->pops);
    free(run->cells);
}

static int prepare_cells(kvq_run *run, kvq_error *err)
{
    run->ncells = run->nvariants * run->npops;
    run->cells = calloc(run->ncells, sizeof *run->cells);
    if (!run->cells) return kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu cells", run->ncells);
    for (size_t p = 0; p < run->npops; p++) {
        for (size_t v = 0; v < run->nvariants; v++) {
            kvq_cell *c = &run->cells[p * run->nvariants + v];
            kvq_params full;
            const kvq_backend *b;
            kvq_codec_resolve(run->variants[v], &full, &b, NULL); /* checked in collect_variants */
            snprintf(c->variant, sizeof c->variant, "%s", run->variants[v]);
            snprintf(c->codec, sizeof c->codec, "%s", b->name);
            c->population = p;
        }
    }
    return KVQ_OK;
}

static int usage_error(kvq_run *run, const kvq_error *err)
{
    fprintf(stderr, "kvqeval: %s\n", err->msg);
    free_run(run);
    return KVQ_EXIT_USAGE;
}

int kvq_run_matrix(const kvq_run_config *cfg)
{
    kvq_run run;
    memset(&run, 0, sizeof run);
    run.seed = cfg->seed;
    kvq_error err;
    kvq_error_clear(&err);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    time_t now = time(NULL);
    strftime(run.started, sizeof run.started, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    if (collect_variants(&run, cfg, &err) || load_populations(&run, cfg, &err) ||
        check_variants_create(&run, &err) || prepare_cells(&run, &err))
        return usage_error(&run, &err);
    if (kvq_prepare_run_dir(run.dir, sizeof run.dir, cfg->out_dir, &now, &err)) {
        fprintf(stderr, "kvqeval: %s\n", err.msg);
        free_run(&run);
        return KVQ_EXIT_IO;
    }
    const char *slash = strrchr(run.dir, '/');
    snprintf(run.name, sizeof run.name, "%s", slash ? slash + 1 : run.dir);

    size_t failed = 0;
    for (size_t i = 0; i < run.ncells; i++) {
        kvq_cell *c = &run.cells[i];
        if (kvq_cell_run(c, &run.pops[c->population], run.seed)) {
            failed++;
            fprintf(stderr, "kvqeval: cell %s x %s failed: %s\n", c->variant,
                    run.pops[c->population].name, c->error);
        }
    }
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    run.wall_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);

    int status = failed ? KVQ_EXIT_CELLS_FAILED : KVQ_EXIT_OK;
    if (kvq_write_cells_csv(&run, &err) || kvq_write_manifest(&run, cfg, &err)) {
        fprintf(stderr, "kvqeval: %s\n", err.msg);
        status = KVQ_EXIT_IO;
    } else {
        if (!cfg->quiet) kvq_print_tables(&run, stdout);
        fprintf(stderr, "kvqeval: %zu cells (%zu failed) in %.1f s; results in %s/\n", run.ncells,
                failed, run.wall_s, run.dir);
    }
    free_run(&run);
    return status;
}
