/* manifest.json: what ran, with what, where, and how each cell ended. */
#include "analysis/left_out.h"
#include "harness/run.h"
#include "io/atomic_file.h"
#include "io/jsonfile.h"
#include "kvq/checkpoint.h"
#include "kvq/commit.h"
#include "kvq/gguf.h"
#include "kvq/sha256.h"
#include "kvq/version.h"
#include "report/writers.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_version.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static cJSON *versions_json(void)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "kvqeval", KVQ_VERSION);
    cJSON_AddStringToObject(v, "commit", KVQ_COMMIT);
    cJSON_AddStringToObject(v, "build_type", KVQ_BUILD_TYPE);
    cJSON_AddStringToObject(v, "gsl", gsl_version);
    cJSON_AddStringToObject(v, "cjson", cJSON_Version());
    cJSON_AddStringToObject(v, "openblas", openblas_get_config());
    cJSON_AddStringToObject(v, "compiler", __VERSION__);
    return v;
}

static cJSON *machine_json(void)
{
    cJSON *m = cJSON_CreateObject();
    struct utsname u;
    if (uname(&u) == 0) {
        cJSON_AddStringToObject(m, "system", u.sysname);
        cJSON_AddStringToObject(m, "release", u.release);
        cJSON_AddStringToObject(m, "arch", u.machine);
        cJSON_AddStringToObject(m, "host", u.nodename);
    }
    cJSON_AddNumberToObject(m, "cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
    return m;
}

static cJSON *population_json(const kvq_population *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "spec", p->name);
    cJSON_AddStringToObject(o, "source", p->source);
    cJSON_AddStringToObject(o, "tensor", p->tensor);
    cJSON_AddStringToObject(o, "role", kvq_role_name(p->role));
    cJSON_AddNumberToObject(o, "layer", p->layer);
    cJSON_AddStringToObject(o, "dtype", p->dtype);
    cJSON *shape = cJSON_AddArrayToObject(o, "shape");
    for (size_t i = 0; i < p->ndim; i++)
        cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)p->shape[i]));
    cJSON_AddNumberToObject(o, "rows", (double)p->n);
    cJSON_AddNumberToObject(o, "dim", (double)p->dim);
    cJSON_AddNumberToObject(o, "queries", (double)p->nq);
    cJSON_AddNumberToObject(o, "chain_len", (double)p->chain_len);
    cJSON_AddItemToObject(o, "seed", kvq_json_number((double)p->seed));
    kvq_sha256 h; /* what was measured: the sampled rows, then the queries, as f32 */
    char hex[65];
    kvq_sha256_init(&h);
    kvq_sha256_update(&h, p->rows, p->n * p->dim * sizeof(float));
    kvq_sha256_update(&h, p->queries, p->nq * p->dim * sizeof(float));
    kvq_sha256_hex(&h, hex);
    cJSON_AddStringToObject(o, "sample_sha256", hex);
    return o;
}

/* A GGUF file's model description (include/kvq/gguf.h), or NULL for another file. */
static cJSON *gguf_json(const char *path)
{
    size_t len = strlen(path);
    kvq_gguf g;
    kvq_error err;
    if (len < 5 || strcmp(path + len - 5, ".gguf") != 0 || kvq_gguf_open(&g, path, &err))
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", g.version);
    cJSON_AddStringToObject(o, "architecture", g.info.architecture);
    const char *keys[] = {"block_count", "head_count", "head_count_kv", "context_length",
                          "embedding_length"};
    const long long vals[] = {g.info.block_count, g.info.head_count, g.info.head_count_kv,
                              g.info.context_length, g.info.embedding_length};
    for (size_t i = 0; i < 5; i++)
        if (vals[i] >= 0) cJSON_AddItemToObject(o, keys[i], kvq_json_number((double)vals[i]));
    kvq_gguf_close(&g);
    return o;
}

/* The bytes at the start of each file the manifest hashes without --hash-inputs: a safetensors,
 * GGUF or npy header (the tensors' names, types, shapes and offsets) and the data after it. */
#define HEAD_BYTES ((uint64_t)1 << 20)

/* Adds path to files (once): its size and the SHA-256 of its first HEAD_BYTES (and of all of it
 * when whole), or why it could not be read; a GGUF file's model description too. */
static void add_file(cJSON *files, const char *path, int whole)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, files)
    {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "path")->valuestring, path) == 0) return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", path);
    char hex[65];
    uint64_t size;
    kvq_error err;
    if (kvq_sha256_file(path, HEAD_BYTES, hex, &size, &err) == KVQ_OK) {
        cJSON_AddItemToObject(o, "bytes", kvq_json_number((double)size));
        cJSON_AddItemToObject(o, "head_bytes",
                              kvq_json_number((double)(size < HEAD_BYTES ? size : HEAD_BYTES)));
        cJSON_AddStringToObject(o, "head_sha256", hex);
        if (whole && kvq_sha256_file(path, UINT64_MAX, hex, &size, &err) == KVQ_OK)
            cJSON_AddStringToObject(o, "sha256", hex);
        else if (whole)
            cJSON_AddStringToObject(o, "error", err.msg);
    } else {
        cJSON_AddStringToObject(o, "error", err.msg);
    }
    cJSON *gguf = gguf_json(path);
    if (gguf) cJSON_AddItemToObject(o, "gguf", gguf);
    cJSON_AddItemToArray(files, o);
}

/* The tensors of those files no population covers (analysis/left_out.h), with role and reason. */
static cJSON *left_out_json(const kvq_run *run)
{
    cJSON *a = cJSON_CreateArray();
    kvq_left_out *items;
    size_t n;
    kvq_error err;
    if (kvq_left_out_compute(run, &items, &n, &err)) return a;
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "source", items[i].source);
        cJSON_AddStringToObject(o, "tensor", items[i].tensor);
        cJSON_AddStringToObject(o, "role", items[i].role);
        cJSON_AddStringToObject(o, "reason", items[i].reason);
        cJSON_AddItemToArray(a, o);
    }
    free(items);
    return a;
}

/* Every file the populations were read from (each shard of a sharded checkpoint, a model's
 * config.json), once each; whole: hash all of each file, not only its head. */
static cJSON *files_json(const kvq_run *run, int whole)
{
    cJSON *files = cJSON_CreateArray();
    for (size_t p = 0; p < run->npops; p++) {
        const char *source = run->pops[p].source;
        if (strcmp(source, "synthetic") == 0) continue;
        kvq_checkpoint ck;
        kvq_error err;
        if (kvq_checkpoint_open(&ck, source, &err)) {
            add_file(files, source, 0); /* records why it cannot be read now */
            continue;
        }
        for (size_t i = 0; i < ck.nshards; i++) add_file(files, ck.shards[i].path, whole);
        if (!ck.nshards) add_file(files, source, whole);
        kvq_checkpoint_close(&ck);
        if (run->pops[p].from_model) { /* a model that ran: its config is part of what was read */
            char config[4200];
            snprintf(config, sizeof config, "%s/config.json", source);
            add_file(files, config, whole);
        }
    }
    return files;
}

static cJSON *cell_json(const kvq_run *run, const kvq_cell *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "codec", c->codec);
    cJSON_AddStringToObject(o, "variant", c->variant);
    cJSON_AddStringToObject(o, "population", run->pops[c->population].name);
    cJSON_AddStringToObject(o, "status", kvq_cell_status_name(c));
    if (c->status) cJSON_AddStringToObject(o, c->skipped ? "reason" : "error", c->error);
    if (c->note[0]) cJSON_AddStringToObject(o, "note", c->note);
    cJSON_AddNumberToObject(o, "wall_s", c->wall_s);
    cJSON_AddNumberToObject(o, "cpu_s", c->cpu_s);
    cJSON *phases = cJSON_AddObjectToObject(o, "phases");
    for (size_t p = 0; phases && p < KVQ_PHASES; p++)
        cJSON_AddNumberToObject(phases, kvq_cell_phase_names[p], c->phase_s[p]);
    return o;
}

static cJSON *manifest_json(const kvq_run *run)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "run", run->name);
    cJSON *argv = cJSON_AddArrayToObject(root, "command");
    for (int i = 0; i < run->argc; i++)
        cJSON_AddItemToArray(argv, cJSON_CreateString(run->argv[i]));
    cJSON_AddItemToObject(root, "seed", kvq_json_number((double)run->spec.seed));
    cJSON_AddNumberToObject(root, "replicates", (double)run->spec.replicates);
    cJSON_AddStringToObject(root, "started", run->started);
    cJSON_AddNumberToObject(root, "wall_s", run->wall_s);
    cJSON_AddNumberToObject(root, "threads", run->threads);
    cJSON_AddNumberToObject(root, "peak_rss_mib", (double)run->peak_rss_kb / 1024.0);
    cJSON_AddItemToObject(root, "versions", versions_json());
    cJSON_AddItemToObject(root, "machine", machine_json());
    cJSON_AddItemToObject(root, "files", files_json(run, run->hash_inputs));
    cJSON_AddItemToObject(root, "left_out", left_out_json(run));
    cJSON *pops = cJSON_AddArrayToObject(root, "populations");
    for (size_t i = 0; i < run->npops; i++)
        cJSON_AddItemToArray(pops, population_json(&run->pops[i]));
    if (run->spec.shard_count) { /* a shard's cells are its share only (kvq_shard_of_cell) */
        cJSON *shard = cJSON_AddObjectToObject(root, "shard");
        cJSON_AddNumberToObject(shard, "index", run->spec.shard_index);
        cJSON_AddNumberToObject(shard, "count", run->spec.shard_count);
        cJSON_AddItemToObject(shard, "codecs",
                              cJSON_CreateStringArray((const char *const *)run->spec.variants,
                                                      (int)run->spec.nvariants));
    }
    cJSON *cells = cJSON_AddArrayToObject(root, "cells");
    for (size_t i = 0; i < run->ncells; i++)
        if (kvq_run_cell_in_shard(run, i))
            cJSON_AddItemToArray(cells, cell_json(run, &run->cells[i]));
    return root;
}

int kvq_write_manifest(const kvq_run *run, kvq_error *err)
{
    cJSON *root = manifest_json(run);
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return kvq_fail(err, KVQ_ENOMEM, "out of memory writing the manifest");
    kvq_afile a;
    int rc = kvq_afile_open_in(&a, run->dir, "manifest.json", err);
    if (!rc) {
        fputs(text, a.f);
        fputc('\n', a.f);
        rc = kvq_afile_commit(&a, err);
    }
    free(text);
    return rc;
}
