/* synthetic:NAME[?n=&dim=&seed=&queries=] - the built-in generators and their options.
 *
 * n rows and `queries` held-out query rows are drawn by one call of the generator (n + queries
 * rows from the same distribution), the queries being the last ones. seed overrides the run seed;
 * the generator's stream derives from the seed and the generator's name, so two populations of
 * one run are independent. Defaults: the generator's n and dim, queries = min(256, n). */
#include "kvq/memory.h"
#include "kvq/params.h"
#include "populations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const kvq_synthetic kvq_synth_audio_latent, kvq_synth_gaussian, kvq_synth_k_proj,
    kvq_synth_kv_cache, kvq_synth_mlp_act, kvq_synth_mlp_gate, kvq_synth_sentence_embed,
    kvq_synth_vocab;

/* Every generator, the six signature populations first (`kvqeval list populations`); mlp_act,
 * the SwiGLU activations mlp_gate modelled before it modelled gate weights, stays by name. */
const kvq_synthetic *const kvq_synthetics[] = {
    &kvq_synth_k_proj,         &kvq_synth_mlp_gate,     &kvq_synth_vocab,
    &kvq_synth_sentence_embed, &kvq_synth_audio_latent, &kvq_synth_kv_cache,
    &kvq_synth_gaussian,       &kvq_synth_mlp_act,      NULL,
};

/* What `--matrix all` runs: the six signatures found in real tensors. gaussian, the null
 * population, stays available by name. */
const char *const kvq_builtin_populations[] = {
    "synthetic:k_proj",
    "synthetic:mlp_gate",
    "synthetic:vocab",
    "synthetic:sentence_embed",
    "synthetic:audio_latent",
    "synthetic:kv_cache",
    NULL,
};

static const kvq_param_doc synthetic_options[] = {
    {"n", "", "rows to sample (default: the generator's)"},
    {"dim", "", "row dimension (default: the generator's)"},
    {"seed", "", "seed (default: the run's --seed)"},
    {"queries", "", "held-out query rows (default: min(256, n))"},
    {NULL, NULL, NULL},
};

static const kvq_synthetic *find_generator(const char *name)
{
    for (const kvq_synthetic *const *g = kvq_synthetics; *g; g++)
        if (strcmp((*g)->name, name) == 0) return *g;
    return NULL;
}

#define MAX_ROWS (1L << 24)
#define MAX_DIM (1L << 16)

int kvq_synthetic_parse(kvq_synthetic_request *rq, const char *spec, const char *rest,
                        uint64_t seed, kvq_error *err)
{
    kvq_params opt;
    memset(&opt, 0, sizeof opt);
    const char *q = strchr(rest, '?');
    size_t name_len = q ? (size_t)(q - rest) : strlen(rest);
    if (name_len == 0 || name_len >= sizeof opt.name)
        return kvq_fail(err, KVQ_EINVAL, "population '%s': missing or too long generator name",
                        spec);
    memcpy(opt.name, rest, name_len);
    const kvq_synthetic *gen = find_generator(opt.name);
    if (!gen) {
        char known[256] = "";
        size_t used = 0;
        for (const kvq_synthetic *const *g = kvq_synthetics; *g && used < sizeof known; g++)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                     g == kvq_synthetics ? "" : ", ", (*g)->name);
        return kvq_fail(err, KVQ_EINVAL, "population '%s': unknown generator '%s' (known: %s)",
                        spec, opt.name, known);
    }
    int rc = q ? kvq_params_parse_pairs(q + 1, '&', spec, &opt, err) : KVQ_OK;
    if (!rc) rc = kvq_params_apply_defaults(&opt, synthetic_options, err);
    size_t n = 0, dim = 0, nq = 0;
    if (!rc) rc = kvq_option_size(&opt, "n", (long)gen->default_n, 2, MAX_ROWS, &n, err);
    if (!rc) rc = kvq_option_size(&opt, "dim", (long)gen->default_dim, 1, MAX_DIM, &dim, err);
    if (!rc) rc = kvq_option_size(&opt, "queries", n < 256 ? (long)n : 256, 1, MAX_ROWS, &nq, err);
    if (!rc) rc = kvq_option_seed(&opt, seed, &seed, err);
    if (rc) return kvq_error_wrap(err, "population '%s'", spec);
    *rq = (kvq_synthetic_request){gen, n, dim, nq, seed};
    return KVQ_OK;
}

int kvq_synthetic_load(kvq_population *pop, const char *spec, const char *rest, uint64_t seed,
                       kvq_error *err)
{
    kvq_synthetic_request rq;
    int rc = kvq_synthetic_parse(&rq, spec, rest, seed, err);
    if (rc) return rc;
    const kvq_synthetic *gen = rq.gen;
    size_t n = rq.n, dim = rq.dim, nq = rq.nq;
    seed = rq.seed;
    char what[KVQ_TEXT_MAX + 64];
    snprintf(what, sizeof what, "population '%s' (%zu x %zu float32 rows)", spec, n + nq, dim);
    if ((rc = kvq_memory_check(2.0 * (double)(n + nq) * (double)dim * sizeof(float), what, err)))
        return rc;
    pop->rows = malloc((n + nq) * dim * sizeof(float));
    if (!pop->rows)
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory for %zu x %zu rows", spec,
                        n + nq, dim);
    kvq_rng rng;
    kvq_rng_derive(&rng, seed, gen->name);
    rc = gen->generate(n + nq, dim, &rng, pop->rows, err);
    if (rc) return kvq_error_wrap(err, "population '%s'", spec);
    pop->queries = malloc(nq * dim * sizeof(float));
    if (!pop->queries)
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory for queries", spec);
    memcpy(pop->queries, pop->rows + n * dim, nq * dim * sizeof(float));
    pop->row_source = malloc(n * sizeof *pop->row_source);
    pop->query_source = malloc((nq ? nq : 1) * sizeof *pop->query_source);
    if (!pop->row_source || !pop->query_source)
        return kvq_fail(err, KVQ_ENOMEM, "population '%s': out of memory", spec);
    for (size_t i = 0; i < n + nq; i++) /* the generator's output order: rows, then queries */
        *(i < n ? &pop->row_source[i] : &pop->query_source[i - n]) = i;

    pop->n = n;
    pop->nq = nq;
    pop->dim = dim;
    pop->seed = seed;
    pop->role = gen->role;
    pop->ndim = 2;
    pop->shape[0] = n;
    pop->shape[1] = dim;
    pop->chain_blocks = 1;
    snprintf(pop->source, sizeof pop->source, "synthetic");
    snprintf(pop->tensor, sizeof pop->tensor, "%s", gen->name);
    snprintf(pop->dtype, sizeof pop->dtype, "F32");
    return KVQ_OK;
}
