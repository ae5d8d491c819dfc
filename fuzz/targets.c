/* Fuzz target bodies (fuzz/targets.h): parse the input, then use everything the parser handed out
 * the way the program does (classify each tensor, view it as rows, convert every row; read every
 * field; evaluate a spec), so that a validation gap shows up as an out-of-bounds read under
 * AddressSanitizer. The parsers that read a path get the input written to a file in a scratch
 * folder of the process, made on first use and removed at exit. */
#include "targets.h"
#include "analysis/epiphany.h"
#include "harness/cell_store.h"
#include "harness/ladder.h"
#include "harness/run_spec.h"
#include "io/csv_read.h"
#include "kvq/backend.h"
#include "kvq/checkpoint.h"
#include "kvq/gguf.h"
#include "kvq/npy.h"
#include "kvq/params.h"
#include "kvq/roles.h"
#include "kvq/safetensors.h"
#include "model/model_internal.h"
#include "populations/populations.h"

#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Rows read per tensor at most, so one large declared shape cannot stall the fuzzer. */
#define MAX_ROWS_READ 64

static void read_rows(const kvq_tensor *t, int transposed)
{
    size_t rows, dim;
    if (!kvq_dtype_is_readable(t->dtype) || kvq_tensor_rows(t, transposed, &rows, &dim, NULL))
        return;
    if (dim > (1u << 24)) return;
    float *row = malloc(dim * sizeof *row);
    if (!row) return;
    for (size_t r = 0; r < rows && r < MAX_ROWS_READ; r++)
        kvq_tensor_read_row(t, transposed, r, row);
    if (rows > MAX_ROWS_READ) kvq_tensor_read_row(t, transposed, rows - 1, row);
    free(row);
}

int kvq_fuzz_safetensors(const uint8_t *data, size_t size)
{
    kvq_safetensors st;
    kvq_error err;
    if (kvq_safetensors_parse(&st, data, size, "fuzz", &err)) return 0;
    for (size_t i = 0; i < st.count; i++) {
        const kvq_tensor *t = &st.tensors[i];
        kvq_tensor_class c = kvq_classify_tensor(t->name, t->shape, t->ndim);
        read_rows(t, c.transposed);
        if (kvq_safetensors_find(&st, t->name) != t) abort();
    }
    kvq_safetensors_close(&st);
    return 1;
}

int kvq_fuzz_npy(const uint8_t *data, size_t size)
{
    kvq_npy npy;
    kvq_error err;
    if (kvq_npy_parse(&npy, data, size, "fuzz.npy", &err)) return 0;
    read_rows(&npy.tensor, 0);
    kvq_npy_close(&npy);
    return 1;
}

int kvq_fuzz_gguf(const uint8_t *data, size_t size)
{
    kvq_gguf g;
    kvq_error err;
    if (kvq_gguf_parse(&g, data, size, "fuzz.gguf", &err)) return 0;
    for (size_t i = 0; i < g.count; i++) {
        const kvq_tensor *t = &g.tensors[i];
        kvq_tensor_class c = kvq_classify_tensor(t->name, t->shape, t->ndim);
        read_rows(t, c.transposed);
        if (kvq_gguf_find(&g, t->name) != t) abort();
    }
    kvq_gguf_close(&g);
    return 1;
}

/* ---- shared by the bodies ---- */

#define PATH_CAP 4200

/* Where the bodies leave what they read, so that no call can be optimised away. */
static volatile size_t sink;

static void touch(const char *s)
{
    sink += strlen(s);
}

/* The input as a NUL-terminated string (it ends at its first NUL byte, as a string would). */
static char *text_copy(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

static char scratch[PATH_CAP];

/* The files the bodies write; removed at exit with their folders. */
static const char *const scratch_files[] = {
    "input.csv",
    "run.json",
    "cell.json",
    "model/model.safetensors.index.json",
    "model/model-00001-of-00002.safetensors",
    "model/model-00002-of-00002.safetensors",
};

static void scratch_path(char *buf, const char *name)
{
    snprintf(buf, PATH_CAP, "%s/%s", scratch, name);
}

static void remove_scratch(void)
{
    char path[PATH_CAP];
    for (size_t i = 0; i < sizeof scratch_files / sizeof *scratch_files; i++) {
        scratch_path(path, scratch_files[i]);
        unlink(path);
    }
    scratch_path(path, "model");
    rmdir(path);
    rmdir(scratch);
}

/* The scratch folder of this process. */
static const char *scratch_dir(void)
{
    if (scratch[0]) return scratch;
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/kvqfuzz-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(scratch)) abort();
    atexit(remove_scratch);
    return scratch;
}

/* Makes data the whole of path: written over what was there, then cut to size (a file truncated
 * to zero and written again is flushed to disk at close on ext4, a millisecond per input). */
static void write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || ftruncate(fd, (off_t)size) ||
        close(fd))
        abort();
}

/* Writes the input as scratch/name; returns the path in buf. */
static void write_input(char *buf, const char *name, const uint8_t *data, size_t size)
{
    scratch_dir();
    scratch_path(buf, name);
    write_file(buf, data, size);
}

/* ---- csv ---- */

int kvq_fuzz_csv(const uint8_t *data, size_t size)
{
    char path[PATH_CAP];
    write_input(path, "input.csv", data, size);
    kvq_csv_table t;
    kvq_error err;
    if (kvq_csv_read(path, &t, &err)) return 0;
    for (size_t c = 0; c < t.ncols; c++) {
        long found = kvq_csv_column(&t, t.header[c]);
        if (found < 0 || (size_t)found > c) abort(); /* the first column of that name */
    }
    for (size_t r = 0; r < t.nrows; r++) {
        if (t.line[r + 1] <= t.line[r]) abort(); /* rows start on later and later lines */
        for (size_t c = 0; c < t.ncols; c++) {
            const char *field = kvq_csv_field(&t, r, c);
            double x;
            touch(field);
            if (kvq_csv_parse_number(field, &x) == 0) sink += isnan(x) ? 1 : 0;
        }
    }
    kvq_csv_free(&t);
    return 1;
}

/* ---- epiphany ---- */

/* Two populations, three codec variants, population-level facts and a NaN to drop. */
static kvq_fact fact_items[] = {
    {"int8", "int8", "synthetic:k_proj", "k_proj", "spearman", 0.99, NAN, NAN},
    {"int8", "int8", "synthetic:k_proj", "k_proj", "rel_mse", 1e-4, NAN, NAN},
    {"palette", "palette:k=16", "synthetic:k_proj", "k_proj", "spearman", 0.8, 0.75, 0.85},
    {"palette", "palette:k=16", "synthetic:k_proj", "k_proj", "identity", NAN, NAN, NAN},
    {"", "", "synthetic:k_proj", "k_proj", "kurtosis", 3.5, NAN, NAN},
    {"int8", "int8", "synthetic:vocab", "vocab", "spearman", 0.97, NAN, NAN},
    {"passthrough", "passthrough", "synthetic:vocab", "vocab", "identity", 1.0, NAN, NAN},
    {"palette", "palette:k=16", "synthetic:vocab", "vocab", "identity", 0.5, NAN, NAN},
    {"", "", "synthetic:vocab", "vocab", "kurtosis", 0.1, NAN, NAN},
};
static const char *fact_populations[] = {"synthetic:k_proj", "synthetic:vocab"};
static const char *fact_roles[] = {"k_proj", "vocab"};

int kvq_fuzz_epiphany(const uint8_t *data, size_t size)
{
    char *text = text_copy(data, size);
    cJSON *spec;
    kvq_error err;
    int rc = kvq_epiphany_parse(&spec, text, "fuzz.json", &err);
    free(text);
    if (rc) return 0;
    kvq_facts facts = {
        .items = fact_items,
        .count = sizeof fact_items / sizeof *fact_items,
        .populations = fact_populations,
        .roles = fact_roles,
        .npopulations = 2,
    };
    kvq_epiphany_table table;
    if (kvq_epiphany_evaluate(&table, spec, &facts, &err)) abort(); /* only out of memory */
    for (size_t e = 0; e < table.nepiphanies; e++) {
        touch(table.ids[e]);
        touch(table.titles[e]);
        touch(table.claims[e]);
        for (size_t p = 0; p < table.npopulations; p++) {
            const kvq_verdict_cell *c = &table.cells[e * table.npopulations + p];
            touch(kvq_verdict_name(c->verdict));
            if ((c->verdict == KVQ_NA) != (c->decided < 0)) abort();
            if (c->decided >= 0) touch(table.metrics[c->decided]), touch(table.ops[c->decided]);
        }
    }
    kvq_epiphany_table_free(&table);
    return 1;
}

/* ---- codec_spec ---- */

/* The most variants one spec expands to (harness/ladder.h): one more is a bug, and the body stops
 * there, so that no range can stall the fuzzer. */
#define MAX_VARIANTS 4096

typedef struct variants {
    size_t count, resolved;
} variants;

static int resolve_variant(const char *spec, void *ctx)
{
    variants *v = ctx;
    kvq_params full;
    const kvq_backend *b;
    if (++v->count > MAX_VARIANTS) abort();
    if (kvq_codec_resolve(spec, &full, &b, NULL) == KVQ_OK) v->resolved++;
    return 0;
}

/* A parsed spec formats to a spec that parses to the same thing; every value goes through the
 * typed getters. */
static void use_params(const kvq_params *p)
{
    char canonical[KVQ_NAME_MAX + KVQ_PARAMS_MAX * (KVQ_KEY_MAX + KVQ_VALUE_MAX)];
    if (kvq_params_format(p, canonical, sizeof canonical) >= sizeof canonical) abort();
    kvq_params again;
    if (kvq_params_parse(canonical, &again, NULL) || memcmp(&again, p, sizeof again) != 0) abort();
    for (size_t i = 0; i < p->count; i++) {
        long l;
        double d;
        int b;
        kvq_params_int(p, p->items[i].key, LONG_MIN, LONG_MAX, &l, NULL);
        kvq_params_double(p, p->items[i].key, -DBL_MAX, DBL_MAX, &d, NULL);
        kvq_params_bool(p, p->items[i].key, &b, NULL);
    }
}

int kvq_fuzz_codec_spec(const uint8_t *data, size_t size)
{
    char *spec = text_copy(data, size);
    kvq_params p;
    const kvq_backend *b;
    kvq_error err;
    if (kvq_params_parse(spec, &p, &err) == KVQ_OK) use_params(&p);
    if (kvq_codec_resolve(spec, &p, &b, &err) == KVQ_OK) use_params(&p);
    variants v = {0, 0};
    int rc = kvq_expand_codec_spec(spec, resolve_variant, &v, &err);
    free(spec);
    return rc == KVQ_OK && v.count > 0 && v.resolved == v.count;
}

/* ---- population_spec ---- */

/* Floats a synthetic spec may ask for and still be generated. */
#define MAX_GENERATED 4096

/* Reads every option the file loaders read once the file is open. */
static void use_file_options(const kvq_file_request *rq)
{
    const char *role_text = kvq_params_get(&rq->opt, "role");
    if (!role_text) abort(); /* the defaults name every option */
    kvq_role role;
    if (role_text[0]) kvq_role_parse(role_text, &role, NULL);
    size_t v;
    uint64_t seed;
    int chain;
    kvq_option_size(&rq->opt, "rows", 4096, 2, 1L << 24, &v, NULL);
    kvq_option_size(&rq->opt, "queries", 256, 1, 1L << 24, &v, NULL);
    kvq_option_seed(&rq->opt, 1, &seed, NULL);
    if (!rq->is_npy) {
        kvq_option_size(&rq->opt, "layer", -1, 0, 1L << 30, &v, NULL);
        kvq_params_bool(&rq->opt, "chain", &chain, NULL);
    }
    touch(rq->path);
    touch(rq->tensor);
}

int kvq_fuzz_population_spec(const uint8_t *data, size_t size)
{
    char *spec = text_copy(data, size);
    kvq_error err;
    kvq_population pop;
    int accepted = 0;
    if (strncmp(spec, "synthetic:", 10) == 0) {
        kvq_synthetic_request rq;
        accepted = kvq_synthetic_parse(&rq, spec, spec + 10, 1, &err) == KVQ_OK;
        if (accepted && (rq.n + rq.nq) * rq.dim <= MAX_GENERATED) {
            if (kvq_population_load(&pop, spec, 1, &err) == KVQ_OK &&
                (pop.n != rq.n || pop.nq != rq.nq || pop.dim != rq.dim || pop.seed != rq.seed))
                abort();
            kvq_population_free(&pop);
        }
    } else if (strncmp(spec, "safetensors:", 12) == 0 || strncmp(spec, "npy:", 4) == 0) {
        kvq_file_request rq;
        accepted = kvq_file_population_parse(&rq, spec, strchr(spec, ':') + 1, &err) == KVQ_OK;
        if (accepted) use_file_options(&rq);
    } else if (kvq_population_load(&pop, spec, 1, &err) == KVQ_OK) {
        abort(); /* there is no other kind of population */
    }
    free(spec);
    return accepted;
}

/* ---- run_json ---- */

int kvq_fuzz_run_json(const uint8_t *data, size_t size)
{
    char path[PATH_CAP];
    write_input(path, "run.json", data, size);
    kvq_run_spec spec;
    kvq_error err;
    if (kvq_run_spec_load(&spec, scratch_dir(), &err)) return 0;
    if (spec.nvariants == 0 || spec.npopulations == 0) abort();
    for (size_t i = 0; i < spec.nvariants; i++) touch(spec.variants[i]);
    for (size_t i = 0; i < spec.npopulations; i++) touch(spec.populations[i]);
    kvq_strings_free(spec.variants, spec.nvariants);
    kvq_strings_free(spec.populations, spec.npopulations);
    return 1;
}

/* ---- cell ---- */

#define CELL_VARIANT "int8"
#define CELL_POPULATION "synthetic:gaussian?n=256&dim=16"

int kvq_fuzz_cell(const uint8_t *data, size_t size)
{
    char path[PATH_CAP];
    write_input(path, "cell.json", data, size);
    kvq_cell *cell = calloc(1, sizeof *cell); /* as a run prepares it: variant and codec set */
    kvq_params full;
    const kvq_backend *b;
    if (!cell || kvq_codec_resolve(CELL_VARIANT, &full, &b, NULL)) abort();
    snprintf(cell->variant, sizeof cell->variant, "%s", CELL_VARIANT);
    snprintf(cell->codec, sizeof cell->codec, "%s", b->name);
    kvq_error err;
    int accepted = kvq_cell_load(cell, CELL_POPULATION, path, &err) == KVQ_OK && cell->done;
    if (accepted) {
        if (cell->nmetrics > KVQ_CELL_METRICS_MAX || cell->chain_len > KVQ_CHAIN_MAX_DEPTH) abort();
        touch(cell->error);
        touch(cell->note);
        for (size_t i = 0; i < cell->nmetrics; i++) {
            touch(cell->metrics[i].name);
            sink += isnan(kvq_cell_metric(cell, cell->metrics[i].name)) ? 1 : 0;
        }
        for (size_t s = 0; s < cell->nsubjects; s++)
            sink += (cell->subject_score[s] > 0) + cell->subject_top[s];
        for (size_t d = 0; d < cell->chain_len; d++) sink += cell->chain_rho[d] > 0;
    }
    kvq_cell_free(cell);
    free(cell);
    return accepted;
}

/* ---- shard_index ---- */

/* The tensors of tests/golden/populations/sharded, each F32 [4, 4], in two shards. */
static const char *const shard_tensors[2][4] = {
    {"model.embed_tokens.weight", "model.layers.0.self_attn.k_proj.weight",
     "model.layers.0.self_attn.q_proj.weight", "model.layers.1.self_attn.q_proj.weight"},
    {"model.layers.1.self_attn.k_proj.weight", "model.layers.2.self_attn.k_proj.weight",
     "model.layers.2.self_attn.q_proj.weight", NULL},
};

static void write_shard(const char *path, const char *const *names)
{
    char header[1024];
    size_t used = 0, n = 0;
    used += (size_t)snprintf(header, sizeof header, "{");
    for (; n < 4 && names[n]; n++)
        used += (size_t)snprintf(header + used, sizeof header - used,
                                 "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[4,4],"
                                 "\"data_offsets\":[%zu,%zu]}",
                                 n ? "," : "", names[n], 64 * n, 64 * (n + 1));
    used += (size_t)snprintf(header + used, sizeof header - used, "}");
    if (used >= sizeof header) abort();
    size_t size = 8 + used + 64 * n;
    uint8_t *file = calloc(1, size);
    if (!file) abort();
    for (int i = 0; i < 8; i++) file[i] = (uint8_t)((uint64_t)used >> (8 * i));
    memcpy(file + 8, header, used);
    for (size_t i = 0; i < 16 * n; i++) {
        float x = (float)((int)(i % 7) - 3) / 4.0f;
        memcpy(file + 8 + used + 4 * i, &x, 4); /* little-endian hosts, as safetensors is */
    }
    write_file(path, file, size);
    free(file);
}

/* scratch/model, holding the two shards. */
static const char *model_dir(void)
{
    static char dir[PATH_CAP];
    if (dir[0]) return dir;
    scratch_dir();
    scratch_path(dir, "model");
    if (mkdir(dir, 0700)) abort();
    char path[PATH_CAP];
    scratch_path(path, "model/model-00001-of-00002.safetensors");
    write_shard(path, shard_tensors[0]);
    scratch_path(path, "model/model-00002-of-00002.safetensors");
    write_shard(path, shard_tensors[1]);
    return dir;
}

int kvq_fuzz_shard_index(const uint8_t *data, size_t size)
{
    const char *dir = model_dir();
    char path[PATH_CAP];
    write_input(path, "model/model.safetensors.index.json", data, size);
    kvq_checkpoint ck;
    kvq_error err;
    if (kvq_checkpoint_open(&ck, dir, &err)) return 0;
    for (size_t i = 0; i < ck.count; i++) {
        const kvq_checkpoint_entry *e = &ck.entries[i];
        touch(e->file);
        read_rows(e->tensor, e->cls.transposed);
    }
    kvq_checkpoint_close(&ck);
    char **specs;
    size_t count;
    if (kvq_model_population_specs(dir, 0, &specs, &count, &err) == KVQ_OK) {
        for (size_t i = 0; i < count; i++) touch(specs[i]);
        kvq_model_population_specs_free(specs, count);
    }
    return 1;
}

/* ---- model_config ---- */

int kvq_fuzz_model_config(const uint8_t *data, size_t size)
{
    kvq_model_config cfg;
    kvq_error err;
    if (kvq_model_config_parse(&cfg, (const char *)data, size, "config.json", &err)) {
        touch(err.msg);
        return 0;
    }
    /* what the forward pass derives from it must be consistent */
    sink += cfg.heads % cfg.kv_heads + cfg.head_dim % 2 + (size_t)cfg.bos;
    return cfg.heads % cfg.kv_heads == 0 && (size_t)cfg.bos < cfg.vocab;
}
