/* The matrix runner (harness/run.h): validate the selection, load the populations, claim the run
 * folder, build the references and read back a resumed run's cells. The cells run in
 * harness/scheduler.c; the outputs are report/'s. */
#include "harness/run.h"
#include "harness/cell_store.h"
#include "harness/fsutil.h"
#include "harness/ladder.h"
#include "harness/parallel.h"
#include "io/jsonfile.h"
#include "io/message.h"
#include "kvq/backend.h"
#include "kvq/checkpoint.h"
#include "kvq/memory.h"
#include "kvq/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

kvq_cell *kvq_run_cell(const kvq_run *run, size_t p, size_t v)
{
    return &run->cells[p * run->spec.nvariants + v];
}

int kvq_run_cell_in_shard(const kvq_run *run, size_t index)
{
    size_t nv = run->spec.nvariants;
    return !run->spec.shard_count ||
           kvq_shard_of_cell(index / nv, index % nv, run->spec.shard_count) ==
               run->spec.shard_index;
}

/* Pushes a variant under its canonical name (kvq_codec_canonical), so that specs differing only by
 * default values are one variant; a spec that does not resolve is pushed as given, for
 * check_variants_syntax to refuse with its reason. */
static int push_variant(const char *spec, void *ctx)
{
    kvq_run_spec *s = ctx;
    char canonical[KVQ_SPEC_MAX];
    kvq_error ignored;
    if (kvq_codec_canonical(spec, canonical, sizeof canonical, &ignored))
        return kvq_strings_push(&s->variants, &s->nvariants, spec);
    return kvq_strings_push(&s->variants, &s->nvariants, canonical);
}

/* The codec variants: the ones given (shorthands expanded), or every backend's ladder. */
static int collect_variants(kvq_run_spec *spec, const kvq_run_config *cfg, kvq_error *err)
{
    int rc = KVQ_OK;
    if (cfg->ncodecs == 0) {
        for (const kvq_backend *const *b = kvq_backends; *b && !rc; b++)
            rc = kvq_backend_each_variant(*b, push_variant, spec);
        return rc ? kvq_fail(err, KVQ_ENOMEM, "out of memory listing codec variants") : KVQ_OK;
    }
    for (size_t i = 0; i < cfg->ncodecs && !rc; i++) {
        kvq_error_clear(err);
        rc = kvq_expand_codec_spec(cfg->codecs[i], push_variant, spec, err);
        if (rc && err->code == KVQ_OK) kvq_fail(err, KVQ_ENOMEM, "out of memory");
    }
    return rc;
}

static int push_population(const char *one, void *ctx)
{
    kvq_run_spec *s = ctx;
    return kvq_strings_push(&s->populations, &s->npopulations, one);
}

/* The populations: those given (layer=A..B expanded), then every encodable role of each --model;
 * when neither is given, the built-in ones and those of the shipped model (models/), whose
 * absence (kvqeval run outside its source tree without KVQ_MODELS_DIR) is said and skipped. */
static int collect_populations(kvq_run_spec *spec, const kvq_run_config *cfg, kvq_error *err)
{
    int builtin = cfg->npopulations == 0 && cfg->nmodels == 0;
    const char *const *given = builtin ? kvq_builtin_populations : cfg->populations;
    for (size_t i = 0; builtin ? given[i] != NULL : i < cfg->npopulations; i++) {
        kvq_error_clear(err);
        if (kvq_expand_population_spec(given[i], push_population, spec, err))
            return err->code ? err->code : kvq_fail(err, KVQ_ENOMEM, "out of memory");
    }
    const char *shipped[] = {KVQ_SHIPPED_MODEL};
    char where[4096];
    int ship = builtin && kvq_model_locate(shipped[0], where, sizeof where) == 0;
    if (builtin && !ship)
        fprintf(stderr,
                "kvqeval: the shipped model %s was not found (set KVQ_MODELS_DIR to the "
                "source tree's models/); its populations are left out\n",
                shipped[0]);
    size_t nmodels = ship ? 1 : cfg->nmodels;
    for (size_t m = 0; m < nmodels; m++) {
        const char *model = ship ? shipped[0] : cfg->models[m];
        char **specs;
        size_t count;
        int rc = kvq_model_population_specs(model, cfg->per_layer, &specs, &count, err);
        if (rc) return kvq_error_wrap(err, "--model '%s'", model);
        for (size_t i = 0; i < count && !rc; i++)
            rc = kvq_strings_push(&spec->populations, &spec->npopulations, specs[i]);
        kvq_model_population_specs_free(specs, count);
        if (rc) return kvq_fail(err, KVQ_ENOMEM, "out of memory");
    }
    return KVQ_OK;
}

/* Each variant is parsed and its keys checked; the same variant twice is refused (its cells would
 * collide in every output). */
static int check_variants_syntax(const kvq_run_spec *spec, kvq_error *err)
{
    for (size_t i = 0; i < spec->nvariants; i++) {
        kvq_params full;
        const kvq_backend *b;
        int rc = kvq_codec_resolve(spec->variants[i], &full, &b, err);
        if (rc) return kvq_error_wrap(err, "--codec");
        for (size_t j = 0; j < i; j++)
            if (strcmp(spec->variants[i], spec->variants[j]) == 0)
                return kvq_fail(err, KVQ_EINVAL,
                                "--codec '%s' given twice (a parameter at its default value "
                                "names the same variant as the bare name)",
                                spec->variants[i]);
    }
    for (size_t i = 0; i < spec->npopulations; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(spec->populations[i], spec->populations[j]) == 0)
                return kvq_fail(err, KVQ_EINVAL, "--population '%s' given twice",
                                spec->populations[i]);
    return KVQ_OK;
}

static int load_populations(kvq_run *run, kvq_error *err)
{
    run->pops = calloc(run->spec.npopulations, sizeof *run->pops);
    run->refs = calloc(run->spec.npopulations, sizeof *run->refs);
    if (!run->pops || !run->refs) return kvq_fail(err, KVQ_ENOMEM, "out of memory");
    for (size_t i = 0; i < run->spec.npopulations; i++) {
        int rc = kvq_population_load(&run->pops[i], run->spec.populations[i], run->spec.seed, err);
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
    for (size_t v = 0; v < run->spec.nvariants; v++) {
        int any_ok = 0;
        for (size_t p = 0; p < run->npops && !any_ok; p++) {
            kvq_rng rng;
            kvq_rng_derive(&rng, run->spec.seed, "validate");
            kvq_codec codec;
            if (kvq_codec_open(&codec, run->spec.variants[v], run->pops[p].dim, &rng, err) == 0)
                any_ok = 1, kvq_codec_close(&codec);
        }
        if (!any_ok) return kvq_error_wrap(err, "--codec '%s'", run->spec.variants[v]);
    }
    return KVQ_OK;
}

static int prepare_cells(kvq_run *run, kvq_error *err)
{
    size_t nv = run->spec.nvariants;
    run->ncells = nv * run->npops;
    run->cells = calloc(run->ncells, sizeof *run->cells);
    if (!run->cells) return kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu cells", run->ncells);
    for (size_t p = 0; p < run->npops; p++) {
        for (size_t v = 0; v < nv; v++) {
            kvq_cell *c = kvq_run_cell(run, p, v);
            kvq_params full;
            const kvq_backend *b;
            kvq_codec_resolve(run->spec.variants[v], &full, &b, NULL); /* already checked */
            snprintf(c->variant, sizeof c->variant, "%s", run->spec.variants[v]);
            snprintf(c->codec, sizeof c->codec, "%s", b->name);
            c->population = p;
        }
    }
    return KVQ_OK;
}

/* The references of the populations, built in parallel (each from its population's own streams,
 * so the thread count changes nothing); the first population's failure in order is the one
 * reported. */
static int build_reference(size_t p, void *ctx, kvq_error *err)
{
    kvq_run *run = ctx;
    return kvq_reference_build(&run->refs[p], &run->pops[p], run->spec.seed, err);
}

static int build_references(kvq_run *run, kvq_error *err)
{
    return kvq_parallel_try(run->npops, run->threads, build_reference, run, err);
}

/* Loads the cells a resumed run already finished; an unreadable cell file is reported and its
 * cell runs again. */
static void load_finished_cells(kvq_run *run)
{
    for (size_t i = 0; i < run->ncells; i++) {
        kvq_cell *c = &run->cells[i];
        char path[4200];
        kvq_cell_path(path, sizeof path, run->dir, c->population, i % run->spec.nvariants);
        kvq_error err;
        if (kvq_cell_load(c, run->pops[c->population].name, path, &err))
            kvq_say("kvqeval: %s; running that cell again", err.msg);
    }
}

void kvq_run_free(kvq_run *run)
{
    for (size_t i = 0; i < run->ncells; i++) kvq_cell_free(&run->cells[i]);
    free(run->cells);
    for (size_t i = 0; i < run->npops; i++) {
        kvq_reference_free(&run->refs[i]);
        kvq_population_free(&run->pops[i]);
    }
    free(run->refs);
    free(run->pops);
    kvq_run_spec_free(&run->spec);
    free(run->shard_dirs);
    if (run->lock_fd >= 0) close(run->lock_fd);
    memset(run, 0, sizeof *run);
    run->lock_fd = -1;
}

/* Resuming: the folder's lock first (one writer), then its run.json, validated as a new selection
 * is. Returns a KVQ_EXIT_* status, or -1 when the run can go on. */
static int open_resume(kvq_run *run, const kvq_run_config *cfg, kvq_error *err)
{
    if (snprintf(run->dir, sizeof run->dir, "%s", cfg->resume_dir) >= (int)sizeof run->dir)
        return kvq_fail(err, KVQ_EINVAL, "--resume path too long"), KVQ_EXIT_USAGE;
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", run->dir);
    if (access(path, F_OK) != 0)
        return kvq_fail(err, KVQ_EINVAL, "--resume: '%s' is not a run folder (no run.json)",
                        run->dir),
               KVQ_EXIT_USAGE;
    int rc = kvq_run_dir_lock(run->dir, &run->lock_fd, err);
    if (rc) return rc == KVQ_EIO ? KVQ_EXIT_IO : KVQ_EXIT_USAGE;
    if (kvq_run_spec_load(&run->spec, run->dir, err))
        return kvq_error_wrap(err, "--resume"), KVQ_EXIT_USAGE;
    if (check_variants_syntax(&run->spec, err))
        return kvq_error_wrap(err, "--resume: '%s'", path), KVQ_EXIT_USAGE;
    return -1;
}

/* Merging: every cell of shard k + 1 saved in its folder, each file the cell it should be (read
 * as --resume would read it). A shard with cells still to run is named with how to finish it. */
static int check_shard_cells(const kvq_run *run, kvq_error *err)
{
    const kvq_run_spec *spec = &run->spec;
    kvq_cell *scratch = calloc(1, sizeof *scratch);
    size_t *missing = calloc(run->nshard_dirs, sizeof *missing);
    size_t *total = calloc(run->nshard_dirs, sizeof *total);
    int rc = scratch && missing && total ? KVQ_OK : kvq_fail(err, KVQ_ENOMEM, "out of memory");
    for (size_t p = 0; p < spec->npopulations && !rc; p++)
        for (size_t v = 0; v < spec->nvariants && !rc; v++) {
            unsigned k = kvq_shard_of_cell(p, v, (unsigned)run->nshard_dirs) - 1;
            char path[4200];
            kvq_cell_path(path, sizeof path, run->shard_dirs[k], p, v);
            snprintf(scratch->variant, sizeof scratch->variant, "%s", spec->variants[v]);
            rc = kvq_cell_load(scratch, spec->populations[p], path, err);
            missing[k] += !rc && !scratch->done;
            total[k]++;
            kvq_cell_free(scratch);
            memset(scratch, 0, sizeof *scratch);
        }
    for (size_t k = 0; k < run->nshard_dirs && !rc; k++)
        if (missing[k])
            rc = kvq_fail(err, KVQ_EINVAL,
                          "'%s' (shard %zu of %zu) is not finished (%zu of %zu cells to run): "
                          "finish it with kvqeval --resume %s",
                          run->shard_dirs[k], k + 1, run->nshard_dirs, missing[k], total[k],
                          run->shard_dirs[k]);
    free(total);
    free(missing);
    free(scratch);
    return rc;
}

/* Merging: the shards' common selection, their cells complete, and a free folder for the whole
 * run. Returns a KVQ_EXIT_* status, or -1. */
static int open_merge(kvq_run *run, const kvq_run_config *cfg, kvq_error *err)
{
    run->shard_dirs = calloc(cfg->nmerge, sizeof *run->shard_dirs);
    if (!run->shard_dirs) return kvq_fail(err, KVQ_ENOMEM, "out of memory"), KVQ_EXIT_USAGE;
    if (kvq_run_spec_merge(&run->spec, cfg->merge_dirs, cfg->nmerge, run->shard_dirs, err))
        return KVQ_EXIT_USAGE;
    run->nshard_dirs = cfg->nmerge;
    if (check_variants_syntax(&run->spec, err))
        return kvq_error_wrap(err, "'%s/run.json'", cfg->merge_dirs[0]), KVQ_EXIT_USAGE;
    if (check_shard_cells(run, err) || kvq_run_dir_check_free(cfg->out_dir, err))
        return KVQ_EXIT_USAGE;
    return -1;
}

/* The selection from the command line, or from run.json to resume. Returns a KVQ_EXIT_* status,
 * or -1. */
static int set_up(kvq_run *run, const kvq_run_config *cfg, kvq_error *err)
{
    if (cfg->resume_dir || cfg->nmerge) {
        int status = cfg->resume_dir ? open_resume(run, cfg, err) : open_merge(run, cfg, err);
        if (status >= 0) return status;
    } else {
        run->spec.seed = cfg->seed;
        run->spec.replicates = cfg->replicates ? cfg->replicates : 1;
        run->spec.shard_index = cfg->shard_index;
        run->spec.shard_count = cfg->shard_count;
        if (collect_variants(&run->spec, cfg, err) || collect_populations(&run->spec, cfg, err) ||
            check_variants_syntax(&run->spec, err))
            return KVQ_EXIT_USAGE;
        /* A folder in use or already holding a run is refused now, not after the work. */
        if (cfg->out_dir && kvq_run_dir_check_free(cfg->out_dir, err)) return KVQ_EXIT_USAGE;
    }
    return -1;
}

/* The exact scores of every population, and the cells running at once (each holds about its
 * population's rows twice, as codes and as reconstructions, and its estimated scores), must fit
 * beside the populations already loaded. */
static int check_run_memory(const kvq_run *run, int threads, kvq_error *err)
{
    double refs = 0.0, cell = 0.0;
    for (size_t p = 0; p < run->npops; p++) {
        const kvq_population *pop = &run->pops[p];
        refs += kvq_reference_bytes(pop);
        double need = (2.0 * (double)pop->n * (double)pop->dim + (double)pop->nq * (double)pop->n) *
                      sizeof(float);
        if (need > cell) cell = need;
    }
    int rc = kvq_memory_check(refs, "the reference scores of the populations", err);
    if (rc) return rc;
    char what[96];
    snprintf(what, sizeof what, "the reference scores and %d cell%s at once (--threads)", threads,
             threads == 1 ? "" : "s");
    return kvq_memory_check(refs + (double)threads * cell, what, err);
}

/* A new run's folder: created, locked, still free, writable, then run.json, written before any
 * other file. Resuming: the locked folder must be writable, and what an interrupted writer left
 * half-written is removed. Returns a KVQ_EXIT_* status, or -1. */
static int claim_run_dir(kvq_run *run, const kvq_run_config *cfg, const time_t *now, kvq_error *err)
{
    if (!cfg->resume_dir) {
        int rc = kvq_make_run_dir(run->dir, sizeof run->dir, cfg->out_dir, now, err);
        if (!rc) rc = kvq_run_dir_lock(run->dir, &run->lock_fd, err);
        if (!rc) rc = kvq_run_dir_check_empty(run->dir, err);
        if (rc) return rc == KVQ_EIO ? KVQ_EXIT_IO : KVQ_EXIT_USAGE;
    }
    char cells_dir[4200];
    snprintf(cells_dir, sizeof cells_dir, "%s/cells", run->dir);
    if (kvq_check_writable(run->dir, err) ||
        (!cfg->resume_dir && kvq_run_spec_save(&run->spec, run->dir, err)) ||
        kvq_mkdir_p(cells_dir, err) || kvq_check_writable(cells_dir, err))
        return KVQ_EXIT_IO;
    kvq_run_dir_remove_temps(run->dir);
    return -1;
}

int kvq_run_prepare(kvq_run *run, const kvq_run_config *cfg, kvq_error *err)
{
    memset(run, 0, sizeof *run);
    run->lock_fd = -1;
    run->threads = cfg->threads;
    run->hash_inputs = cfg->hash_inputs;
    run->argc = cfg->argc;
    run->argv = cfg->argv;
    clock_gettime(CLOCK_MONOTONIC, &run->t0);
    time_t now = time(NULL);
    strftime(run->started, sizeof run->started, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    int status = set_up(run, cfg, err);
    if (status < 0 && (load_populations(run, err) || check_variants_create(run, err) ||
                       prepare_cells(run, err) || check_run_memory(run, cfg->threads, err)))
        status = KVQ_EXIT_USAGE;
    return status;
}

/* Merging: each shard's cell files, byte for byte, into the new run's cells/. */
static int copy_shard_cells(const kvq_run *run, kvq_error *err)
{
    size_t nv = run->spec.nvariants;
    for (size_t i = 0; i < run->ncells; i++) {
        unsigned k = kvq_shard_of_cell(i / nv, i % nv, (unsigned)run->nshard_dirs) - 1;
        char from[4200], to[4200];
        kvq_cell_path(from, sizeof from, run->shard_dirs[k], i / nv, i % nv);
        kvq_cell_path(to, sizeof to, run->dir, i / nv, i % nv);
        char *text;
        int rc = kvq_read_text(from, &text, NULL, err);
        if (rc) return rc;
        rc = kvq_write_text_atomic(to, text, err);
        free(text);
        if (rc) return rc;
    }
    return KVQ_OK;
}

int kvq_run_start(kvq_run *run, const kvq_run_config *cfg, kvq_error *err)
{
    time_t now = time(NULL);
    int status = claim_run_dir(run, cfg, &now, err);
    if (status < 0 && run->nshard_dirs && copy_shard_cells(run, err)) status = KVQ_EXIT_IO;
    if (status < 0 && build_references(run, err)) status = KVQ_EXIT_IO;
    if (status >= 0) return status;
    const char *slash = strrchr(run->dir, '/');
    snprintf(run->name, sizeof run->name, "%s", slash && slash[1] ? slash + 1 : run->dir);
    if (cfg->resume_dir || run->nshard_dirs) load_finished_cells(run);
    return -1;
}
