/* safetensors:PATH[#options], gguf:FILE.gguf[#options] and npy:PATH[#options]: rows sampled from
 * real tensors. gguf: takes the options of safetensors: (the checkpoint reads a file ending in
 * ".gguf" as GGUF, its quantized tensors dequantized row by row).
 *
 * safetensors options: tensor=NAME (one tensor), or role=ROLE [layer=N] (every tensor of that
 * role, pooled across layers unless layer= picks one); with neither, the file must hold exactly
 * one encodable tensor. rows=, queries=, seed= set the sample; chain=1 also loads every layer of
 * the role, in layer order, as the population's chain (square matrices only). npy options: rows=,
 * queries=, seed=, and role= to record what the array holds (default other).
 *
 * Rows are those of kvq_tensor_rows (leading dimensions flattened; GPT-2 Conv1D read transposed).
 * role=q_proj/k_proj/v_proj on a checkpoint that has only fused qkv tensors (GPT-2 c_attn) takes
 * the first/second/third block of each fused tensor's output rows, when it has exactly 3 x dim of
 * them (equal q, k and v widths; grouped-query fused tensors are left to role=qkv_proj).
 * Queries are rows of the same tensors held out of the sample (kvq_sample_rows): by default
 * min(256, total / 5) of them, at least 1, and rows = min(4096, total - queries); a selection of
 * fewer than 3 rows is refused. */
#include "kvq/checkpoint.h"
#include "kvq/memory.h"
#include "populations.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_ROWS 4096
#define MAX_ROWS (1L << 24)
#define CHAIN_MAX_BYTES (1ULL << 30)

static const kvq_param_doc safetensors_options[] = {
    {"role", "", "every tensor of this role, e.g. k_proj"},
    {"layer", "", "with role=: only the tensor(s) of this layer"},
    {"rows", "", "rows to sample (default min(4096, all but the queries))"},
    {"queries", "", "held-out query rows (default min(256, total/5))"},
    {"seed", "", "sampling seed (default: the run's --seed)"},
    {"chain", "0", "1: also load every layer of the role as the chain"},
    {NULL, NULL, NULL},
};

static const kvq_param_doc npy_options[] = {
    {"role", "", "the role the array holds (default other)"},
    {"rows", "", "rows to sample (default min(4096, all but the queries))"},
    {"queries", "", "held-out query rows (default min(256, total/5))"},
    {"seed", "", "sampling seed (default: the run's --seed)"},
    {NULL, NULL, NULL},
};

typedef struct source {
    const kvq_checkpoint_entry *entry;
    int part;           /* 0, 1, 2: the q, k or v block of a fused tensor; -1: all of it */
    size_t first, rows; /* the view rows [first, first + rows) */
} source;

typedef struct selection {
    source *src;
    size_t count, total, dim;
    kvq_role role;
    char label[KVQ_TEXT_MAX]; /* what was selected, for provenance and the sampling stream */
} selection;

typedef kvq_file_request request;

/* Moves tensor=NAME out of the option text (tensor names are longer and use more characters than
 * kvq_params values allow); the other options go to opts[cap] for kvq_params_parse_pairs. */
static int split_options(request *rq, const char *text, char *opts, size_t cap, const char *spec,
                         kvq_error *err)
{
    size_t used = 0;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "&");
        if (strncmp(p, "tensor=", 7) == 0) {
            if (rq->tensor[0])
                return kvq_fail(err, KVQ_EINVAL, "population '%s': tensor= given twice", spec);
            if (len == 7 || len - 7 >= sizeof rq->tensor)
                return kvq_fail(err, KVQ_EINVAL,
                                "population '%s': tensor= is empty or longer than %zu characters",
                                spec, sizeof rq->tensor - 1);
            memcpy(rq->tensor, p + 7, len - 7);
            rq->tensor[len - 7] = '\0';
        } else {
            if (used + len + 2 > cap)
                return kvq_fail(err, KVQ_EINVAL, "population '%s': options too long", spec);
            used +=
                (size_t)snprintf(opts + used, cap - used, "%s%.*s", used ? "&" : "", (int)len, p);
        }
        p += len + (p[len] == '&');
    }
    return KVQ_OK;
}

/* Splits "PATH[#options]" at the last '#' and checks the options against the scheme's. */
int kvq_file_population_parse(request *rq, const char *spec, const char *rest, kvq_error *err)
{
    memset(rq, 0, sizeof *rq);
    rq->is_npy = strncmp(spec, "npy:", 4) == 0;
    const char *hash = strrchr(rest, '#');
    size_t plen = hash ? (size_t)(hash - rest) : strlen(rest);
    if (plen == 0 || plen >= sizeof rq->path)
        return kvq_fail(err, KVQ_EINVAL, "population '%s': missing or too long path", spec);
    memcpy(rq->path, rest, plen);
    char opts[KVQ_TEXT_MAX * 2] = "";
    int rc = hash ? split_options(rq, hash + 1, opts, sizeof opts, spec, err) : KVQ_OK;
    if (!rc && opts[0]) rc = kvq_params_parse_pairs(opts, '&', spec, &rq->opt, err);
    int gguf = strncmp(spec, "gguf:", 5) == 0;
    snprintf(rq->opt.name, sizeof rq->opt.name, "%s",
             rq->is_npy ? "npy"
             : gguf     ? "gguf"
                        : "safetensors");
    if (!rc && gguf && (plen < 6 || strcmp(rq->path + plen - 5, ".gguf") != 0))
        rc = kvq_fail(err, KVQ_EINVAL, "population '%s': gguf: takes a file ending in .gguf", spec);
    if (!rc && rq->is_npy && rq->tensor[0])
        rc = kvq_fail(err, KVQ_EINVAL, "population '%s': npy has no tensor= option", spec);
    return rc ? rc
              : kvq_params_apply_defaults(&rq->opt, rq->is_npy ? npy_options : safetensors_options,
                                          err);
}

static int add_source(selection *sel, const kvq_checkpoint_entry *e, int part, kvq_error *err)
{
    size_t rows, dim;
    const kvq_tensor *t = e->tensor;
    int rc = kvq_tensor_rows(t, e->cls.transposed, &rows, &dim, err);
    if (rc) return rc;
    if (!kvq_dtype_is_readable(t->dtype))
        return kvq_fail(err, KVQ_EUNSUPPORTED,
                        "tensor '%s' has dtype %s; kvqeval samples F64/F32/F16/BF16 tensors "
                        "and GGUF's quantized ones",
                        t->name, kvq_dtype_name(t->dtype));
    if (sel->count && dim != sel->dim)
        return kvq_fail(err, KVQ_EINVAL, "tensors '%s' (rows of %zu) and '%s' (rows of %zu) differ",
                        sel->src[0].entry->tensor->name, sel->dim, t->name, dim);
    source *s = &sel->src[sel->count++];
    s->entry = e;
    s->part = part;
    s->first = part < 0 ? 0 : (size_t)part * dim;
    s->rows = part < 0 ? rows : dim;
    sel->dim = dim;
    sel->total += s->rows;
    return KVQ_OK;
}

/* "q_proj x32, k_proj x32, ..." for messages. */
static void role_summary(const kvq_checkpoint *ck, char *buf, size_t size)
{
    size_t counts[KVQ_ROLE_COUNT] = {0}, used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ck->count; i++) counts[ck->entries[i].cls.role]++;
    for (int r = 0; r < KVQ_ROLE_COUNT && used < size; r++)
        if (counts[r])
            used += (size_t)snprintf(buf + used, size - used, "%s%s x%zu", used ? ", " : "",
                                     kvq_role_name((kvq_role)r), counts[r]);
    if (used == 0) snprintf(buf, size, "none");
}

/* Tensors of role (and layer, when >= 0); q/k/v fall back to blocks of fused qkv tensors. */
static int select_role(selection *sel, const kvq_checkpoint *ck, kvq_role role, long layer,
                       kvq_error *err)
{
    for (int pass = 0; pass < 2 && sel->count == 0; pass++) {
        int part = pass ? (int)(role - KVQ_ROLE_ATTN_Q) : -1;
        if (pass && (role < KVQ_ROLE_ATTN_Q || role > KVQ_ROLE_ATTN_V)) break;
        for (size_t i = 0; i < ck->count; i++) {
            const kvq_checkpoint_entry *e = &ck->entries[i];
            if (layer >= 0 && e->cls.layer != layer) continue;
            if (e->cls.role != (pass ? KVQ_ROLE_ATTN_QKV : role)) continue;
            size_t rows, dim;
            if (pass && (kvq_tensor_rows(e->tensor, e->cls.transposed, &rows, &dim, NULL) ||
                         rows != 3 * dim))
                continue;
            int rc = add_source(sel, e, part, err);
            if (rc) return rc;
        }
    }
    if (sel->count) return KVQ_OK;
    char roles[256], where[32] = "";
    role_summary(ck, roles, sizeof roles);
    if (layer >= 0) snprintf(where, sizeof where, " in layer %ld", layer);
    return kvq_fail(err, KVQ_EINVAL, "%s: no %s tensor%s (tensors here: %s)", ck->path,
                    kvq_role_name(role), where, roles);
}

/* No tensor= and no role=: the only encodable tensor. */
static int select_only(selection *sel, const kvq_checkpoint *ck, kvq_error *err)
{
    if (ck->count == 1) return add_source(sel, &ck->entries[0], -1, err);
    const kvq_checkpoint_entry *only = NULL;
    size_t n = 0;
    for (size_t i = 0; i < ck->count; i++) {
        if (!kvq_role_is_encodable(ck->entries[i].cls.role)) continue;
        only = &ck->entries[i];
        n++;
    }
    if (n == 1) return add_source(sel, only, -1, err);
    char roles[256];
    role_summary(ck, roles, sizeof roles);
    return kvq_fail(err, KVQ_EINVAL,
                    "%s holds %zu encodable tensors: give role= or tensor= "
                    "(tensors here: %s)",
                    ck->path, n, roles);
}

static void label_selection(selection *sel)
{
    static const char *const parts[3] = {"[q]", "[k]", "[v]"};
    const source *s = &sel->src[0];
    const char *part = s->part >= 0 ? parts[s->part] : "";
    if (sel->count == 1)
        snprintf(sel->label, sizeof sel->label, "%s%s", s->entry->tensor->name, part);
    else
        snprintf(sel->label, sizeof sel->label, "%s%s (+%zu more)", s->entry->tensor->name, part,
                 sel->count - 1);
}

static int select_tensors(selection *sel, const kvq_checkpoint *ck, request *rq, kvq_error *err)
{
    const char *role_text = kvq_params_get(&rq->opt, "role");
    size_t layer = 0;
    int rc = kvq_option_size(&rq->opt, "layer", -1, 0, 1L << 30, &layer, err);
    if (rc) return rc;
    const char *layer_text = kvq_params_get(&rq->opt, "layer"); /* npy has no layer= */
    long want_layer = layer_text && layer_text[0] ? (long)layer : -1;
    sel->src = calloc(ck->count ? ck->count : 1, sizeof *sel->src);
    if (!sel->src) return kvq_fail(err, KVQ_ENOMEM, "%s: out of memory", ck->path);
    if (role_text[0] && (rc = kvq_role_parse(role_text, &sel->role, err))) return rc;
    if (rq->is_npy) {
        rc = add_source(sel, &ck->entries[0], -1, err);
        if (!role_text[0]) sel->role = KVQ_ROLE_OTHER;
    } else if (rq->tensor[0]) {
        if (role_text[0] || want_layer >= 0)
            return kvq_fail(err, KVQ_EINVAL, "give tensor= or role=/layer=, not both");
        const kvq_checkpoint_entry *e = NULL;
        for (size_t i = 0; i < ck->count && !e; i++)
            if (strcmp(ck->entries[i].tensor->name, rq->tensor) == 0) e = &ck->entries[i];
        if (!e) return kvq_fail(err, KVQ_EINVAL, "%s: no tensor named '%s'", ck->path, rq->tensor);
        sel->role = e->cls.role;
        rc = add_source(sel, e, -1, err);
    } else if (role_text[0]) {
        rc = select_role(sel, ck, sel->role, want_layer, err);
    } else if (want_layer >= 0) {
        rc = kvq_fail(err, KVQ_EINVAL, "layer= needs role=");
    } else {
        rc = select_only(sel, ck, err);
        if (!rc) sel->role = sel->src[0].entry->cls.role;
    }
    if (!rc) label_selection(sel);
    return rc;
}

/* Converts view row `row` of src into out[dim], refusing NaN and infinities: every metric
 * downstream would turn them into NaN without saying where they came from. */
static int read_finite(const source *src, size_t row, size_t dim, float *out, kvq_error *err)
{
    kvq_tensor_read_row(src->entry->tensor, src->entry->cls.transposed, row, out);
    for (size_t j = 0; j < dim; j++)
        if (!isfinite(out[j]))
            return kvq_fail(
                err, KVQ_EINVAL,
                "tensor '%s' row %zu column %zu is %g: kvqeval samples finite rows only",
                src->entry->tensor->name, row, j, (double)out[j]);
    return KVQ_OK;
}

/* Tells the kernel how the selection's tensors are about to be read: a sample of a few rows in
 * many touches a few pages per row, which the default read-around (up to 128 KiB around each
 * fault) would turn into most of the tensor. Advice only: a refusal leaves the reads as they are.
 */
static void advise_sources(const selection *sel, kvq_access access)
{
    for (size_t i = 0; i < sel->count; i++) {
        const kvq_tensor *t = sel->src[i].entry->tensor;
        kvq_map_advise(t->data, (size_t)t->nbytes, access, NULL);
    }
}

/* Reads the selection's rows idx[count] (sorted, global numbering) into out[count x dim]. */
static int read_rows(const selection *sel, const size_t *idx, size_t count, float *out,
                     kvq_error *err)
{
    size_t s = 0, base = 0;
    int rc = KVQ_OK;
    for (size_t k = 0; k < count && !rc; k++) {
        while (idx[k] >= base + sel->src[s].rows) base += sel->src[s++].rows;
        rc = read_finite(&sel->src[s], sel->src[s].first + idx[k] - base, sel->dim,
                         out + k * sel->dim, err);
    }
    return rc;
}

static int sample(kvq_population *pop, const selection *sel, const kvq_params *opt, int no_queries,
                  kvq_error *err)
{
    size_t nq = 0, n;
    int rc = no_queries ? KVQ_OK
                        : kvq_option_size(opt, "queries", (long)kvq_default_queries(sel->total), 1,
                                          MAX_ROWS, &nq, err);
    if (rc) return rc;
    size_t fallback = sel->total > nq ? sel->total - nq : 0;
    if (fallback > DEFAULT_ROWS) fallback = DEFAULT_ROWS;
    if ((rc = kvq_option_size(opt, "rows", (long)fallback, 2, MAX_ROWS, &n, err))) return rc;
    if (n < 2 || n + nq > sel->total)
        return kvq_fail(err, KVQ_EINVAL,
                        "'%s' has %zu rows: %zu rows + %zu held-out queries do not fit (at least "
                        "2 rows%s are needed)",
                        sel->label, sel->total, n, nq, no_queries ? "" : " and 1 query");
    char what[KVQ_TEXT_MAX + 64];
    snprintf(what, sizeof what, "'%s' (%zu x %zu float32 rows)", sel->label, n + nq, sel->dim);
    if ((rc = kvq_memory_check((double)(n + nq) * (double)sel->dim * sizeof(float), what, err)))
        return rc;
    size_t *ri = malloc(n * sizeof *ri), *qi = malloc((nq ? nq : 1) * sizeof *qi);
    pop->rows = malloc(n * sel->dim * sizeof(float));
    pop->queries = malloc((nq ? nq : 1) * sel->dim * sizeof(float));
    if (!ri || !qi || !pop->rows || !pop->queries)
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory for %zu x %zu rows", n + nq, sel->dim);
    kvq_rng rng;
    kvq_rng_derive(&rng, pop->seed, sel->label);
    if (!rc) rc = kvq_sample_rows(&rng, sel->total, n, nq, ri, qi, err);
    /* rows are read in file order: when nearly all of them are drawn (7/8: at most an eighth of
     * the bytes read ahead for nothing), that is a sequential read */
    if (!rc)
        advise_sources(sel,
                       8 * (n + nq) >= 7 * sel->total ? KVQ_ACCESS_SEQUENTIAL : KVQ_ACCESS_RANDOM);
    if (!rc) rc = read_rows(sel, ri, n, pop->rows, err);
    if (!rc) rc = read_rows(sel, qi, nq, pop->queries, err);
    if (!rc) {
        pop->n = n;
        pop->nq = nq;
        pop->dim = sel->dim;
    }
    pop->row_source = ri;
    pop->query_source = nq ? qi : NULL;
    if (!nq) free(qi);
    return rc;
}

/* chain=1: every selected tensor, square, one per layer, in layer order. */
static int load_chain(kvq_population *pop, const selection *sel, kvq_error *err)
{
    size_t d = sel->dim;
    for (size_t i = 0; i < sel->count; i++) {
        const source *s = &sel->src[i];
        if (s->rows != d || s->entry->cls.layer < 0)
            return kvq_fail(err, KVQ_EINVAL,
                            "chain=1 needs one square matrix per layer; '%s' is %zu x %zu%s",
                            s->entry->tensor->name, s->rows, d,
                            s->entry->cls.layer < 0 ? " without a layer index" : "");
        if (i && s->entry->cls.layer <= sel->src[i - 1].entry->cls.layer)
            return kvq_fail(err, KVQ_EINVAL, "chain=1: layer %d appears twice ('%s' and '%s')",
                            s->entry->cls.layer, sel->src[i - 1].entry->tensor->name,
                            s->entry->tensor->name);
    }
    if ((unsigned long long)sel->count * d * d * sizeof(float) > CHAIN_MAX_BYTES)
        return kvq_fail(err, KVQ_ERANGE, "chain=1: %zu matrices of %zu x %zu exceed %llu bytes",
                        sel->count, d, d, CHAIN_MAX_BYTES);
    pop->chain = malloc(sel->count * d * d * sizeof(float));
    if (!pop->chain) return kvq_fail(err, KVQ_ENOMEM, "chain=1: out of memory");
    int rc = KVQ_OK;
    advise_sources(sel, KVQ_ACCESS_SEQUENTIAL);
    for (size_t i = 0; i < sel->count && !rc; i++)
        for (size_t r = 0; r < d && !rc; r++)
            rc = read_finite(&sel->src[i], sel->src[i].first + r, d, pop->chain + (i * d + r) * d,
                             err);
    if (!rc) pop->chain_len = sel->count;
    return rc;
}

static int by_layer(const void *a, const void *b)
{
    int x = ((const source *)a)->entry->cls.layer, y = ((const source *)b)->entry->cls.layer;
    return (x > y) - (x < y);
}

static void provenance(kvq_population *pop, const selection *sel, const char *path)
{
    const kvq_tensor *t = sel->src[0].entry->tensor;
    snprintf(pop->source, sizeof pop->source, "%s", path);
    snprintf(pop->tensor, sizeof pop->tensor, "%s", sel->label);
    snprintf(pop->dtype, sizeof pop->dtype, "%s", kvq_dtype_name(t->dtype));
    pop->role = sel->role;
    pop->layer = sel->src[0].entry->cls.layer;
    for (size_t i = 1; i < sel->count; i++) {
        if (sel->src[i].entry->cls.layer != pop->layer) pop->layer = -1;
        if (sel->src[i].entry->tensor->dtype != t->dtype)
            snprintf(pop->dtype, sizeof pop->dtype, "mixed");
    }
    int whole = sel->count == 1 && sel->src[0].part < 0 && t->ndim <= 4;
    pop->ndim = whole ? t->ndim : 2;
    for (size_t i = 0; i < pop->ndim; i++) pop->shape[i] = whole ? (size_t)t->shape[i] : 0;
    if (!whole) {
        pop->shape[0] = sel->total;
        pop->shape[1] = sel->dim;
    }
}

static int load_selection(kvq_population *pop, const kvq_checkpoint *ck, request *rq, uint64_t seed,
                          kvq_error *err)
{
    selection sel;
    memset(&sel, 0, sizeof sel);
    int chain = 0;
    int rc = select_tensors(&sel, ck, rq, err);
    if (!rc) rc = kvq_option_seed(&rq->opt, seed, &pop->seed, err);
    if (!rc && !rq->is_npy) rc = kvq_params_bool(&rq->opt, "chain", &chain, err);
    if (!rc && chain && !kvq_params_get(&rq->opt, "role")[0])
        rc = kvq_fail(err, KVQ_EINVAL, "chain=1 needs role=");
    if (!rc) {
        provenance(pop, &sel, ck->path);
        rc = sample(pop, &sel, &rq->opt, rq->no_queries, err);
    }
    if (!rc && chain) {
        qsort(sel.src, sel.count, sizeof *sel.src, by_layer);
        rc = load_chain(pop, &sel, err);
    }
    pop->chain_blocks = rq->is_npy;
    if (!rq->is_npy && !chain)
        snprintf(pop->chain_why, sizeof pop->chain_why,
                 "no chain=1 (which loads the role's square matrices of every layer as the chain)");
    free(sel.src);
    return rc;
}

int kvq_file_population_load(kvq_population *pop, const char *spec, const char *rest, uint64_t seed,
                             kvq_error *err)
{
    request rq;
    int rc = kvq_file_population_parse(&rq, spec, rest, err);
    if (rc) return kvq_error_wrap(err, "population '%s'", spec);
    struct stat st;
    if (rq.is_npy && stat(rq.path, &st) == 0 && !S_ISREG(st.st_mode))
        return kvq_fail(err, KVQ_EINVAL,
                        "population '%s': '%s' is not a file (npy: takes one .npy "
                        "file)",
                        spec, rq.path);
    rc = kvq_file_request_load(pop, &rq, seed, err);
    return rc ? kvq_error_wrap(err, "population '%s'", spec) : KVQ_OK;
}

int kvq_file_request_load(kvq_population *pop, kvq_file_request *rq, uint64_t seed, kvq_error *err)
{
    kvq_checkpoint ck;
    int rc = kvq_checkpoint_open(&ck, rq->path, err);
    if (!rc && rq->is_npy && ck.nshards)
        rc = kvq_fail(err, KVQ_EINVAL, "'%s' is not a .npy file", rq->path);
    if (!rc) rc = load_selection(pop, &ck, rq, seed, err);
    kvq_checkpoint_close(&ck);
    return rc;
}
